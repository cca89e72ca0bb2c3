package verifytest_test

// This file is the README's "Testing your service" snippet, whole: a test
// of a handler behind the middleware, as a user writes it in a _test.go of
// their own. It uses only exported names, so it compiles when pasted.

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func TestWhoAmI(t *testing.T) {
	signer := verifytest.NewSigner("my-project") // a fake Firebase issuer with a fresh RSA key
	defer signer.Close()
	v, err := signer.Verifier() // fetches the signer's keys over loopback, as in production
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	whoAmI := v.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := verify.TokenFromContext(r.Context())
		w.Write([]byte(tok.UID))
	}))

	for _, tc := range []struct {
		name  string
		token string
		want  int
	}{
		{"valid", signer.IDToken("alice", verifytest.Email("ada@example.com", true)), http.StatusOK},
		{"expired", signer.IDToken("alice", verifytest.IssuedAt(time.Now().Add(-2*time.Hour))), http.StatusUnauthorized},
		{"other project", signer.IDToken("alice", verifytest.Project("someone-else")), http.StatusUnauthorized},
		{"signed by another key", signer.IDToken("alice", verifytest.SignedBy(verifytest.GenerateKey())), http.StatusUnauthorized},
	} {
		req := httptest.NewRequest("GET", "/whoami", nil)
		req.Header.Set("Authorization", "Bearer "+tc.token)
		rec := httptest.NewRecorder()
		whoAmI.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, rec.Code, tc.want, rec.Body)
		}
	}
}
