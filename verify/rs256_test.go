package verify_test

import (
	"context"
	"crypto/rsa"
	"math/big"
	"strings"
	"testing"

	"github.com/fbverify/fbverify/verify"
)

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
