package fiberauth_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/fiberauth"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func ExampleNew() {
	// In production: v, err := verify.New("my-project"), then defer v.Close().
	signer := verifytest.NewSigner("my-project") // a fake Firebase, for the example
	defer signer.Close()
	v, _ := signer.Verifier()
	defer v.Close()

	app := fiber.New()
	app.Get("/me", fiberauth.New(v), func(c fiber.Ctx) error {
		tok, _ := fiberauth.Token(c)
		return c.SendString("hello " + tok.UID)
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	defer app.Shutdown()

	client := &http.Client{Timeout: 10 * time.Second}
	for _, token := range []string{signer.IDToken("ada"), "not-a-token"} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 200 hello ada
	// 401 {"error":"invalid_token","code":"malformed_token","message":"malformed token"}
}

func ExampleNew_options() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	v, _ := signer.SessionCookieVerifier()
	defer v.Close()

	// Guests are welcome; signed-in users carry a session cookie.
	app := fiber.New()
	app.Get("/", fiberauth.New(v, verify.Optional(), verify.FromCookie("session")), func(c fiber.Ctx) error {
		if tok, ok := fiberauth.Token(c); ok {
			return c.SendString("hello " + tok.UID)
		}
		return c.SendString("hello guest")
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	defer app.Shutdown()

	client := &http.Client{Timeout: 10 * time.Second}
	for _, cookie := range []string{"", signer.SessionCookie("ada")} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
		}
		resp, err := client.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 200 hello guest
	// 200 hello ada
}
