package nethttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/internal/authtest"
)

func TestGorillaMux(t *testing.T) {
	f := authtest.New(t)
	v := f.Verifier

	r := mux.NewRouter()
	api := r.PathPrefix("/api").Subrouter()
	api.Use(v.Middleware())
	api.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		tok, ok := verify.TokenFromContext(r.Context())
		if !ok {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "hello %s", tok.UID)
	}).Methods(http.MethodGet)

	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			authtest.CheckHTTP(t, c, authtest.Get(t, srv.URL+"/api/me", c.Token))
		})
	}
}
