package verify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// Verify a token and branch on the rule that refused it. In production,
// verify.New("your-project") alone fetches Google's keys; here a fake
// issuer serves its keys on loopback.
func ExampleVerifier_Verify() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	v, err := verify.New("my-project", verify.WithKeySource(signer.Remote(jwks.RemoteOptions{})))
	if err != nil {
		panic(err)
	}

	tok, err := v.Verify(context.Background(), signer.IDToken("alice", verifytest.Email("alice@example.com", true)))
	fmt.Println(tok.UID, tok.Email, err)

	expired := signer.IDToken("alice", verifytest.IssuedAt(time.Now().Add(-2*time.Hour)))
	_, err = v.Verify(context.Background(), expired)
	fmt.Println(errors.Is(err, verify.ErrExpired), verify.ErrorCode(err))
	// Output:
	// alice alice@example.com <nil>
	// true token_expired
}

// Protect handlers with the middleware and read the user in them.
func ExampleVerifier_Middleware() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		panic(err)
	}
	whoami := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := verify.TokenFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", tok.UID)
	})
	app := httptest.NewServer(v.Middleware()(whoami))
	defer app.Close()

	for _, token := range []string{signer.IDToken("bob"), ""} {
		req, _ := http.NewRequest(http.MethodGet, app.URL, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body))
	}
	// Output:
	// 200  hello bob
	// 401 Bearer {"error":"unauthorized","code":"no_token","message":"no token"}
}

// Test your service airgapped: a static key source and a fixed clock, no
// HTTP at all.
func Example_airgapped() {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	signer := verifytest.NewSigner("my-project", verifytest.WithClock(clock))
	v, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()), verify.WithClock(clock))
	if err != nil {
		panic(err)
	}
	token := signer.IDToken("carol", verifytest.Claim("admin", true), verifytest.Tenant("team-a"))
	tok, err := v.Verify(context.Background(), token)
	if err != nil {
		panic(err)
	}
	var custom struct {
		Admin bool `json:"admin"`
	}
	if err := tok.Decode(&custom); err != nil {
		panic(err)
	}
	fmt.Println(tok.UID, tok.Firebase.Tenant, custom.Admin, tok.Expires.Format(time.RFC3339))

	_, err = v.Verify(context.Background(), signer.IDToken("carol", verifytest.Project("other-project")))
	fmt.Println(err)
	// Output:
	// carol team-a true 2026-11-25T13:00:00Z
	// verify: wrong audience: aud: expected "my-project", found "other-project" (the token was issued for another Firebase project; make sure the client app and this server use the same project)
}

// Verify session cookies, read from a cookie by the middleware.
func ExampleNewSessionCookieVerifier() {
	signer := verifytest.NewSigner("my-project")
	v, err := verify.NewSessionCookieVerifier("my-project", verify.WithKeySource(signer.KeySource()))
	if err != nil {
		panic(err)
	}
	_ = v.Middleware(verify.FromCookie("__session")) // wrap your handlers with it

	_, err = v.Verify(context.Background(), signer.SessionCookie("dave"))
	fmt.Println(err)
	_, err = v.Verify(context.Background(), signer.IDToken("dave"))
	fmt.Println(verify.ErrorCode(err))
	// Output:
	// <nil>
	// invalid_issuer
}
