package verify_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
)

func TestErrorCodesAreDistinct(t *testing.T) {
	seen := map[string]error{}
	for _, err := range []error{
		verify.ErrNoToken, verify.ErrBadAuthorizationHeader, verify.ErrTooLarge, verify.ErrMalformed,
		verify.ErrUnsupportedAlgorithm, verify.ErrInvalidKeyID, verify.ErrCriticalHeader, verify.ErrInvalidType,
		jwks.ErrUnknownKey, jwks.ErrKeysUnavailable, verify.ErrInvalidSignature, verify.ErrInvalidAudience,
		verify.ErrInvalidIssuer, verify.ErrInvalidSubject, verify.ErrInvalidExpiry, verify.ErrExpired,
		verify.ErrInvalidIssuedAt, verify.ErrIssuedInFuture, verify.ErrInvalidAuthTime, verify.ErrAuthTimeInFuture,
		verify.ErrInvalidTenant, verify.ErrRevoked, verify.ErrUserDisabled, verify.ErrRevocationCheckFailed,
	} {
		code := verify.ErrorCode(fmt.Errorf("wrapped: %w", err))
		if code == "" || code == "invalid_token" {
			t.Errorf("%v has no code of its own", err)
		}
		if prev, dup := seen[code]; dup {
			t.Errorf("%v and %v share code %q", prev, err, code)
		}
		seen[code] = err
	}
	if verify.ErrorCode(nil) != "" || verify.ErrorCode(errors.New("other")) != "invalid_token" {
		t.Error("ErrorCode of nil or a foreign error is wrong")
	}
}
