package verify_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
)

// TestPublicMessages pins the fixed text WriteError shows a client for
// each rule: it names the rule and nothing of the token, the key endpoint
// or the package, however the error was wrapped.
func TestPublicMessages(t *testing.T) {
	for _, c := range []struct {
		err           error
		code, message string
	}{
		{verify.ErrNoToken, "no_token", "no token"},
		{verify.ErrTooLarge, "token_too_large", "token too large"},
		{verify.ErrMalformed, "malformed_token", "malformed token"},
		{jwks.ErrUnknownKey, "unknown_key", "unknown key ID"},
		{jwks.ErrKeysUnavailable, "keys_unavailable", "keys unavailable"},
		{verify.ErrInvalidSignature, "invalid_signature", "invalid signature"},
		{verify.ErrExpired, "token_expired", "token expired"},
		{verify.ErrIssuedInFuture, "issued_in_future", "token issued in the future"},
		{verify.ErrRevoked, "token_revoked", "token revoked"},
		{verify.ErrRevocationCheckFailed, "revocation_check_failed", "revocation check failed"},
		{fmt.Errorf("some other failure"), "invalid_token", "invalid token"},
	} {
		wrapped := fmt.Errorf("outer context: %w: inner detail at https://example.test/keys", c.err)
		rec := httptest.NewRecorder()
		verify.WriteError(rec, nil, wrapped)
		var body struct{ Code, Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%v: body %q: %v", c.err, rec.Body, err)
		}
		if body.Code != c.code || body.Message != c.message {
			t.Errorf("%v: code %q message %q, want %q %q", c.err, body.Code, body.Message, c.code, c.message)
		}
	}
}
