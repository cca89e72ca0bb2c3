package claims_test

import (
	"fmt"
	"time"

	"github.com/fbverify/fbverify/claims"
)

// Parse reads a payload (already base64url decoded and, in real use,
// already signature-checked by package verify) into typed claims; Validate
// applies the rules at a given time.
func ExampleParse() {
	payload := []byte(`{"iss":"https://securetoken.google.com/my-project","aud":"my-project",` +
		`"auth_time":1764070000,"sub":"u-42","iat":1764070000,"exp":1764073600,` +
		`"email":"ada@example.com","email_verified":true,"admin":true,` +
		`"firebase":{"identities":{"email":["ada@example.com"]},"sign_in_provider":"password"}}`)
	tok, err := claims.Parse(payload)
	if err != nil {
		fmt.Println(err)
		return
	}
	want := claims.Expected{ProjectIDs: []string{"my-project"}, IssuerPrefix: claims.IDTokenIssuerPrefix,
		Leeway: time.Minute, MaxLifetime: time.Hour}
	if err := claims.Validate(tok, want, time.Unix(1764071000, 0)); err != nil {
		fmt.Println(err)
		return
	}
	var custom struct {
		Admin bool `json:"admin"`
	}
	if err := tok.Decode(&custom); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.UID, tok.Email, tok.Firebase.SignInProvider)
	fmt.Println(tok.Firebase.Identities()["email"], custom.Admin)
	// Output:
	// u-42 ada@example.com password
	// [ada@example.com] true
}
