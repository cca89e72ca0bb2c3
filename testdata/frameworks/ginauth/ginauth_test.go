package ginauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/fbverify/fbverify/testdata/frameworks/ginauth"
	"github.com/fbverify/fbverify/testdata/frameworks/internal/fwtest"
	"github.com/fbverify/fbverify/verify"
)

func init() { gin.SetMode(gin.TestMode) }

func TestGin(t *testing.T) {
	f := fwtest.New(t)
	v := f.Verifier

	r := gin.New()
	api := r.Group("/api", ginauth.Wrap(v.Middleware()))
	api.GET("/me", func(c *gin.Context) {
		tok, _ := ginauth.Token(c)
		c.String(http.StatusOK, "hello %s", tok.UID)
	})

	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			// CheckHTTP wants the exact body "hello <uid>" or none of it:
			// the handler ran once, or not at all (the chain was aborted).
			fwtest.CheckHTTP(t, c, fwtest.Get(t, srv.URL+"/api/me", c.Token))
		})
	}
}

func TestGinOptional(t *testing.T) {
	f := fwtest.New(t)
	r := gin.New()
	r.GET("/", ginauth.Wrap(f.Verifier.Middleware(verify.Optional())), func(c *gin.Context) {
		if tok, ok := ginauth.Token(c); ok {
			c.String(http.StatusOK, "hello %s", tok.UID)
			return
		}
		c.String(http.StatusOK, "hello guest")
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	tests := []struct {
		name, token string
		status      int
		body        string
	}{
		{"no token", "", http.StatusOK, "hello guest"},
		{"valid token", f.Valid, http.StatusOK, "hello " + fwtest.UID},
		{"expired token", f.Expired, http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fwtest.Get(t, srv.URL+"/", tt.token)
			if got.Status != tt.status || (tt.body != "" && got.Body != tt.body) {
				t.Fatalf("got %d %q, want %d %q", got.Status, got.Body, tt.status, tt.body)
			}
		})
	}
}
