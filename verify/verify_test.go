package verify_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const project = "fbverify-unit"

var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return fixedNow }

// countingKeys is a key source that counts lookups.
type countingKeys struct {
	jwks.KeySource
	calls atomic.Int64
}

func (c *countingKeys) PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.calls.Add(1)
	return c.KeySource.PublicKey(ctx, kid)
}

// failingKeys is a key source whose endpoint is down.
type failingKeys struct{}

func (failingKeys) PublicKey(context.Context, string) (*rsa.PublicKey, error) {
	return nil, fmt.Errorf("%w: endpoint down", jwks.ErrKeysUnavailable)
}

func newSigner() *verifytest.Signer {
	return verifytest.NewSigner(project, verifytest.WithClock(clock))
}

// newVerifier builds a Verifier on s's keys (static, no HTTP) and clock.
func newVerifier(t *testing.T, s *verifytest.Signer, opts ...verify.Option) *verify.Verifier {
	t.Helper()
	return newVerifierOf(t, verify.New, s, opts...)
}

// newCookieVerifier is newVerifier for session cookies.
func newCookieVerifier(t *testing.T, s *verifytest.Signer, opts ...verify.Option) *verify.Verifier {
	t.Helper()
	return newVerifierOf(t, verify.NewSessionCookieVerifier, s, opts...)
}

