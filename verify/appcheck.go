package verify

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/internal/rs256"
)

// AppCheckHeader is the request header that carries an App Check token.
const AppCheckHeader = "X-Firebase-AppCheck"

// AppCheckVerifier checks Firebase App Check tokens: RS256 with typ "JWT",
// keys from jwks.AppCheckJWKSURL, iss
// https://firebaseappcheck.googleapis.com/<projectNumber>, and aud an array
// containing projects/<projectNumber> or projects/<projectID>. It is safe
// for concurrent use.
type AppCheckVerifier struct {
	keys          jwks.KeySource
	ownedKeys     *jwks.Remote
	now           func() time.Time
	expected      claimcheck.AppCheckExpected
	maxTokenBytes int
	rsaKeys       rs256.Keys
}

// AppCheckProject names the Firebase project whose App Check tokens an
// AppCheckVerifier accepts. Both are on the project's settings page in
// the Firebase console.
type AppCheckProject struct {
	// Number is the project number, all digits, such as "123456789012".
	// Required: an App Check token's iss ends with it.
	Number string
	// ID is the project ID, such as "my-project". Optional: when set, aud
	// may name the project by ID as well as by number.
	ID string
}

// NewAppCheck makes an AppCheckVerifier for project with opts. It refuses a
// Number that is not all digits and an ID that is not a valid project ID
// (ErrInvalidProjectID), which also catches the two swapped. Without
// WithKeySource it fetches Google's App Check keys on first use; call
// Close when done with it.
func NewAppCheck(project AppCheckProject, opts ...AppCheckOption) (*AppCheckVerifier, error) {
	if err := checkProjectNumber(project); err != nil {
		return nil, err
	}
	if project.ID != "" {
		if err := checkProjectID(project.ID); err != nil {
			return nil, fmt.Errorf("verify: NewAppCheck: %w", err)
		}
	}
	c := defaults()
	for _, opt := range opts {
		if err := opt.applyToAppCheck(&c); err != nil {
			return nil, err
		}
	}
	a := &AppCheckVerifier{
		keys:          c.keys,
		now:           c.now,
		maxTokenBytes: c.maxTokenBytes,
		expected:      claimcheck.AppCheckExpected{ProjectNumber: project.Number, ProjectID: project.ID, Leeway: c.leeway},
	}
	if a.keys == nil {
		remote, err := jwks.NewRemote(jwks.AppCheckJWKSURL, c.remoteOptions())
		if err != nil {
			return nil, err
		}
		a.keys, a.ownedKeys = remote, remote
	}
	return a, nil
}

// checkProjectNumber requires project.Number to be all digits, naming the
// likely mistake when it is not.
func checkProjectNumber(project AppCheckProject) error {
	if project.Number == "" {
		return fmt.Errorf("%w: empty project number (AppCheckProject.Number is required)", ErrInvalidProjectID)
	}
	for _, c := range project.Number {
		if c < '0' || c > '9' {
			hint := ""
			if checkProjectID(project.Number) == nil {
				hint = " (that looks like a project ID; put it in AppCheckProject.ID)"
			}
			return fmt.Errorf("%w: project number %q is not all digits%s", ErrInvalidProjectID, project.Number, hint)
		}
	}
	return nil
}

// Close stops the default key source, if the verifier made one.
func (a *AppCheckVerifier) Close() error {
	if a.ownedKeys != nil {
		return a.ownedKeys.Close()
	}
	return nil
}

// Verify checks an App Check token and returns its claims (AppID is the
// attested app), or an error wrapping one of this package's sentinels.
func (a *AppCheckVerifier) Verify(ctx context.Context, token string) (*claims.AppCheckToken, error) {
	if err := checkSize(token, a.maxTokenBytes); err != nil {
		return nil, err
	}
	parts, err := split(token)
	if err != nil {
		return nil, err
	}
	header, buf, err := decodeSegment("header", parts.header, nil)
	if err != nil {
		return nil, err
	}
	h, err := claimcheck.ParseHeader(header)
	if err != nil {
		return nil, err
	}
	for _, check := range []error{claimcheck.CheckAlgorithm(h, false), claimcheck.CheckHeader(h), claimcheck.CheckAppCheckHeader(h)} {
		if check != nil {
			return nil, check
		}
	}
	payload, buf, err := decodeSegment("payload", parts.payload, buf)
	if err != nil {
		return nil, err
	}
	tok, err := claimcheck.ParseAppCheck(payload)
	if err != nil {
		return nil, err
	}
	if err := claimcheck.ValidateAppCheck(tok, a.expected, a.now()); err != nil {
		return nil, err
	}
	sig, buf, sigErr := decodeSegment("signature", parts.signature, buf)
	if err := verifyRS256(ctx, a.keys, &a.rsaKeys, h.KeyID, sig, sigErr, append(buf[len(buf):], parts.signingInput...)); err != nil {
		return nil, err
	}
	return tok, nil
}

type appCheckKey struct{}

// AppCheckFromContext returns the App Check token that the App Check
// middleware put in ctx, and whether there is one.
func AppCheckFromContext(ctx context.Context) (*claims.AppCheckToken, bool) {
	tok, ok := ctx.Value(appCheckKey{}).(*claims.AppCheckToken)
	return tok, ok && tok != nil
}

// Middleware returns net/http middleware that requires a valid App Check
// token in the X-Firebase-AppCheck header (or the cookie named by
// FromCookie), putting it in the request's context (see
// AppCheckFromContext). It composes with the ID token middleware.
func (a *AppCheckVerifier) Middleware(opts ...MiddlewareOption) func(http.Handler) http.Handler {
	m := newMiddleware(opts, func(r *http.Request) (string, error) {
		values := r.Header.Values(AppCheckHeader)
		switch {
		case len(values) == 0 || values[0] == "":
			return "", ErrNoToken
		case len(values) > 1:
			return "", fmt.Errorf("%w: %d %s headers", ErrBadAuthorizationHeader, len(values), AppCheckHeader)
		}
		return values[0], nil
	})
	return m.wrap(func(ctx context.Context, token string) (context.Context, error) {
		tok, err := a.Verify(ctx, token)
		if err != nil {
			return nil, err
		}
		return context.WithValue(ctx, appCheckKey{}, tok), nil
	})
}
