package verify_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// Say why a token is refused: its kind, the project it names, and every
// rule that fails, each with a fix. Here an expired token of another
// project breaks two rules; Verify would report the first only.
func ExampleVerifier_Explain() {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	signer := verifytest.NewSigner("my-project", verifytest.WithClock(func() time.Time { return now }))
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		panic(err)
	}
	defer v.Close()

	token := signer.IDToken("alice", verifytest.Project("staging-project"), verifytest.IssuedAt(now.Add(-4*time.Hour)))
	rep := v.Explain(context.Background(), token)
	fmt.Println(rep.Kind, rep.Project, rep.OtherProject, rep.Valid, rep.Code)
	for _, r := range rep.Rules {
		if r.Outcome == verify.Fail {
			fmt.Printf("%s (first: %v): found %s\n", r.Rule, r.First, strings.TrimSpace(r.Found+" "+r.When))
			fmt.Printf("  fix: %s\n", r.Fix)
		}
	}
	// Output:
	// firebase_id_token staging-project true false invalid_audience
	// aud (first: true): found "staging-project"
	//   fix: Use the same Firebase project in the client app's config and on this server, or accept the token's project too (WithExtraProjects).
	// exp (first: false): found 2026-11-25T09:00:00Z expired 3 h ago
	//   fix: Get a fresh ID token from the client SDK (user.getIdToken() refreshes it every hour) and retry.
}

// Name a token of another kind and say what to send instead: here a
// custom token, which a client exchanges for an ID token.
func ExampleVerifier_Explain_otherKind() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		panic(err)
	}
	defer v.Close()
	custom := signer.Sign([]byte(`{"alg":"RS256","typ":"JWT"}`), []byte(`{"aud":"`+verify.CustomTokenAudience+`","iss":"sa@my-project.iam.gserviceaccount.com","uid":"alice"}`))
	rep := v.Explain(context.Background(), custom)
	fmt.Println(rep.Kind, rep.Project)
	fmt.Println(rep.SendInstead)
	// Output:
	// firebase_custom_token my-project
	// This is a custom token, which your server mints for signing in: the client passes it to signInWithCustomToken(auth, token), then sends the user's Firebase ID token, from user.getIdToken() in the client SDK.
}
