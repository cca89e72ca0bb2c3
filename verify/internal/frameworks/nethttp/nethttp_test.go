package nethttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/internal/authtest"
)

func TestServeMux(t *testing.T) {
	f := authtest.New(t)
	v := f.Verifier

	mux := http.NewServeMux()
	mux.Handle("GET /me", v.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := verify.TokenFromContext(r.Context())
		if !ok {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "hello %s", tok.UID)
	})))

	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			authtest.CheckHTTP(t, c, authtest.Get(t, srv.URL+"/me", c.Token))
		})
	}
}
