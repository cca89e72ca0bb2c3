package firebaseusers_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/firebaseusers"
	"github.com/fbverify/fbverify/verify/firebaseusers/firebaseuserstest"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// The production form: a service account key file (or, without one,
// Application Default Credentials), a TTL, and a staleness bound.
func ExampleNewChecker() {
	client, err := firebaseusers.NewClient("my-project", firebaseusers.ClientOptions{
		CredentialsFile: "service-account.json",
	})
	if err != nil {
		log.Fatal(err)
	}
	users, err := firebaseusers.NewChecker(client, firebaseusers.CheckerOptions{
		TTL:          30 * time.Second, // a revocation is seen within 30 s
		MaxStaleness: 2 * time.Minute,  // refuse everyone after 2 min without Firebase
		OnStale: func(ev firebaseusers.StaleEvent) {
			slog.Warn("firebase users check", "stale", ev.Stale, "last_success", ev.LastSuccess, "err", ev.Err)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	v, err := verify.New("my-project", verify.WithRevocationCheck(users.Check))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	http.Handle("/api/", v.Middleware()(http.NotFoundHandler()))
}

// A Checker asks Firebase about each user at most once per TTL; a
// revocation made in Firebase is refused once the TTL has passed.
func ExampleChecker() {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	// A stand-in for Firebase's Identity Toolkit API, on loopback.
	firebase := firebaseuserstest.NewServer("my-project")
	defer firebase.Close()
	firebase.AddUser("user-1")

	client, err := firebaseusers.NewClient("my-project", firebase.ClientOptions())
	if err != nil {
		log.Fatal(err)
	}
	users, err := firebaseusers.NewChecker(client, firebaseusers.CheckerOptions{TTL: 30 * time.Second, Now: clock})
	if err != nil {
		log.Fatal(err)
	}

	signer := verifytest.NewSigner("my-project", verifytest.WithClock(clock))
	v, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()),
		verify.WithClock(clock), verify.WithRevocationCheck(users.Check))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	token := signer.IDToken("user-1")
	for range 3 {
		_, err := v.Verify(context.Background(), token)
		fmt.Println("accepted:", err == nil)
	}
	fmt.Println("lookups:", firebase.Lookups())

	now = now.Add(time.Second)
	firebase.Revoke("user-1", now) // "revoke refresh tokens" in Firebase
	now = now.Add(30 * time.Second)
	_, err = v.Verify(context.Background(), token)
	fmt.Println("revoked:", errors.Is(err, verify.ErrRevoked))
	fmt.Println("lookups:", firebase.Lookups())
	// Output:
	// accepted: true
	// accepted: true
	// accepted: true
	// lookups: 1
	// revoked: true
	// lookups: 2
}