func newVerifierOf(t *testing.T, newV func(string, ...verify.Option) (*verify.Verifier, error), s *verifytest.Signer, opts ...verify.Option) *verify.Verifier {
	t.Helper()
	base := []verify.Option{verify.WithKeySource(s.KeySource()), verify.WithClock(clock)}
	v, err := newV(s.ProjectID(), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustFail(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	cases := []struct {
		name    string
		project string
		opts    []verify.Option
	}{
		{"empty project", "", nil},
		{"negative leeway", project, []verify.Option{verify.WithLeeway(-time.Second)}},
		{"leeway over five minutes", project, []verify.Option{verify.WithLeeway(6 * time.Minute)}},
		{"nil key source", project, []verify.Option{verify.WithKeySource(nil)}},
		{"nil clock", project, []verify.Option{verify.WithClock(nil)}},
		{"no tenants", project, []verify.Option{verify.WithTenants()}},
		{"empty tenant", project, []verify.Option{verify.WithTenants("")}},
		{"empty extra project", project, []verify.Option{verify.WithExtraProjects("")}},
		{"tiny size limit", project, []verify.Option{verify.WithMaxTokenBytes(10)}},
		{"nil revocation check", project, []verify.Option{verify.WithRevocationCheck(nil)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := verify.New(c.project, c.opts...); err == nil {
				t.Fatal("New accepted a bad configuration")
			}
		})
	}
}

func TestErrorCodesAreDistinct(t *testing.T) {
	seen := map[string]error{}
	for _, err := range []error{
		verify.ErrNoToken, verify.ErrBadAuthorizationHeader, verify.ErrTooLarge, verify.ErrMalformed,
		verify.ErrUnsupportedAlgorithm, verify.ErrInvalidKeyID, verify.ErrCriticalHeader, verify.ErrInvalidType,
		jwks.ErrUnknownKey, jwks.ErrKeysUnavailable, verify.ErrInvalidSignature, verify.ErrInvalidAudience,
		verify.ErrInvalidIssuer, verify.ErrInvalidSubject, verify.ErrInvalidExpiry, verify.ErrExpired,
		verify.ErrInvalidIssuedAt, verify.ErrIssuedInFuture, verify.ErrInvalidAuthTime, verify.ErrAuthTimeInFuture,
		verify.ErrInvalidTenant, verify.ErrRevoked, verify.ErrUserDisabled, verify.ErrRevocationCheckFailed,
	} {
		code := verify.ErrorCode(fmt.Errorf("wrapped: %w", err))
		if code == "" || code == "invalid_token" {
			t.Errorf("%v has no code of its own", err)
		}
		if prev, dup := seen[code]; dup {
			t.Errorf("%v and %v share code %q", prev, err, code)
		}
		seen[code] = err
	}
	if verify.ErrorCode(nil) != "" || verify.ErrorCode(errors.New("other")) != "invalid_token" {
		t.Error("ErrorCode of nil or a foreign error is wrong")
	}
}

func TestSessionCookies(t *testing.T) {
	s := newSigner()
	cookies := newCookieVerifier(t, s)
	idTokens := newVerifier(t, s)
	ctx := context.Background()

	cookie := s.SessionCookie("u1")
	tok, err := cookies.Verify(ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	if tok.UID != "u1" || tok.Issuer != claimcheck.SessionCookieIssuerPrefix+project {
		t.Fatalf("token = %+v", tok)
	}
	_, err = cookies.Verify(ctx, s.IDToken("u1"))
	mustFail(t, err, verify.ErrInvalidIssuer)
	if !strings.Contains(err.Error(), "this is an ID token") {
		t.Errorf("message does not say what happened: %v", err)
	}
	_, err = idTokens.Verify(ctx, cookie)
	mustFail(t, err, verify.ErrInvalidIssuer)

	twoWeeks := s.SessionCookie("u1", verifytest.ExpiresAt(fixedNow.Add(verify.SessionCookieMaxLifetime)))
	if _, err := cookies.Verify(ctx, twoWeeks); err != nil {
		t.Fatalf("two-week cookie: %v", err)
	}
	tooLong := s.SessionCookie("u1", verifytest.ExpiresAt(fixedNow.Add(verify.SessionCookieMaxLifetime+time.Hour)))
	_, err = cookies.Verify(ctx, tooLong)
	mustFail(t, err, verify.ErrInvalidExpiry)
	// An ID token lives one hour; a longer one is not Google's.
	_, err = idTokens.Verify(ctx, s.IDToken("u1", verifytest.ExpiresAt(fixedNow.Add(2*time.Hour))))
	mustFail(t, err, verify.ErrInvalidExpiry)
}

func TestMiddlewareReadsSessionCookie(t *testing.T) {
	s := newSigner()
	v := newCookieVerifier(t, s)
	h := v.Middleware(verify.FromCookie("session"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := verify.TokenFromContext(r.Context())
		fmt.Fprint(w, tok.UID)
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: s.SessionCookie("u7")})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.String() != "u7" {
		t.Fatalf("status %d, body %q", rec.Code, rec.Body)
	}
	// The Authorization header is not read in cookie mode.
	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+s.SessionCookie("u7"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
}

func TestTenants(t *testing.T) {
	s := newSigner()
	one := newVerifier(t, s, verify.WithTenants("tenant-a"))
	several := newVerifier(t, s, verify.WithTenants("tenant-a", "tenant-b"))
	anyTenant := newVerifier(t, s)
	ctx := context.Background()

	a, b := s.IDToken("u1", verifytest.Tenant("tenant-a")), s.IDToken("u1", verifytest.Tenant("tenant-b"))
	none := s.IDToken("u1")
	if tok, err := one.Verify(ctx, a); err != nil || tok.Firebase.Tenant != "tenant-a" {
		t.Fatalf("tenant-a: %v", err)
	}
	_, err := one.Verify(ctx, b)
	mustFail(t, err, verify.ErrInvalidTenant)
	_, err = one.Verify(ctx, none)
	mustFail(t, err, verify.ErrInvalidTenant)
	if _, err := several.Verify(ctx, b); err != nil {
		t.Fatalf("tenant-b against a set: %v", err)
	}
	if _, err := anyTenant.Verify(ctx, b); err != nil {
		t.Fatalf("tenant token with no tenant rule: %v", err)
	}
	_, err = one.Verify(ctx, s.IDToken("u1", verifytest.Claim("firebase", map[string]any{"tenant": 7})))
	mustFail(t, err, verify.ErrInvalidTenant)
}

func TestEmulatorModeIsOffByDefault(t *testing.T) {
	s := newSigner()
	keys := &countingKeys{KeySource: s.KeySource()}
	v, err := verify.New(project, verify.WithKeySource(keys), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(context.Background(), s.EmulatorIDToken("u1"))
	mustFail(t, err, verify.ErrUnsupportedAlgorithm)
	if keys.calls.Load() != 0 {
		t.Fatal("an unsigned token caused a key lookup")
	}
}

func TestEmulatorMode(t *testing.T) {
	s := newSigner()
	keys := &countingKeys{KeySource: s.KeySource()}
	v, err := verify.New(project, verify.WithKeySource(keys), verify.WithClock(clock), verify.InsecureEmulatorMode())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok, err := v.Verify(ctx, s.EmulatorIDToken("u1"))
	if err != nil || tok.UID != "u1" {
		t.Fatalf("emulator token: %v", err)
	}
	if keys.calls.Load() != 0 {
		t.Fatal("an unsigned token caused a key lookup")
	}
	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"expired", s.EmulatorIDToken("u1", verifytest.IssuedAt(fixedNow.Add(-3*time.Hour))), verify.ErrExpired},
		{"other project", s.EmulatorIDToken("u1", verifytest.Project("elsewhere")), verify.ErrInvalidAudience},
		{"no sub", s.EmulatorIDToken("u1", verifytest.WithoutClaim("sub")), verify.ErrInvalidSubject},
		{"alg None", s.EmulatorIDToken("u1", verifytest.Header("alg", "None")), verify.ErrUnsupportedAlgorithm},
		{"alg none with a signature", s.EmulatorIDToken("u1") + "c2ln", verify.ErrMalformed},
		{"RS256 without signature", strings.TrimRight(s.IDToken("u1"), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"), verify.ErrMalformed},
		{"tampered RS256", s.IDToken("u1")[:len(s.IDToken("u1"))-4] + "AAAA", verify.ErrInvalidSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(ctx, c.token)
			mustFail(t, err, c.want)
		})
	}
	if _, err := v.Verify(ctx, s.IDToken("u1")); err != nil {
		t.Fatalf("signed token in emulator mode: %v", err)
	}
}

func TestRevocationCheck(t *testing.T) {
	s := newSigner()
	signedIn := fixedNow.Add(-10 * time.Minute)
	var calls atomic.Int64
	users := map[string]verify.UserStatus{
		"disabled":        {Disabled: true},
		"revoked":         {ValidAfter: signedIn.Add(time.Second)},
		"revoked-earlier": {ValidAfter: signedIn.Add(-time.Hour)},
	}
	v := newVerifier(t, s, verify.WithRevocationCheck(func(ctx context.Context, uid string) (verify.UserStatus, error) {
		calls.Add(1)
		if uid == "store-down" {
			return verify.UserStatus{}, errors.New("database unreachable")
		}
		return users[uid], nil
	}))
	ctx := context.Background()
	mint := func(uid string) string {
		return s.IDToken(uid, verifytest.AuthTime(signedIn))
	}
	if _, err := v.Verify(ctx, mint("fine")); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, mint("revoked-earlier")); err != nil {
		t.Fatalf("revoked before this sign-in: %v", err)
	}
	_, err := v.Verify(ctx, mint("disabled"))
	mustFail(t, err, verify.ErrUserDisabled)
	_, err = v.Verify(ctx, mint("revoked"))
	mustFail(t, err, verify.ErrRevoked)
	_, err = v.Verify(ctx, mint("store-down"))
	mustFail(t, err, verify.ErrRevocationCheckFailed)

	before := calls.Load()
	_, err = v.Verify(ctx, s.IDToken("fine", verifytest.Claim("aud", "other")))
	mustFail(t, err, verify.ErrInvalidAudience)
	if calls.Load() != before {
		t.Fatal("the revocation check ran for a token that failed another rule")
	}
}

func TestSeveralProjects(t *testing.T) {
	s := newSigner()
	v := newVerifier(t, s, verify.WithExtraProjects("staging"))
	ctx := context.Background()
	if _, err := v.Verify(ctx, s.IDToken("u1")); err != nil {
		t.Fatalf("production token: %v", err)
	}
	tok, err := v.Verify(ctx, s.IDToken("u1", verifytest.Project("staging")))
	if err != nil || tok.Audience != "staging" {
		t.Fatalf("staging token: %v", err)
	}
	// aud of one project with iss of the other: each token is checked
	// against its own project.
	_, err = v.Verify(ctx, s.IDToken("u1", verifytest.Claim("aud", "staging")))
	mustFail(t, err, verify.ErrInvalidIssuer)
	_, err = v.Verify(ctx, s.IDToken("u1", verifytest.Project("dev")))
	mustFail(t, err, verify.ErrInvalidAudience)
	if got := v.ProjectIDs(); len(got) != 2 || got[0] != project || got[1] != "staging" {
		t.Fatalf("ProjectIDs() = %v", got)
	}
}

func TestAppCheck(t *testing.T) {
	s := newSigner()
	const number = "123456789012"
	a, err := verify.NewAppCheck(verify.AppCheckProject{Number: number, ID: project}, verify.WithKeySource(s.KeySource()), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok, err := a.Verify(ctx, s.AppCheckToken(number, "1:123456789012:web:abc"))
	if err != nil || tok.AppID != "1:123456789012:web:abc" {
		t.Fatalf("valid App Check token: %v", err)
	}
	byNumberOnly := s.AppCheckToken(number, "app", verifytest.Claim("aud", []string{"projects/" + number}))
	if _, err := a.Verify(ctx, byNumberOnly); err != nil {
		t.Fatalf("aud with the number only: %v", err)
	}
	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"no typ", s.AppCheckToken(number, "app", verifytest.WithoutHeader("typ")), verify.ErrInvalidType},
		{"alg RS512", s.AppCheckToken(number, "app", verifytest.Header("alg", "RS512")), verify.ErrUnsupportedAlgorithm},
		{"aud a string", s.AppCheckToken(number, "app", verifytest.Claim("aud", "projects/"+number)), verify.ErrInvalidAudience},
		{"aud with a number in it", s.AppCheckToken(number, "app", verifytest.Claim("aud", []any{"projects/" + number, 5})), verify.ErrInvalidAudience},
		{"aud of another project", s.AppCheckToken(number, "app", verifytest.Claim("aud", []string{"projects/999"})), verify.ErrInvalidAudience},
		{"missing aud", s.AppCheckToken(number, "app", verifytest.WithoutClaim("aud")), verify.ErrInvalidAudience},
		{"issuer of another project", s.AppCheckToken(number, "app", verifytest.Claim("iss", claimcheck.AppCheckIssuerPrefix+"999")), verify.ErrInvalidIssuer},
		{"issuer a number", s.AppCheckToken(number, "app", verifytest.Claim("iss", 5)), verify.ErrInvalidIssuer},
		{"no app ID", s.AppCheckToken(number, ""), verify.ErrInvalidSubject},
		{"expired", s.AppCheckToken(number, "app", verifytest.ExpiresAt(fixedNow.Add(-time.Hour))), verify.ErrExpired},
		{"missing exp", s.AppCheckToken(number, "app", verifytest.WithoutClaim("exp")), verify.ErrInvalidExpiry},
		{"iat in the future", s.AppCheckToken(number, "app", verifytest.Claim("iat", fixedNow.Add(time.Hour).Unix())), verify.ErrIssuedInFuture},
		{"an ID token", s.IDToken("u1"), verify.ErrInvalidAudience},
		{"unknown key", s.AppCheckToken(number, "app", verifytest.SignedBy(verifytest.GenerateKey())), jwks.ErrUnknownKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := a.Verify(ctx, c.token)
			mustFail(t, err, c.want)
		})
	}
	for _, bad := range []string{"", "12a"} {
		if _, err := verify.NewAppCheck(verify.AppCheckProject{Number: bad, ID: project}); err == nil {
			t.Errorf("NewAppCheck(%q) accepted", bad)
		}
	}
	// Swapped number and ID are both refused, the number naming the mistake.
	_, err = verify.NewAppCheck(verify.AppCheckProject{Number: project, ID: number})
	if !errors.Is(err, verify.ErrInvalidProjectID) || !strings.Contains(err.Error(), "looks like a project ID") {
		t.Errorf("swapped number and ID: %v", err)
	}
}

// TestOptionsThatCannotApplyDoNotCompile pins which options NewAppCheck
// takes: an option is an AppCheckOption only if it applies to App Check
// tokens, so passing WithCache to NewAppCheck is a compile error. The
// check is on the options' dynamic types, which is what the compiler sees.
func TestOptionsThatCannotApplyDoNotCompile(t *testing.T) {
	s := verifytest.NewSigner(project)
	idOnly := map[string]verify.Option{
		"WithCache":            verify.WithCache(1),
		"WithExtraProjects":    verify.WithExtraProjects("other-project"),
		"WithTenants":          verify.WithTenants("t"),
		"WithRevocationCheck":  verify.WithRevocationCheck(func(context.Context, string) (verify.UserStatus, error) { return verify.UserStatus{}, nil }),
		"InsecureEmulatorMode": verify.InsecureEmulatorMode(),
		"WithObserver":         verify.WithObserver(verify.Observer{Verdict: func(verify.Verdict) {}}),
	}
	for name, opt := range idOnly {
		if _, ok := opt.(verify.AppCheckOption); ok {
			t.Errorf("%s is an AppCheckOption; it does not apply to App Check tokens", name)
		}
	}
	shared := map[string]verify.SharedOption{
		"WithKeySource":     verify.WithKeySource(s.KeySource()),
		"WithClock":         verify.WithClock(clock),
		"WithLeeway":        verify.WithLeeway(0),
		"WithMaxTokenBytes": verify.WithMaxTokenBytes(4096),
		"WithHTTPClient":    verify.WithHTTPClient(nil),
		"WithLogger":        verify.WithLogger(nil),
		"WithKeySnapshot":   verify.WithKeySnapshot(filepath.Join(t.TempDir(), "keys.json")),
	}
	for name, opt := range shared {
		a, err := verify.NewAppCheck(verify.AppCheckProject{Number: "123456789012"}, opt)
		if err != nil {
			t.Errorf("NewAppCheck(%s): %v", name, err)
			continue
		}
		a.Close()
	}
}

func TestAppCheckMiddleware(t *testing.T) {
	s := newSigner()
	a, err := verify.NewAppCheck(verify.AppCheckProject{Number: "42"}, verify.WithKeySource(s.KeySource()), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := verify.AppCheckFromContext(r.Context())
		fmt.Fprint(w, tok.AppID)
	}))
	for _, c := range []struct {
		name   string
		token  string
		status int
	}{
		{"valid", s.AppCheckToken("42", "my-app"), http.StatusOK},
		{"missing", "", http.StatusUnauthorized},
		{"tampered", s.AppCheckToken("42", "my-app") + "A", http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if c.token != "" {
				req.Header.Set(verify.AppCheckHeader, c.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			if c.status == http.StatusOK && rec.Body.String() != "my-app" {
				t.Fatalf("handler saw app %q", rec.Body)
			}
		})
	}
}

