package fiberauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gofiber/fiber/v3"

	"github.com/fbverify/fbverify/testdata/frameworks/fiberauth"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func ExampleNew() {
	signer := verifytest.NewSigner("my-project") // a fake Firebase, for the example
	defer signer.Close()
	v, _ := signer.Verifier()
	defer v.Close()

	app := fiber.New()
	app.Get("/me", fiberauth.New(v), func(c fiber.Ctx) error {
		tok, _ := fiberauth.Token(c)
		return c.SendString("hello " + tok.UID)
	})

	for _, token := range []string{signer.IDToken("ada"), "not-a-token"} {
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := app.Test(req) // in memory; the tests use a real listener
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
