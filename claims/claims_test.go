package claims_test

import (
	"errors"
	"testing"

	"github.com/fbverify/fbverify/claims"
)

func TestValidationErrorMessage(t *testing.T) {
	rule := errors.New("verify: wrong audience")
	for _, c := range []struct {
		name string
		err  claims.ValidationError
		want string
	}{
		{"everything", claims.ValidationError{Claim: "aud", Err: rule, Expected: `"my-project"`, Actual: `"other-project"`, Hint: "check the project"},
			`verify: wrong audience: aud: expected "my-project", found "other-project" (check the project)`},
		{"expected only", claims.ValidationError{Claim: "aud", Err: rule, Expected: `"my-project"`},
			`verify: wrong audience: aud: expected "my-project"`},
		{"found only", claims.ValidationError{Claim: "aud", Err: rule, Actual: `"other-project"`},
			`verify: wrong audience: aud: found "other-project"`},
		{"hint only", claims.ValidationError{Claim: "aud", Err: rule, Hint: "check the project"},
			`verify: wrong audience: aud (check the project)`},
		{"the claim alone", claims.ValidationError{Claim: "aud", Err: rule},
			`verify: wrong audience: aud`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Fatalf("Error() = %q, want %q", got, c.want)
			}
			if !errors.Is(&c.err, rule) {
				t.Fatal("errors.Is does not find the rule's sentinel")
			}
		})
	}
}
