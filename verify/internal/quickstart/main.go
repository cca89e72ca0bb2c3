// Command quickstart is the README's first snippet, whole: a service that
// accepts only requests with a valid Firebase ID token of its project.
// It is compiled and its handler tested with every change, so the README
// cannot drift from the library.
package main

import (
	"fmt"
	"log"
	"log/slog"
	"net/http"

	"github.com/fbverify/fbverify/verify"
)

func main() {
	v, err := verify.New("my-firebase-project") // Google's keys, fetched on first use and cached
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	mux := http.NewServeMux()
	// 401 for a missing or bad token (the log says which rule failed), 503 if Google's keys are unreachable.
	mux.Handle("GET /api/me", v.Middleware(verify.LogRefusals(slog.Default()))(http.HandlerFunc(me)))
	log.Fatal(http.ListenAndServe(":8080", mux))
}

func me(w http.ResponseWriter, r *http.Request) {
	tok, _ := verify.TokenFromContext(r.Context()) // the verified token, set by the middleware
	fmt.Fprintf(w, "hello %s (%s)\n", tok.UID, tok.Email)
}
