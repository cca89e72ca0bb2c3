package verify_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// benchFixture is a typical Firebase token and a Verifier with warm keys.
type benchFixture struct {
	signer   *verifytest.Signer
	verifier *verify.Verifier
	token    string
}

func newBenchFixture(b *testing.B) benchFixture {
	b.Helper()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := verifytest.NewSigner("bench-project", verifytest.WithClock(func() time.Time { return now }))
	v, err := verify.New("bench-project", verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now))
	if err != nil {
		b.Fatal(err)
	}
	tok := s.IDToken("uid-1234567890abcdefghij",
		verifytest.Email("ada@example.com", true),
		verifytest.Claim("name", "Ada Lovelace"),
		verifytest.Claim("picture", "https://example.com/ada.png"),
	)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	return benchFixture{signer: s, verifier: v, token: tok}
}

// BenchmarkFloor is the cost no verifier can avoid: SHA-256 of the signing
// input and one RSA-2048 PKCS#1 v1.5 verification with a parsed key.
func BenchmarkFloor(b *testing.B) {
	f := newBenchFixture(b)
	last := strings.LastIndexByte(f.token, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(f.token[last+1:])
	pub := &f.signer.Key().Private.PublicKey
	input := []byte(f.token[:last])
	b.ReportAllocs()
	for b.Loop() {
		digest := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is a warm verification of a typical token.
func BenchmarkVerify(b *testing.B) {
	f := newBenchFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.verifier.Verify(ctx, f.token); err != nil {
			b.Fatal(err)
		}
	}
}
