package fiberauth_test

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v3"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/fiberauth"
	"github.com/fbverify/fbverify/verify/internal/authtest"
)

// serve runs app on a loopback listener until the test ends and returns
// its base URL.
func serve(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("listener: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// hello is the protected handler of every test: it answers "hello <uid>"
// for a verified token and "hello guest" without one.
func hello(c fiber.Ctx) error {
	if tok, ok := fiberauth.Token(c); ok {
		return c.SendString("hello " + tok.UID)
	}
	return c.SendString("hello guest")
}

func TestFiber(t *testing.T) {
	f := authtest.New(t)
	v := f.Verifier

	app := fiber.New()
	api := app.Group("/api", fiberauth.New(v))
	api.Get("/me", func(c fiber.Ctx) error {
		tok, ok := fiberauth.Token(c)
		if !ok {
			return c.Status(http.StatusUnauthorized).SendString("sign in first")
		}
		return c.SendString("hello " + tok.UID)
	})
	app.Get("/down/me", fiberauth.New(f.Unavailable), hello)
	app.Get("/fails", fiberauth.New(v), func(fiber.Ctx) error {
		return fiber.NewError(http.StatusTeapot, "handler failed")
	})

	url := serve(t, app)
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			authtest.CheckHTTP(t, c, authtest.Get(t, url+"/api/me", c.Token))
		})
	}
	t.Run("keys unavailable", func(t *testing.T) {
		authtest.CheckUnavailable(t, authtest.Get(t, url+"/down/me", f.Valid))
	})
	t.Run("two Authorization headers", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, url+"/api/me", nil)
		req.Header.Add("Authorization", "Bearer "+f.Valid)
		req.Header.Add("Authorization", "Bearer "+f.Expired)
		if got := authtest.Do(t, req); got.Status != http.StatusBadRequest {
			t.Fatalf("got %d %q, want 400", got.Status, got.Body)
		}
	})
	t.Run("refusal headers as under net/http", func(t *testing.T) {
		got := authtest.Get(t, url+"/api/me", f.Expired)
		for name, want := range map[string]string{
			"Content-Type":  "application/json",
			"Cache-Control": "no-store",
		} {
			if values := got.Header.Values(name); len(values) != 1 || values[0] != want {
				t.Errorf("%s = %q, want one %q", name, values, want)
			}
		}
		if ch := got.Header.Get("WWW-Authenticate"); !strings.Contains(ch, `error="invalid_token"`) {
			t.Errorf("WWW-Authenticate = %q, want the invalid_token challenge", ch)
		}
	})
	t.Run("the handler's error reaches fiber", func(t *testing.T) {
		got := authtest.Get(t, url+"/fails", f.Valid)
		if got.Status != http.StatusTeapot || got.Body != "handler failed" {
			t.Fatalf("got %d %q, want 418 %q", got.Status, got.Body, "handler failed")
		}
	})
}

func TestFiberOptions(t *testing.T) {
	f := authtest.New(t)
	// The responder reads the request it is given: fiberauth passes the
	// converted request, never nil.
	teapot := func(w http.ResponseWriter, r *http.Request, err error) {
		w.Header().Set("X-Refused", verify.ErrorCode(err))
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(r.Method + " " + r.URL.Path + " refused: " + verify.ErrorCode(err)))
	}
	app := fiber.New()
	app.Get("/optional", fiberauth.New(f.Verifier, verify.Optional()), hello)
	app.Get("/cookie", fiberauth.New(f.Verifier, verify.FromCookie("session")), hello)
	app.Get("/responder", fiberauth.New(f.Verifier, verify.WithErrorResponder(teapot)), hello)
	url := serve(t, app)

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
		{"responder: expired token", "/responder", f.Expired, "", http.StatusTeapot, "GET /responder refused: token_expired"},
		{"responder: valid token", "/responder", f.Valid, "", http.StatusOK, "hello " + authtest.UID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, url+tt.path, nil)
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
			if tt.status == http.StatusTeapot && got.Header.Get("X-Refused") != "token_expired" {
				t.Fatalf("X-Refused = %q, want the responder's header", got.Header.Get("X-Refused"))
			}
		})
	}
}
