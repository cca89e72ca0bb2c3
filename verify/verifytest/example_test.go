package verifytest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// A Signer is a fake Firebase issuer: Verifier wires a verifier to its key
// server on loopback (the whole production path), and its minting
// methods make the tokens, good or bad.
func ExampleSigner() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		panic(err)
	}
	defer v.Close()

	tok, err := v.Verify(context.Background(), signer.IDToken("alice", verifytest.Claim("admin", true)))
	fmt.Println(tok.UID, err)
	_, err = v.Verify(context.Background(), signer.IDToken("alice", verifytest.SignedBy(verifytest.GenerateKey())))
	fmt.Println(verify.ErrorCode(err))
	fmt.Println(signer.Requests() > 0)
	// Output:
	// alice <nil>
	// unknown_key
	// true
}

// KeySource gives the Signer's keys without HTTP; with WithClock on both
// sides, a test decides what time it is.
func ExampleSigner_KeySource() {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	signer := verifytest.NewSigner("my-project", verifytest.WithClock(clock))
	v, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()), verify.WithClock(clock))
	if err != nil {
		panic(err)
	}
	token := signer.IDToken("bob")
	now = now.Add(2 * time.Hour)
	_, err = v.Verify(context.Background(), token)
	fmt.Println(verify.ErrorCode(err))
	// Output:
	// token_expired
}

// Rotate publishes a new signing key beside the old one, as Google does.
func ExampleSigner_Rotate() {
	signer := verifytest.NewSigner("my-project")
	old := signer.IDToken("carol")
	signer.Rotate()
	v, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()))
	if err != nil {
		panic(err)
	}
	_, errOld := v.Verify(context.Background(), old)
	_, errNew := v.Verify(context.Background(), signer.IDToken("carol"))
	fmt.Println(errOld, errNew)

	signer.RetireOldKeys()
	v, _ = verify.New("my-project", verify.WithKeySource(signer.KeySource()))
	_, errOld = v.Verify(context.Background(), old)
	fmt.Println(verify.ErrorCode(errOld))
	// Output:
	// <nil> <nil>
	// unknown_key
}
