// Command stranger is what a new user of fiberauth writes: a fiber server
// behind the adapter, and one request with a token minted by the fake
// issuer, on loopback. It prints the status and the body.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/fbverify/fbverify/verify/fiberauth"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func main() {
	signer := verifytest.NewSigner("stranger-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	app := fiber.New()
	app.Get("/me", fiberauth.New(v), func(c fiber.Ctx) error {
		tok, _ := fiberauth.Token(c)
		return c.SendString("hello " + tok.UID)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	defer app.Shutdown()

	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+signer.IDToken("stranger"))
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
}
