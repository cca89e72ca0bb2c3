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

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		name, value, token string
		err                error
	}{
		{"bearer", "Bearer abc.def.ghi", "abc.def.ghi", nil},
		{"scheme in any case", "bEARER abc.def.ghi", "abc.def.ghi", nil},
		{"several spaces after the scheme", "Bearer   abc.def.ghi", "abc.def.ghi", nil},
		{"optional whitespace around the value", " \tBearer abc.def.ghi \t", "abc.def.ghi", nil},
		{"empty", "", "", verify.ErrNoToken},
		{"only whitespace", " \t ", "", verify.ErrNoToken},
		{"other scheme", "Basic dXNlcjpwYXNz", "", verify.ErrBadAuthorizationHeader},
		{"scheme alone", "Bearer", "", verify.ErrBadAuthorizationHeader},
		{"scheme and spaces", "Bearer    ", "", verify.ErrBadAuthorizationHeader},
		{"two words", "Bearer abc def", "", verify.ErrBadAuthorizationHeader},
		{"tab inside", "Bearer abc\tdef", "", verify.ErrBadAuthorizationHeader},
		{"scheme glued to token", "Bearerabc.def.ghi", "", verify.ErrBadAuthorizationHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := verify.ParseAuthorization(tt.value)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || token != tt.token {
				t.Fatalf("got %q, %v; want %q", token, err, tt.token)
			}
		})
	}
}
