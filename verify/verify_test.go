package verify_test

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
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

// TestDecodingErrorsKeepTheirPlace checks that decoding every segment up
// front (the hot path's single buffer) reports each fault where the checks
// always reported it: bad bytes first, a bad signature encoding only after
// the key lookup.
func TestDecodingErrorsKeepTheirPlace(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := verifytest.NewSigner("hotpath-project", verifytest.WithClock(func() time.Time { return now }))
	v, err := verify.New("hotpath-project", verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now))
	if err != nil {
		t.Fatal(err)
	}
	good := s.IDToken("u1")
	first, last := strings.IndexByte(good, '.'), strings.LastIndexByte(good, '.')
	unknownKid := s.IDToken("u1", verifytest.Header("kid", "nope"))
	uLast := strings.LastIndexByte(unknownKid, '.')
	sig, err := base64.RawURLEncoding.DecodeString(good[last+1:])
	if err != nil {
		t.Fatal(err)
	}
	shortSig := base64.RawURLEncoding.EncodeToString(sig[:200])
	tests := []struct {
		name    string
		token   string
		want    error
		message string
	}{
		{"bad byte in the signature", good[:last+3] + "*" + good[last+4:], verify.ErrMalformed, `character '*' at offset`},
		{"bad byte beats an unknown kid", unknownKid[:uLast+3] + "*" + unknownKid[uLast+4:], verify.ErrMalformed, "character '*'"},
		{"bad byte beats a segment count", good + ".x*", verify.ErrMalformed, "character '*'"},
		{"newline", good[:first+4] + "\n" + good[first+4:], verify.ErrMalformed, `character '\n'`},
		{"carriage return", good[:last+4] + "\r" + good[last+4:], verify.ErrMalformed, `character '\r'`},
		{"padding", good + "==", verify.ErrMalformed, "character '='"},
		{"four segments", good + ".abc", verify.ErrMalformed, "4 segments"},
		{"non-canonical signature after the key lookup", unknownKid[:len(unknownKid)-1] + "B", jwks.ErrUnknownKey, ""},
		{"non-canonical signature", good[:len(good)-1] + "B", verify.ErrMalformed, "signature is not canonical"},
		{"short signature", good[:last+1] + shortSig, verify.ErrInvalidSignature, "200-byte signature"},
		{"empty payload", good[:first+1] + good[last:], verify.ErrMalformed, "empty payload"},
		{"empty header", good[first:], verify.ErrMalformed, "empty header"},
		{"empty signature", good[:last+1], verify.ErrMalformed, "empty signature"},
		{"non-canonical payload", good[:last-1] + "_" + good[last:], verify.ErrMalformed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tt.token)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.message) {
				t.Errorf("Verify = %v, want %v with %q", err, tt.want, tt.message)
			}
		})
	}
	// The pooled buffer must not leak one token's bytes into another's
	// claims: verify two tokens in turn, many times.
	other := s.IDToken("u2-with-a-longer-uid", verifytest.Email("x@example.com", false))
	for i := 0; i < 20; i++ {
		for _, c := range []struct{ token, uid string }{{good, "u1"}, {other, "u2-with-a-longer-uid"}} {
			tok, err := v.Verify(context.Background(), c.token)
			if err != nil || tok.UID != c.uid {
				t.Fatalf("Verify = %v, %v; want uid %q", tok, err, c.uid)
			}
		}
	}
}

