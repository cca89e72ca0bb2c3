package verify_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// A Verifier with a cache serves a token it has verified before without
// parsing it or checking its signature again, but never past its expiry.
func ExampleWithCache() {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	signer := verifytest.NewSigner("my-project", verifytest.WithClock(clock))
	v, err := verify.New("my-project",
		verify.WithKeySource(signer.KeySource()), verify.WithClock(clock), verify.WithCache(10000))
	if err != nil {
		panic(err)
	}
	token := signer.IDToken("user-1")
	for i := 0; i < 2; i++ { // the second call is a cache hit
		tok, err := v.Verify(context.Background(), token)
		fmt.Println(tok.UID, err)
	}
	now = now.Add(2 * time.Hour)
	_, err = v.Verify(context.Background(), token)
	fmt.Println(errors.Is(err, verify.ErrExpired))
	// Output:
	// user-1 <nil>
	// user-1 <nil>
	// true
}
