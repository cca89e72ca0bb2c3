package verify_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

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
