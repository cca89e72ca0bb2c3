// Package claims holds what a handler reads from a verified Firebase
// token: the typed claims of an ID token or session cookie (Token, with
// Firebase), of an App Check token (AppCheckToken), the JOSE header
// (Header), and the error that says which claim broke which rule
// (ValidationError).
//
// Nothing here checks a signature or a rule, and no function turns bytes
// into a Token: the only Tokens read from a token string come out of
// package verify, verified. A test may build one by hand, or mint real
// tokens with package verify/verifytest.
package claims

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// Token holds the claims of a verified Firebase ID token or session
// cookie, typed. Every other claim, custom claims included, stays
// available through Decode, Map and Payload.
type Token struct {
	// UID is the user's ID: the sub claim.
	UID string
	// Audience is the aud claim: the Firebase project ID.
	Audience string
	// Issuer is the iss claim.
	Issuer string
	// IssuedAt is the iat claim.
	IssuedAt time.Time
	// Expires is the exp claim.
	Expires time.Time
	// AuthTime is the auth_time claim: when the user signed in.
	AuthTime time.Time
	// Email is the email claim, if any.
	Email string
	// EmailVerified is the email_verified claim.
	EmailVerified bool
	// PhoneNumber is the phone_number claim, if any.
	PhoneNumber string
	// Name is the name claim, if any.
	Name string
	// Picture is the picture claim (a URL), if any.
	Picture string
	// Firebase is the firebase claim.
	Firebase Firebase
	// Payload is the token's payload, its JSON exactly as signed. Decode,
	// Map, Identities and MarshalJSON read it; it is empty in a Token
	// built by hand.
	Payload string
}

// Firebase is the firebase claim: how the user signed in.
type Firebase struct {
	// SignInProvider is firebase.sign_in_provider, such as "password",
	// "google.com", "anonymous" or "custom".
	SignInProvider string `json:"sign_in_provider"`
	// Tenant is firebase.tenant, the Identity Platform tenant ID, if any.
	Tenant string `json:"tenant"`
	// SignInSecondFactor is firebase.sign_in_second_factor, such as "phone",
	// when the user passed a second factor.
	SignInSecondFactor string `json:"sign_in_second_factor"`
	// SecondFactorIdentifier is firebase.second_factor_identifier.
	SecondFactorIdentifier string `json:"second_factor_identifier"`
}

// Decode unmarshals the whole payload into v, typically a struct of the
// caller's custom claims. Package verify refuses any payload that
// encoding/json could not read into a map[string]any, so on a verified
// Token this fails only when v's types do not fit the claims.
func (t *Token) Decode(v any) error {
	return json.Unmarshal([]byte(t.Payload), v)
}

// Map returns every claim of the payload as a map, decoded afresh on each
// call; numbers are json.Number so large values keep their precision.
func (t *Token) Map() (map[string]any, error) {
	m := map[string]any{}
	d := json.NewDecoder(strings.NewReader(t.Payload))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// Identities returns firebase.identities: each sign-in provider mapped to
// the user's identifiers there, such as "email" to ["ada@example.com"]. It
// is nil when the token has no identities claim. The map is decoded from
// the payload on each call (most handlers never read it) and belongs to
// the caller.
func (t *Token) Identities() map[string][]string {
	var w struct {
		Firebase struct {
			Identities map[string][]string `json:"identities"`
		} `json:"firebase"`
	}
	if t.Payload == "" || json.Unmarshal([]byte(t.Payload), &w) != nil {
		return nil
	}
	return w.Firebase.Identities
}

// AppCheckToken holds the claims of a verified Firebase App Check token.
type AppCheckToken struct {
	// AppID is the Firebase app the token attests: the sub claim.
	AppID string
	// Issuer is the iss claim.
	Issuer string
	// Audience is the aud claim: "projects/<number>" and "projects/<id>".
	Audience []string
	// IssuedAt is the iat claim.
	IssuedAt time.Time
	// Expires is the exp claim.
	Expires time.Time
	// Payload is the token's payload, its JSON exactly as signed.
	Payload string
}

// Decode unmarshals the whole payload into v.
func (t *AppCheckToken) Decode(v any) error { return json.Unmarshal([]byte(t.Payload), v) }

// Header is the JOSE header of a token. Only the parameters that matter to a
// Firebase verifier are kept: jku, x5u, jwk and the like are never read, so
// nothing in a token can choose where its key comes from.
type Header struct {
	// Algorithm is the alg parameter.
	Algorithm string
	// KeyID is the kid parameter: the ID of the key in Google's key set.
	KeyID string
	// Type is the typ parameter ("JWT" on current tokens, absent on old ones).
	Type string
	// Critical is true when the header carries a crit parameter.
	Critical bool
}

// ValidationError says which claim broke which rule, with what was expected
// and what was found. It never contains the token itself. Package verify's
// errors for the header and claim rules are ValidationErrors wrapping the
// rule's sentinel, such as verify.ErrExpired.
type ValidationError struct {
	// Claim is the claim or header parameter at fault, such as "aud" or "alg".
	Claim string
	// Err is the sentinel for the rule, such as verify.ErrInvalidAudience.
	Err error
	// Expected and Actual describe the rule and the offending value; either
	// may be empty.
	Expected, Actual string
	// Hint tells a developer what to do about it; it may be empty.
	Hint string
}

// Error formats the failure as one lower-case line that starts with the
// rule's sentinel and names the claim: "verify: wrong audience: aud:
// expected "my-project", found "other-project" (hint)".
func (e *ValidationError) Error() string {
	var b bytes.Buffer
	b.WriteString(e.Err.Error())
	b.WriteString(": ")
	b.WriteString(e.Claim)
	if e.Expected != "" {
		b.WriteString(": expected ")
		b.WriteString(e.Expected)
	}
	if e.Actual != "" {
		if e.Expected != "" {
			b.WriteString(", found ")
		} else {
			b.WriteString(": found ")
		}
		b.WriteString(e.Actual)
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the rule's sentinel.
func (e *ValidationError) Unwrap() error { return e.Err }
