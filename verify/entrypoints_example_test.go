package verify_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// The production form: New with the project ID alone fetches Google's keys
// (on first use, then cached), and Close stops that key source. The claim
// rules run before any key is looked up, so a token for another project
// is refused here without a fetch.
func ExampleNew() {
	v, err := verify.New("my-project")
	if err != nil {
		panic(err)
	}
	defer v.Close()
	// In a service: http.Handle("/api/", v.Middleware()(apiHandler))
	_ = v.Middleware()(http.NotFoundHandler())

	otherProject := verifytest.NewSigner("other-project").IDToken("alice")
	_, err = v.Verify(context.Background(), otherProject)
	fmt.Println(verify.ErrorCode(err))
	// Output:
	// invalid_audience
}

// The test form: a verifytest.Signer mints the tokens and is the key
// source, with a fixed clock; nothing leaves the process.
func ExampleNew_testing() {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	signer := verifytest.NewSigner("my-project", verifytest.WithClock(clock))
	v, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()), verify.WithClock(clock))
	if err != nil {
		panic(err)
	}
	defer v.Close()

	tok, err := v.Verify(context.Background(), signer.IDToken("alice"))
	fmt.Println(tok.UID, tok.IssuedAt.Format(time.RFC3339), err)
	// Output:
	// alice 2026-11-25T12:00:00Z <nil>
}

// App Check tokens: NewAppCheck takes the project number and ID, and in
// production fetches the App Check keys itself:
//
//	ac, err := verify.NewAppCheck(verify.AppCheckProject{Number: "123456789012", ID: "my-project"})
//	defer ac.Close()
//
// Here the fake issuer is the key source.
func ExampleNewAppCheck() {
	signer := verifytest.NewSigner("my-project")
	ac, err := verify.NewAppCheck(verify.AppCheckProject{Number: "123456789012", ID: "my-project"}, verify.WithKeySource(signer.KeySource()))
	if err != nil {
		panic(err)
	}
	defer ac.Close()

	tok, err := ac.Verify(context.Background(), signer.AppCheckToken("123456789012", "1:123456789012:web:abc"))
	fmt.Println(tok.AppID, err)
	otherProject := verifytest.NewSigner("other-project").AppCheckToken("999999999999", "1:999999999999:web:abc")
	_, err = ac.Verify(context.Background(), otherProject)
	fmt.Println(verify.ErrorCode(err))
	// Output:
	// 1:123456789012:web:abc <nil>
	// invalid_audience
}

// Optional lets anonymous requests through; a handler then checks ok
// before reading the token. LogRefusals says in the server's log why a
// request was refused (never the token itself).
func ExampleOptional() {
	signer := verifytest.NewSigner("my-project")
	v, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()))
	if err != nil {
		panic(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	}))
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := verify.TokenFromContext(r.Context()); ok {
			fmt.Fprintf(w, "hello %s", tok.UID)
			return
		}
		fmt.Fprint(w, "hello stranger")
	})
	h := v.Middleware(verify.Optional(), verify.LogRefusals(logger))(hello)

	for _, token := range []string{"", signer.IDToken("erin"), signer.IDToken("erin", verifytest.Project("other-project"))} {
		req := httptest.NewRequest(http.MethodGet, "/hello", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 hello stranger
	// 200 hello erin
	// level=INFO msg="verify: request refused" method=GET path=/hello code=invalid_audience error="verify: wrong audience: aud: expected \"my-project\", found \"other-project\" (the token was issued for another Firebase project; make sure the client app and this server use the same project)"
	// 401 {"error":"invalid_token","code":"invalid_audience","message":"wrong audience"}
}
