package fiberauth_test

import (
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/fbverify/fbverify/testdata/frameworks/fiberauth"
	"github.com/fbverify/fbverify/testdata/frameworks/internal/fwtest"
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

func TestFiber(t *testing.T) {
	f := fwtest.New(t)
	v := f.Verifier

	app := fiber.New()
	api := app.Group("/api", fiberauth.New(v))
	api.Get("/me", func(c fiber.Ctx) error {
		tok, _ := fiberauth.Token(c)
		return c.SendString("hello " + tok.UID)
	})
	app.Get("/down/me", fiberauth.New(f.Unavailable), func(c fiber.Ctx) error {
		return c.SendString("hello")
	})

	url := serve(t, app)
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			fwtest.CheckHTTP(t, c, fwtest.Get(t, url+"/api/me", c.Token))
		})
	}

	t.Run("keys unavailable", func(t *testing.T) {
		got := fwtest.Get(t, url+"/down/me", f.Valid)
		var body struct{ Code string }
		_ = json.Unmarshal([]byte(got.Body), &body)
		if got.Status != http.StatusServiceUnavailable || body.Code != "keys_unavailable" || got.Header.Get("Retry-After") == "" {
			t.Fatalf("got %d %v %q, want 503 with Retry-After and code keys_unavailable", got.Status, got.Header, got.Body)
		}
	})

	t.Run("two Authorization headers", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, url+"/api/me", nil)
		req.Header.Add("Authorization", "Bearer "+f.Valid)
		req.Header.Add("Authorization", "Bearer "+f.Expired)
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("got %d, want 400", resp.StatusCode)
		}
	})
}
