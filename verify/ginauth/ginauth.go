// Package ginauth verifies Firebase ID tokens in gin applications.
//
//	go get github.com/fbverify/fbverify/verify/ginauth
//
// It is a module of its own, so that fbverify does not depend on gin and
// an application that uses gin gets nothing of the other frameworks.
//
// gin handlers are not net/http handlers, so New runs the verifier's
// net/http middleware (see verify.Verifier.Middleware) as a
// gin.HandlerFunc. It takes the same options: verify.Optional lets
// requests without a token through, verify.FromCookie reads the token from
// a cookie (a session cookie, typically), and verify.WithErrorResponder
// replaces the default answer to a refused request, verify.WriteError
// (401, 400 or 503 with a JSON body naming the stable error code).
// Handlers read the verified token with Token.
package ginauth

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/verify"
)

// New returns a gin.HandlerFunc that verifies each request's token with v
// and the options of v.Middleware. A request it accepts goes on down the
// chain with the verified token (read it with Token); a request it
// refuses is answered by the error responder and the chain is aborted.
func New(v *verify.Verifier, opts ...verify.MiddlewareOption) gin.HandlerFunc {
	return Wrap(v.Middleware(opts...))
}

// Wrap returns a gin.HandlerFunc that runs the net/http middleware mw: if
// mw passes the request on, the rest of the chain runs with mw's request
// (and so with what mw put in its context); if mw answers the request
// itself, the chain is aborted.
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
// one (there is none when verify.Optional let a request without a token
// through).
func Token(c *gin.Context) (*claims.Token, bool) {
	return verify.TokenFromContext(c.Request.Context())
}
