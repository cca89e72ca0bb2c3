package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// What a handler written for the Admin SDK's auth.Token reads, and where
// it is in a claims.Token. The README's "Migrating from the Admin SDK"
// section is cut from this example.
func Example_migratingFromAdminSDK() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		panic(err)
	}
	defer v.Close()
	ctx := context.Background()
	idToken := signer.IDToken("alice", verifytest.Email("alice@example.com", true),
		verifytest.Claim("admin", true), verifytest.Claim("plan_id", 9007199254740993))

	// client.VerifyIDToken(ctx, idToken) becomes:
	tok, err := v.Verify(ctx, idToken)
	if err != nil {
		panic(err)
	}
	// token.UID, token.Firebase.SignInProvider: the same names.
	fmt.Println(tok.UID, tok.Firebase.SignInProvider)
	// token.AuthTime (int64 seconds) is a time.Time; so are IssuedAt and Expires.
	fmt.Println(tok.AuthTime.Before(tok.Expires))
	// token.Claims["admin"].(bool) becomes a struct of your claims:
	var custom struct {
		Admin bool `json:"admin"`
	}
	if err := tok.Decode(&custom); err != nil {
		panic(err)
	}
	fmt.Println(custom.Admin)
	// or a map, whose numbers are json.Number, so large IDs keep every digit:
	all, err := tok.Map()
	if err != nil {
		panic(err)
	}
	fmt.Println(all["plan_id"].(json.Number))
	// token.Firebase.Identities (map[string]interface{}) is typed:
	fmt.Println(tok.Identities()["email"])

	// auth.IsIDTokenExpired(err) and friends become errors.Is:
	expired := signer.IDToken("alice", verifytest.IssuedAt(time.Now().Add(-2*time.Hour)))
	_, err = v.Verify(ctx, expired)
	fmt.Println(errors.Is(err, verify.ErrExpired), verify.ErrorCode(err))
	// Output:
	// alice password
	// true
	// true
	// 9007199254740993
	// [alice@example.com]
	// true token_expired
}

// VerifyIDTokenAndCheckRevoked calls Google on every request; here the
// check asks your own store, after every other rule passed.
func Example_migratingRevocationCheck() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	revokedAt := map[string]time.Time{"alice": time.Now().Add(time.Minute)} // your "tokens valid after"
	check := func(ctx context.Context, uid string) (verify.UserStatus, error) {
		return verify.UserStatus{ValidAfter: revokedAt[uid]}, nil
	}
	v, err := signer.Verifier(verify.WithRevocationCheck(check))
	if err != nil {
		panic(err)
	}
	defer v.Close()

	_, err = v.Verify(context.Background(), signer.IDToken("alice"))
	fmt.Println(errors.Is(err, verify.ErrRevoked)) // auth.IsIDTokenRevoked(err)
	var tok *claims.Token
	tok, err = v.Verify(context.Background(), signer.IDToken("bob"))
	fmt.Println(tok.UID, err)
	// Output:
	// true
	// bob <nil>
}
