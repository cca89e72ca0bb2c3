package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// The quick start's handler behind the middleware, with a token from the
// fake issuer in place of Google's.
func TestMe(t *testing.T) {
	signer := verifytest.NewSigner("my-firebase-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	h := v.Middleware()(http.HandlerFunc(me))
	for _, tc := range []struct {
		name, auth string
		status     int
		body       string
	}{
		{"valid", "Bearer " + signer.IDToken("ada", verifytest.Email("ada@example.com", true)), 200, "hello ada (ada@example.com)\n"},
		{"no token", "", 401, ""},
		{"another project", "Bearer " + signer.IDToken("ada", verifytest.Project("someone-else")), 401, ""},
	} {
		req := httptest.NewRequest("GET", "/api/me", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status || (tc.body != "" && rec.Body.String() != tc.body) {
			t.Errorf("%s: %d %q, want %d %q", tc.name, rec.Code, rec.Body, tc.status, tc.body)
		}
	}
	prod, err := verify.New("my-firebase-project")
	if err != nil {
		t.Fatalf("the quick start's project ID is refused: %v", err)
	}
	prod.Close()
}
