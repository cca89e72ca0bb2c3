package claimcheck

import (
	"errors"
	"fmt"
	"time"

	"github.com/fbverify/fbverify/verify/internal/strictjson"
)

// AppCheckIssuerPrefix is the issuer prefix of Firebase App Check tokens:
// iss is the prefix followed by the project number.
const AppCheckIssuerPrefix = "https://firebaseappcheck.googleapis.com/"

// ErrInvalidType: the header's typ is not "JWT" where it must be (App Check
// tokens).
var ErrInvalidType = errors.New("verify: wrong token type")

// ParseAppCheck decodes an App Check token's payload, with the same
// strictness as Parse: aud must be an array of strings. The Token keeps a
// copy of payload, so the caller may reuse payload once it returns.
func ParseAppCheck(payload []byte) (*AppCheckToken, error) {
	d := strictjson.New(payload)
	t := &AppCheckToken{}
	err := d.Begin()
	if err == nil {
		err = readAppCheck(&d, t)
	}
	if err := outcome(&d, "payload", err); err != nil {
		return nil, err
	}
	t.Payload = d.Text() // the typed strings are substrings of it
	return t, nil
}

// AppCheckExpected is what an App Check token must satisfy besides its
// signature.
type AppCheckExpected struct {
	// ProjectNumber is the Firebase project's number; iss must be
	// AppCheckIssuerPrefix followed by it. Required.
	ProjectNumber string
	// ProjectID, if not empty, is also accepted in aud as "projects/<id>".
	ProjectID string
	// Leeway is the clock skew allowed on exp and iat.
	Leeway time.Duration
}

// CheckAppCheckHeader requires typ "JWT", as App Check tokens carry.
func CheckAppCheckHeader(h Header) error {
	if h.Type != "JWT" {
		return &ValidationError{Claim: "typ", Err: ErrInvalidType, Expected: `"JWT"`, Actual: quoteOrMissing(h.Type)}
	}
	return nil
}

// ValidateAppCheck applies the App Check rules to t at time now: aud
// contains projects/<number> (or projects/<id>), iss is the project's App
// Check issuer, sub (the app ID) is present, exp is in the future and iat
// is not.
func ValidateAppCheck(t *AppCheckToken, want AppCheckExpected, now time.Time) error {
	if err := checkAppCheckAudience(t, want); err != nil {
		return err
	}
	if err := checkAppCheckIssuer(t, want); err != nil {
		return err
	}
	if err := checkAppCheckSubject(t); err != nil {
		return err
	}
	if err := checkTimesPresent(t.Expires, t.IssuedAt); err != nil {
		return err
	}
	return checkTimesAround(t.Expires, t.IssuedAt, now, want.Leeway, appCheckExpiredHint)
}

// appCheckExpiredHint tells the holder of an expired App Check token how
// to get a fresh one.
const appCheckExpiredHint = "get a fresh App Check token from the client SDK (getToken) and retry"

// checkAppCheckAudience requires aud to contain projects/<number> or
// projects/<id>.
func checkAppCheckAudience(t *AppCheckToken, want AppCheckExpected) error {
	accepted := []string{"projects/" + want.ProjectNumber}
	if want.ProjectID != "" {
		accepted = append(accepted, "projects/"+want.ProjectID)
	}
	if !containsAny(t.Audience, accepted) {
		return &ValidationError{Claim: "aud", Err: ErrInvalidAudience,
			Expected: "an array containing " + quoteList(accepted), Actual: fmt.Sprintf("%q", t.Audience),
			Hint: "the token was issued for another Firebase project"}
	}
	return nil
}

// checkAppCheckIssuer requires iss to be the project's App Check issuer.
func checkAppCheckIssuer(t *AppCheckToken, want AppCheckExpected) error {
	if wantIss := AppCheckIssuerPrefix + want.ProjectNumber; t.Issuer != wantIss {
		return &ValidationError{Claim: "iss", Err: ErrInvalidIssuer, Expected: quote(wantIss), Actual: quoteOrMissing(t.Issuer)}
	}
	return nil
}

// checkAppCheckSubject requires sub, the app ID.
func checkAppCheckSubject(t *AppCheckToken) error {
	if t.AppID == "" {
		return &ValidationError{Claim: "sub", Err: ErrInvalidSubject, Expected: "the app ID", Actual: "none"}
	}
	return nil
}

func containsAny(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}
