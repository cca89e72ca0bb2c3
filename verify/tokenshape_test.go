package verify_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fbverify/fbverify/verify"
)

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
