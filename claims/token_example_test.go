package claims_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// A handler gets a *claims.Token from package verify (here from Verify;
// from verify.TokenFromContext behind the middleware). Typed fields hold
// the standard claims; Decode reads custom claims into a struct of yours.
func ExampleToken_Decode() {
	signer := verifytest.NewSigner("my-project")
	v, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()))
	if err != nil {
		panic(err)
	}
	tok, err := v.Verify(context.Background(), signer.IDToken("ada",
		verifytest.Email("ada@example.com", true), verifytest.Claim("roles", []string{"admin", "billing"})))
	if err != nil {
		panic(err)
	}
	var custom struct {
		Roles []string `json:"roles"`
	}
	if err := tok.Decode(&custom); err != nil {
		panic(err)
	}
	fmt.Println(tok.UID, tok.Email, tok.EmailVerified, tok.Firebase.SignInProvider)
	fmt.Println(tok.Identities()["email"], custom.Roles)
	// Output:
	// ada ada@example.com true password
	// [ada@example.com] [admin billing]
}

// json.Marshal writes a Token as the verified payload: every claim, custom
// ones included, under its Firebase name.
func ExampleToken_MarshalJSON() {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	signer := verifytest.NewSigner("my-project", verifytest.WithClock(clock))
	v, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()), verify.WithClock(clock))
	if err != nil {
		panic(err)
	}
	tok, err := v.Verify(context.Background(), signer.IDToken("ada", verifytest.Claim("admin", true)))
	if err != nil {
		panic(err)
	}
	out, err := json.Marshal(tok)
	fmt.Println(string(out), err)
	// Output:
	// {"admin":true,"aud":"my-project","auth_time":1795608000,"exp":1795611600,"firebase":{"identities":{},"sign_in_provider":"custom"},"iat":1795608000,"iss":"https://securetoken.google.com/my-project","sub":"ada","user_id":"ada"} <nil>
}
