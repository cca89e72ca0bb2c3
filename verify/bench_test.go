package verify_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// Run with: go test ./verify -run xxx -bench . -cpu 1,2 -count 6
//
// BenchmarkFloor is what no verifier can avoid; BenchmarkVerify should stay
// within 10% of it. Rejections that need no RSA work must cost a small
// fraction of a verification.

// benchFixture is a typical Firebase token and a Verifier with warm keys.
type benchFixture struct {
	signer   *verifytest.Signer
	verifier *verify.Verifier
	token    string
}

var benchNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newBenchFixture(b *testing.B, opts ...verify.Option) benchFixture {
	b.Helper()
	s := verifytest.NewSigner("bench-project", verifytest.WithClock(func() time.Time { return benchNow }))
	base := []verify.Option{verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now)}
	v, err := verify.New("bench-project", append(base, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	tok := typicalToken(s)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	return benchFixture{signer: s, verifier: v, token: tok}
}

// typicalToken looks like what Firebase issues after an email sign-in.
func typicalToken(s *verifytest.Signer, opts ...verifytest.TokenOption) string {
	base := []verifytest.TokenOption{
		verifytest.Email("ada@example.com", true),
		verifytest.Claim("name", "Ada Lovelace"),
		verifytest.Claim("picture", "https://lh3.googleusercontent.com/a/ACg8ocK-example=s96-c"),
		verifytest.SignInProvider("password"),
	}
	return s.IDToken("Xk7pQ2rT9sVbW3yZ1aB4cD5eF6g2", append(base, opts...)...)
}

// BenchmarkFloor is the cost no verifier can avoid: SHA-256 of the signing
// input and one RSA-2048 PKCS#1 v1.5 verification with a parsed key.
func BenchmarkFloor(b *testing.B) {
	pub, input, sig := floorInputs(b)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		floor(b, pub, input, sig)
	}
}

// BenchmarkFloorParallel is BenchmarkFloor on every P.
func BenchmarkFloorParallel(b *testing.B) {
	pub, input, sig := floorInputs(b)
	b.ReportAllocs()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			floor(b, pub, input, sig)
		}
	})
}

func floorInputs(b *testing.B) (*rsa.PublicKey, []byte, []byte) {
	f := newBenchFixture(b)
	last := strings.LastIndexByte(f.token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(f.token[last+1:])
	if err != nil {
		b.Fatal(err)
	}
	return &f.signer.Key().Private.PublicKey, []byte(f.token[:last]), sig
}

func floor(b *testing.B, pub *rsa.PublicKey, input, sig []byte) {
	digest := sha256.Sum256(input)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkVerify is a warm verification of a typical token.
func BenchmarkVerify(b *testing.B) {
	f := newBenchFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := f.verifier.Verify(ctx, f.token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyParallel is BenchmarkVerify on every P: with -cpu 1,2 the
// ns/op should halve, as for BenchmarkFloorParallel.
func BenchmarkVerifyParallel(b *testing.B) {
	f := newBenchFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.verifier.Verify(ctx, f.token); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkVerifyCached is a hit in the verified-token cache: the claim
// rules and the revocation check, no parsing and no RSA.
func BenchmarkVerifyCached(b *testing.B) {
	f := newBenchFixture(b, verify.WithCache(1024), verify.WithRevocationCheck(allowAll))
	ctx := context.Background()
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := f.verifier.Verify(ctx, f.token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyCachedParallel is BenchmarkVerifyCached on every P, all
// hitting the same entry.
func BenchmarkVerifyCachedParallel(b *testing.B) {
	f := newBenchFixture(b, verify.WithCache(1024), verify.WithRevocationCheck(allowAll))
	ctx := context.Background()
	b.ReportAllocs()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.verifier.Verify(ctx, f.token); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func allowAll(context.Context, string) (verify.UserStatus, error) {
	return verify.UserStatus{}, nil
}

// BenchmarkReject times each way a token is refused. Only bad-signature
// does RSA work; the others must stay far below BenchmarkFloor.
func BenchmarkReject(b *testing.B) {
	f := newBenchFixture(b)
	s := f.signer
	last := strings.LastIndexByte(f.token, '.')
	badSig := f.token[:last+1] + strings.Repeat("A", len(f.token)-last-1)
	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"bad-signature", badSig, verify.ErrInvalidSignature},
		{"expired", typicalToken(s, verifytest.IssuedAt(benchNow.Add(-2*time.Hour))), verify.ErrExpired},
		{"wrong-aud", typicalToken(s, verifytest.Project("other-project")), verify.ErrInvalidAudience},
		{"unknown-kid", typicalToken(s, verifytest.Header("kid", "no-such-key")), jwks.ErrUnknownKey},
		{"malformed", f.token[:last] + "." + "!!!", verify.ErrMalformed},
		{"bad-json", s.Sign([]byte(`{"alg":"RS256","kid":"k"}`), []byte(`{"sub":"u","sub":"v"}`)), verify.ErrMalformed},
		{"oversized", f.token + strings.Repeat("A", verify.DefaultMaxTokenBytes), verify.ErrTooLarge},
	}
	ctx := context.Background()
	for _, c := range cases {
		if _, err := f.verifier.Verify(ctx, c.token); !errors.Is(err, c.want) {
			b.Fatalf("%s: %v, want %v", c.name, err, c.want)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := f.verifier.Verify(ctx, c.token); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// BenchmarkRejectParallel is the expired rejection on every P.
func BenchmarkRejectParallel(b *testing.B) {
	f := newBenchFixture(b)
	tok := typicalToken(f.signer, verifytest.IssuedAt(benchNow.Add(-2*time.Hour)))
	ctx := context.Background()
	b.ReportAllocs()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.verifier.Verify(ctx, tok); err == nil {
				b.Error("accepted")
				return
			}
		}
	})
}

// BenchmarkPaired measures the ratio to the floor that the targets are
// stated in, robustly on a busy machine: each iteration runs one floor
// operation and then one verification, timing each, so that both see the
// same load. It reports x-floor, the verification's time over the
// floor's; ns/op counts both operations.
func BenchmarkPaired(b *testing.B) {
	pub, input, sig := floorInputs(b)
	ctx := context.Background()
	run := func(name string, v *verify.Verifier, token string) {
		b.Run(name, func(b *testing.B) {
			var floorTime, verifyTime time.Duration
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				floor(b, pub, input, sig)
				t1 := time.Now()
				if _, err := v.Verify(ctx, token); err != nil {
					b.Fatal(err)
				}
				floorTime += t1.Sub(t0)
				verifyTime += time.Since(t1)
			}
			b.ReportMetric(float64(verifyTime)/float64(floorTime), "x-floor")
		})
	}
	f := newBenchFixture(b)
	run("Verify", f.verifier, f.token)
	c := newBenchFixture(b, verify.WithCache(1024), verify.WithRevocationCheck(allowAll))
	run("VerifyCached", c.verifier, c.token)
}
