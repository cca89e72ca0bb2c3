package nethttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/internal/authtest"
)

func TestChi(t *testing.T) {
	f := authtest.New(t)
	v := f.Verifier

	r := chi.NewRouter()
	r.Get("/health", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	r.Group(func(r chi.Router) {
		r.Use(v.Middleware())
		r.Get("/me", func(w http.ResponseWriter, r *http.Request) {
			tok, ok := verify.TokenFromContext(r.Context())
			if !ok {
				http.Error(w, "sign in first", http.StatusUnauthorized)
				return
			}
			fmt.Fprintf(w, "hello %s", tok.UID)
		})
	})

	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			authtest.CheckHTTP(t, c, authtest.Get(t, srv.URL+"/me", c.Token))
		})
	}
	t.Run("unprotected route", func(t *testing.T) {
		if got := authtest.Get(t, srv.URL+"/health", ""); got.Status != http.StatusOK || got.Body != "ok" {
			t.Fatalf("got %d %q, want 200 ok", got.Status, got.Body)
		}
	})
}
