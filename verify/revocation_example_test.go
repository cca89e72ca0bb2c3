package verify_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// A RevocationCache asks the service's own store about each user at most
// once per TTL; Invalidate makes a revocation take effect at once.
func ExampleRevocationCache() {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	// The service's user table, and the query that reads it.
	validAfter := map[string]time.Time{}
	queries := 0
	lookup := func(ctx context.Context, uid string) (verify.UserStatus, error) {
		queries++
		return verify.UserStatus{ValidAfter: validAfter[uid]}, nil
	}
	users := verify.NewRevocationCache(lookup, verify.RevocationCacheOptions{
		TTL: 30 * time.Second, MaxEntries: 100000, Now: clock,
	})

	signer := verifytest.NewSigner("my-project", verifytest.WithClock(clock))
	v, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()),
		verify.WithClock(clock), verify.WithRevocationCheck(users.Check))
	if err != nil {
		panic(err)
	}
	defer v.Close()

	token := signer.IDToken("user-1")
	for range 3 {
		_, err := v.Verify(context.Background(), token)
		fmt.Println("accepted:", err == nil)
	}
	fmt.Println("queries:", queries)

	now = now.Add(time.Second)
	validAfter["user-1"] = now // an admin revokes user-1's sessions...
	users.Invalidate("user-1") // ...and the change is pushed to this instance
	_, err = v.Verify(context.Background(), token)
	fmt.Println("revoked:", errors.Is(err, verify.ErrRevoked))
	fmt.Println("queries:", queries)
	// Output:
	// accepted: true
	// accepted: true
	// accepted: true
	// queries: 1
	// revoked: true
	// queries: 2
}
