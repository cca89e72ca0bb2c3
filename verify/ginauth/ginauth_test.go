package ginauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/ginauth"
	"github.com/fbverify/fbverify/verify/internal/authtest"
)

func init() { gin.SetMode(gin.TestMode) }

// hello is the protected handler of every test: it answers "hello <uid>"
// for a verified token and "hello guest" without one.
func hello(c *gin.Context) {
	if tok, ok := ginauth.Token(c); ok {
		c.String(http.StatusOK, "hello %s", tok.UID)
		return
	}
	c.String(http.StatusOK, "hello guest")
}

func TestGin(t *testing.T) {
	f := authtest.New(t)
	v := f.Verifier

	r := gin.New()
	api := r.Group("/api", ginauth.New(v))
	api.GET("/me", func(c *gin.Context) {
		tok, ok := ginauth.Token(c)
		if !ok {
			c.String(http.StatusUnauthorized, "sign in first")
			return
		}
		c.String(http.StatusOK, "hello %s", tok.UID)
	})
	r.GET("/down/me", ginauth.New(f.Unavailable), hello)

	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			// CheckHTTP wants the exact body "hello <uid>" or none of it:
			// the handler ran once, or not at all (the chain was aborted).
			authtest.CheckHTTP(t, c, authtest.Get(t, srv.URL+"/api/me", c.Token))
		})
	}
	t.Run("keys unavailable", func(t *testing.T) {
		authtest.CheckUnavailable(t, authtest.Get(t, srv.URL+"/down/me", f.Valid))
	})
	t.Run("two Authorization headers", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
		req.Header.Add("Authorization", "Bearer "+f.Valid)
		req.Header.Add("Authorization", "Bearer "+f.Expired)
		if got := authtest.Do(t, req); got.Status != http.StatusBadRequest {
			t.Fatalf("got %d %q, want 400", got.Status, got.Body)
		}
	})
}

func TestGinOptions(t *testing.T) {
	f := authtest.New(t)
	teapot := func(w http.ResponseWriter, r *http.Request, err error) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(r.URL.Path + " refused: " + verify.ErrorCode(err)))
	}
	r := gin.New()
	r.GET("/optional", ginauth.New(f.Verifier, verify.Optional()), hello)
	r.GET("/cookie", ginauth.New(f.Verifier, verify.FromCookie("session")), hello)
	r.GET("/responder", ginauth.New(f.Verifier, verify.WithErrorResponder(teapot)), hello)
	srv := httptest.NewServer(r)
	defer srv.Close()

	tests := []struct {
		name, path     string
		bearer, cookie string
		status         int
		body           string
	}{
		{"optional: no token", "/optional", "", "", http.StatusOK, "hello guest"},
		{"optional: valid token", "/optional", f.Valid, "", http.StatusOK, "hello " + authtest.UID},
		{"optional: expired token", "/optional", f.Expired, "", http.StatusUnauthorized, ""},
		{"cookie: valid token", "/cookie", "", f.Valid, http.StatusOK, "hello " + authtest.UID},
		{"cookie: tampered token", "/cookie", "", f.Tampered, http.StatusUnauthorized, ""},
		{"cookie: header ignored", "/cookie", f.Valid, "", http.StatusUnauthorized, ""},
		{"responder: expired token", "/responder", f.Expired, "", http.StatusTeapot, "/responder refused: token_expired"},
		{"responder: valid token", "/responder", f.Valid, "", http.StatusOK, "hello " + authtest.UID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if tt.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "session", Value: tt.cookie})
			}
			got := authtest.Do(t, req)
			if got.Status != tt.status || (tt.body != "" && got.Body != tt.body) {
				t.Fatalf("got %d %q, want %d %q", got.Status, got.Body, tt.status, tt.body)
			}
			if tt.status != http.StatusOK && got.Body == "hello guest" {
				t.Fatalf("the protected handler ran")
			}
		})
	}
}