// TestLongPayloads checks the two-step decoding of payloads longer than
// 4 KiB of base64url: a genuine long token is accepted; a start that
// decides is refused as malformed before the rest is decoded, yet a header
// fault or a byte outside the alphabet comes first as always.
func TestLongPayloads(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := verifytest.NewSigner("long-project", verifytest.WithClock(func() time.Time { return now }))
	v, err := verify.New("long-project", verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now))
	if err != nil {
		t.Fatal(err)
	}
	// A long custom claim: the payload is about 6 KiB of base64url.
	long := s.IDToken("uid-1", verifytest.Claim("note", strings.Repeat("n", 4500)))
	parts := strings.Split(long, ".")
	if len(parts[1]) < 5<<10 {
		t.Fatalf("payload of %d characters, want more than 5 KiB", len(parts[1]))
	}
	header, sig := parts[0], parts[2]
	other := s.IDToken("uid-2", verifytest.Claim("note", strings.Repeat("n", 4500)))
	impossible := parts[1]
	for len(impossible)%4 != 1 {
		impossible += "A"
	}
	enc := base64.RawURLEncoding.EncodeToString
	var members strings.Builder
	members.WriteString(`{"sub":"uid-1"`)
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&members, `,"k%03d":0`, i)
	}
	members.WriteString("}")
	junk := enc([]byte(members.String()))
	badHeader := enc([]byte(`{"alg":"HS256","kid":"x"}`))
	for _, c := range []struct {
		name  string
		token string
		want  error
		text  string
	}{
		{"a genuine long token", long, nil, ""},
		{"another long payload", header + "." + strings.Split(other, ".")[1] + "." + sig, verify.ErrInvalidSignature, ""},
		{"too many members", header + "." + junk + "." + sig, verify.ErrMalformed, "more than 256 members"},
		{"too many members, bad header", badHeader + "." + junk + "." + sig, verify.ErrUnsupportedAlgorithm, ""},
		{"too many members, a bad byte after 4 KiB", header + "." + junk[:5000] + "+" + junk[5001:] + "." + sig, verify.ErrMalformed, "more than 256 members"},
		{"a bad byte after 4 KiB, bad header", badHeader + "." + junk[:5000] + "+" + junk[5001:] + "." + sig, verify.ErrMalformed, "not base64url"},
		{"a bad byte after 4 KiB", header + "." + parts[1][:5000] + "+" + parts[1][5001:] + "." + sig, verify.ErrMalformed, "not base64url"},
		{"an impossible length", header + "." + impossible + "." + sig, verify.ErrMalformed, "not canonical base64url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), c.token)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want accepted", err)
				}
				return
			}
			if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.text) {
				t.Fatalf("Verify = %v, want %v saying %q", err, c.want, c.text)
			}
		})
	}
}

// TestLargeTokens covers tokens too long for the buffer pool
// (WithMaxTokenBytes raised), whose buffer grows once the payload's start
// passes: a genuine one is accepted, a tampered one refused, junk refused.
func TestLargeTokens(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := verifytest.NewSigner("long-project", verifytest.WithClock(func() time.Time { return now }))
	v, err := verify.New("long-project", verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now), verify.WithMaxTokenBytes(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	big := s.IDToken("uid-1", verifytest.Claim("note", strings.Repeat("n", 200<<10)))
	if _, err := v.Verify(context.Background(), big); err != nil {
		t.Fatalf("a genuine 270 KiB token: %v", err)
	}
	parts := strings.Split(big, ".")
	other := strings.Split(s.IDToken("uid-2", verifytest.Claim("note", strings.Repeat("n", 200<<10))), ".")
	if _, err := v.Verify(context.Background(), parts[0]+"."+other[1]+"."+parts[2]); !errors.Is(err, verify.ErrInvalidSignature) {
		t.Fatalf("another payload under the signature: %v, want ErrInvalidSignature", err)
	}
	var members strings.Builder
	members.WriteString("{")
	for i := 0; i < 30000; i++ {
		fmt.Fprintf(&members, `"k%05d":0,`, i)
	}
	members.WriteString(`"x":0}`)
	junk := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(members.String())) + "." + parts[2]
	if _, err := v.Verify(context.Background(), junk); !errors.Is(err, verify.ErrMalformed) || !strings.Contains(err.Error(), "more than 256 members") {
		t.Fatalf("junk: %v, want ErrMalformed for too many members", err)
	}
}

// Verify takes a token exactly: a pasted "Bearer " scheme and whitespace
// around the token are refused, and the error names the mistake.
func TestVerifyNamesCommonPasteMistakes(t *testing.T) {
	s := newSigner()
	defer s.Close()
	v := newVerifier(t, s)
	tok := s.IDToken("u1")
	tests := []struct {
		name, token, want string
	}{
		{"Bearer scheme", "Bearer " + tok, `starts with "Bearer "`},
		{"lower-case scheme", "bearer " + tok, `starts with "bearer "`},
		{"whole Authorization line", "Authorization: Bearer " + tok, "whole Authorization header line"},
		{"whole authorization line, no space", "authorization:Bearer " + tok, "whole Authorization header line"},
		{"leading space", " " + tok, "whitespace around the token at offset 0"},
		{"trailing newline", tok + "\n", "whitespace around the token"},
		{"trailing tab", tok + "\t", "whitespace around the token"},
		{"space inside", tok[:12] + " " + tok[12:], `character ' ' at offset 12 is not base64url`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tt.token)
			if !errors.Is(err, verify.ErrMalformed) {
				t.Fatalf("err %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %q does not say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tok[20:60]) {
				t.Fatalf("err %q echoes the token", err)
			}
		})
	}
}

