// Package fiberauth plugs fbverify into fiber v3. It is a copy-able
// example kept outside the fbverify module so that fbverify does not
// depend on fiber: copy this file into your project.
//
// fiber runs on fasthttp, not net/http, so the net/http middleware cannot
// be reused as it is; New is its fiber counterpart. It reads the same
// Authorization header by the same rules (verify.BearerToken) and refuses
// with the same answer (verify.WriteError).
package fiberauth

import (
	"net/http"

	"github.com/gofiber/fiber/v3"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/verify"
)

// New returns a fiber handler that verifies the request's Bearer token
// with v. If the token is good, the handler puts it in c.Context() (read
// it with Token) and calls c.Next(); otherwise it answers as
// verify.WriteError does (401, 400 or 503 with a JSON body) and stops the
// chain.
func New(v *verify.Verifier) fiber.Handler {
	return func(c fiber.Ctx) error {
		tok, err := Verify(c, v)
		if err != nil {
			// WriteError reads only err; it has no use for a request.
			verify.WriteError(&responseWriter{c: c, header: http.Header{}}, nil, err)
			return nil
		}
		c.SetContext(verify.ContextWithToken(c.Context(), tok))
		return c.Next()
	}
}

// Verify verifies the Bearer token of c's Authorization header with v: the
// fiber counterpart of v.VerifyRequest. Like it, it refuses a request with
// no header (verify.ErrNoToken) or with several or a malformed one
// (verify.ErrBadAuthorizationHeader).
func Verify(c fiber.Ctx, v *verify.Verifier) (*claims.Token, error) {
	h := http.Header{}
	for _, value := range c.Request().Header.PeekAll(fiber.HeaderAuthorization) {
		h.Add("Authorization", string(value))
	}
	token, err := verify.BearerToken(h)
	if err != nil {
		return nil, err
	}
	return v.Verify(c.Context(), token)
}

// Token returns the token New verified for c, and whether there is one.
func Token(c fiber.Ctx) (*claims.Token, bool) {
	return verify.TokenFromContext(c.Context())
}

// responseWriter is the http.ResponseWriter through which
// verify.WriteError answers a fiber request.
type responseWriter struct {
	c      fiber.Ctx
	header http.Header
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	for name, values := range w.header {
		w.c.Set(name, values[0])
		if len(values) > 1 {
			w.c.Append(name, values[1:]...)
		}
	}
	w.c.Status(status)
}

func (w *responseWriter) Write(b []byte) (int, error) { return w.c.Write(b) }
