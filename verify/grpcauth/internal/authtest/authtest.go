// Package authtest is the fixture of this adapter's tests: a fake Firebase
// issuer on a fixed clock, a Verifier that fetches its keys over loopback
// HTTP, one that cannot reach any key, the tokens every test sends (valid,
// none, tampered, expired). Each adapter module has its own copy: a
// module cannot import another module's internal packages.
package authtest

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// ProjectID is the Firebase project of every fixture.
const ProjectID = "adapter-test"

// UID is the user of the valid token; handlers answer "hello <uid>".
const UID = "user-42"

// Now is the fixed time of the issuer's and the verifiers' clocks.
var Now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Fixture holds an issuer, verifiers wired to it, and the tokens.
type Fixture struct {
	// Signer is the fake issuer; its keys are served on loopback.
	Signer *verifytest.Signer
	// Verifier fetches the Signer's keys over loopback HTTP.
	Verifier *verify.Verifier
	// Unavailable is a verifier whose key source always fails, so every
	// token it judges gets an error for which verify.IsServerSide is true.
	Unavailable *verify.Verifier
	// Valid is an ID token for UID, valid at Now.
	Valid string
	// Tampered is Valid with its payload's uid changed and the original
	// signature kept.
	Tampered string
	// Expired was issued two hours before Now (it expired one hour ago).
	Expired string
}

// New builds a Fixture whose servers and verifiers close when t ends.
func New(t testing.TB) *Fixture {
	t.Helper()
	clock := func() time.Time { return Now }
	signer := verifytest.NewSigner(ProjectID, verifytest.WithClock(clock))
	t.Cleanup(signer.Close)
	v, err := signer.Verifier(verify.WithClock(clock))
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })
	down, err := verify.New(ProjectID, verify.WithKeySource(failingKeys{}), verify.WithClock(clock))
	if err != nil {
		t.Fatalf("verifier without keys: %v", err)
	}
	t.Cleanup(func() { _ = down.Close() })
	valid := signer.IDToken(UID, verifytest.Email("ada@example.com", true))
	return &Fixture{
		Signer:      signer,
		Verifier:    v,
		Unavailable: down,
		Valid:       valid,
		Tampered:    tamper(t, valid, UID, "admin"),
		Expired:     signer.IDToken(UID, verifytest.IssuedAt(Now.Add(-2*time.Hour))),
	}
}

// failingKeys is a key source that cannot reach its keys.
type failingKeys struct{}

func (failingKeys) PublicKey(context.Context, string) (*rsa.PublicKey, error) {
	return nil, fmt.Errorf("%w: authtest: key server down", jwks.ErrKeysUnavailable)
}

// tamper replaces from with to in token's payload and keeps the signature.
func tamper(t testing.TB, token, from, to string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("tamper: %d segments", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
	changed := strings.ReplaceAll(string(payload), `"`+from+`"`, `"`+to+`"`)
	if changed == string(payload) {
		t.Fatalf("tamper: %q not in the payload", from)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(changed))
	return strings.Join(parts, ".")
}

// Case is one request of the table every adapter test runs.
type Case struct {
	// Name names the case.
	Name string
	// Token is sent as "Bearer <Token>"; empty means no Authorization.
	Token string
	// WantUID is the uid the handler must see; empty when refused.
	WantUID string
	// WantCode is the verify.ErrorCode of the refusal; empty when accepted.
	WantCode string
}

// Cases returns the four requests: valid, no token, tampered, expired.
func (f *Fixture) Cases() []Case {
	return []Case{
		{Name: "valid token", Token: f.Valid, WantUID: UID},
		{Name: "no token", WantCode: "no_token"},
		{Name: "tampered token", Token: f.Tampered, WantCode: "invalid_signature"},
		{Name: "expired token", Token: f.Expired, WantCode: "token_expired"},
	}
}