func TestMiddlewareResponses(t *testing.T) {
	s := newSigner()
	v := newVerifier(t, s)
	reached := func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := verify.TokenFromContext(r.Context()); ok {
			fmt.Fprint(w, "user ", tok.UID)
			return
		}
		fmt.Fprint(w, "anonymous")
	}
	down, err := verify.New(project, verify.WithKeySource(failingKeys{}), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	valid := s.IDToken("u1")
	cases := []struct {
		name      string
		handler   http.Handler
		header    []string
		status    int
		challenge string
		body      string
	}{
		{"valid", v.Middleware()(http.HandlerFunc(reached)), []string{"Bearer " + valid}, 200, "", "user u1"},
		{"lower-case scheme", v.Middleware()(http.HandlerFunc(reached)), []string{"bearer " + valid}, 200, "", "user u1"},
		{"no token", v.Middleware()(http.HandlerFunc(reached)), nil, 401, "Bearer", `"code":"no_token"`},
		{"optional without token", v.Middleware(verify.Optional())(http.HandlerFunc(reached)), nil, 200, "", "anonymous"},
		{"optional with a bad token", v.Middleware(verify.Optional())(http.HandlerFunc(reached)), []string{"Bearer " + valid + "x"}, 401, `Bearer error="invalid_token"`, `"code":"malformed_token"`},
		{"basic scheme", v.Middleware()(http.HandlerFunc(reached)), []string{"Basic dXNlcjpwYXNz"}, 400, `Bearer error="invalid_request"`, `"code":"bad_authorization_header"`},
		{"two headers", v.Middleware()(http.HandlerFunc(reached)), []string{"Bearer " + valid, "Bearer " + valid}, 400, `Bearer error="invalid_request"`, `"code":"bad_authorization_header"`},
		{"two tokens", v.Middleware()(http.HandlerFunc(reached)), []string{"Bearer " + valid + " " + valid}, 400, `Bearer error="invalid_request"`, `"code":"bad_authorization_header"`},
		{"keys unavailable", down.Middleware()(http.HandlerFunc(reached)), []string{"Bearer " + valid}, 503, "", `"code":"keys_unavailable"`},
		{"custom responder", v.Middleware(verify.WithErrorResponder(func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "nope: "+verify.ErrorCode(err), http.StatusTeapot)
		}))(http.HandlerFunc(reached)), nil, 418, "", "nope: no_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, h := range c.header {
				req.Header.Add("Authorization", h)
			}
			rec := httptest.NewRecorder()
			c.handler.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, c.challenge) || (c.challenge == "" && got != "") {
				t.Fatalf("WWW-Authenticate = %q, want prefix %q", got, c.challenge)
			}
			if !strings.Contains(rec.Body.String(), c.body) {
				t.Fatalf("body %q lacks %q", rec.Body, c.body)
			}
			if strings.Contains(rec.Body.String(), "endpoint down") {
				t.Fatal("the response leaks the key source's error")
			}
		})
	}
}

func TestEmulatorHostReadsTheEnvironment(t *testing.T) {
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", "")
	if _, ok := verify.EmulatorHost(); ok {
		t.Fatal("EmulatorHost reported a host with the variable empty")
	}
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
	if h, ok := verify.EmulatorHost(); !ok || h != "127.0.0.1:9099" {
		t.Fatalf("EmulatorHost() = %q, %v", h, ok)
	}
	// Reading the variable turns nothing on: a default verifier still
	// refuses unsigned tokens.
	s := newSigner()
	_, err := newVerifier(t, s).Verify(context.Background(), s.EmulatorIDToken("u1"))
	mustFail(t, err, verify.ErrUnsupportedAlgorithm)
}