// funcKeys is a custom key source made of a function.
type funcKeys func(kid string) *rsa.PublicKey

func (f funcKeys) PublicKey(_ context.Context, kid string) (*rsa.PublicKey, error) {
	return f(kid), nil
}

// TestSignatureWithCustomKeySources checks the prepared-key path with key
// sources that are neither jwks.Static nor jwks.Remote: one that hands out
// a new *rsa.PublicKey on every lookup, and ones that return keys
// crypto/rsa refuses, which must fail as a bad signature, not panic.
func TestSignatureWithCustomKeySources(t *testing.T) {
	s := newSigner()
	key := &s.Key().Private.PublicKey
	good := s.IDToken("u1")
	last := strings.LastIndexByte(good, '.')
	tampered := good[:last+1] + flipChar(good[last+1:], 10)
	tests := []struct {
		name  string
		keys  funcKeys
		token string
		want  error
	}{
		{"fresh copy per lookup", func(string) *rsa.PublicKey { return &rsa.PublicKey{N: new(big.Int).Set(key.N), E: key.E} }, good, nil},
		{"fresh copy per lookup, tampered", func(string) *rsa.PublicKey { return &rsa.PublicKey{N: new(big.Int).Set(key.N), E: key.E} }, tampered, verify.ErrInvalidSignature},
		{"nil key", func(string) *rsa.PublicKey { return nil }, good, verify.ErrInvalidSignature},
		{"no modulus", func(string) *rsa.PublicKey { return &rsa.PublicKey{E: 65537} }, good, verify.ErrInvalidSignature},
		{"even exponent", func(string) *rsa.PublicKey { return &rsa.PublicKey{N: key.N, E: 65536} }, good, verify.ErrInvalidSignature},
		{"exponent 1", func(string) *rsa.PublicKey { return &rsa.PublicKey{N: key.N, E: 1} }, good, verify.ErrInvalidSignature},
		{"exponent above 2^31-1", func(string) *rsa.PublicKey { return &rsa.PublicKey{N: key.N, E: 1<<31 + 1} }, good, verify.ErrInvalidSignature},
		{"even modulus", func(string) *rsa.PublicKey {
			return &rsa.PublicKey{N: new(big.Int).Add(key.N, big.NewInt(1)), E: key.E}
		}, good, verify.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, s, verify.WithKeySource(tt.keys))
			for i := 0; i < 3; i++ { // the second and third lookups may hit a cache
				_, err := v.Verify(context.Background(), tt.token)
				if tt.want == nil && err != nil {
					t.Fatalf("Verify = %v, want success", err)
				}
				if tt.want != nil {
					mustFail(t, err, tt.want)
				}
			}
		})
	}
}

// TestSignatureAcrossKinds checks that ID tokens, session cookies and App
// Check tokens all verify through the same check: valid ones pass, and
// one changed signature character fails each with ErrInvalidSignature.
func TestSignatureAcrossKinds(t *testing.T) {
	s := newSigner()
	ctx := context.Background()
	const number = "123456789012"
	ids := newVerifier(t, s)
	cookies := newCookieVerifier(t, s)
	appCheck, err := verify.NewAppCheck(verify.AppCheckProject{Number: number, ID: project}, verify.WithKeySource(s.KeySource()), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	kinds := []struct {
		name   string
		token  string
		verify func(string) error
	}{
		{"ID token", s.IDToken("u1"), func(tok string) error { _, err := ids.Verify(ctx, tok); return err }},
		{"session cookie", s.SessionCookie("u1"), func(tok string) error { _, err := cookies.Verify(ctx, tok); return err }},
		{"App Check", s.AppCheckToken(number, "1:123456789012:web:abc"), func(tok string) error { _, err := appCheck.Verify(ctx, tok); return err }},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			if err := k.verify(k.token); err != nil {
				t.Fatalf("valid: %v", err)
			}
			last := strings.LastIndexByte(k.token, '.')
			mustFail(t, k.verify(k.token[:last+1]+flipChar(k.token[last+1:], 20)), verify.ErrInvalidSignature)
		})
	}
}

// flipChar changes the base64url character at i of seg to another one.
func flipChar(seg string, i int) string {
	c := byte('A')
	if seg[i] == 'A' {
		c = 'B'
	}
	return seg[:i] + string(c) + seg[i+1:]
}
