// Package ginauth plugs fbverify into gin. It is a copy-able example kept
// outside the fbverify module so that fbverify does not depend on gin:
// copy this file into your project.
//
// gin handlers are not net/http handlers, so Wrap turns any net/http
// middleware, such as v.Middleware(opts...), into a gin.HandlerFunc. Every
// option of the middleware (verify.Optional, verify.FromCookie,
// verify.WithErrorResponder) therefore works unchanged, and a refused
// request gets the same answer as with net/http (see verify.WriteError).
package ginauth

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/verify"
)

// Wrap returns a gin.HandlerFunc that runs mw: if mw passes the request
// on, the rest of the chain runs with mw's request (and so the verified
// token in its context); if mw answers the request itself, the chain is
// aborted.
func Wrap(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		passed := false
		mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}

// Token returns the token verified for c's request, and whether there is
// one.
func Token(c *gin.Context) (*claims.Token, bool) {
	return verify.TokenFromContext(c.Request.Context())
}
