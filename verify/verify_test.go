package verify_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
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
