// Package fiberauth verifies Firebase ID tokens in fiber v3 applications.
//
//	go get github.com/fbverify/fbverify/verify/fiberauth
//
// It is a module of its own, so that fbverify does not depend on fiber and
// an application that uses fiber gets nothing of the other frameworks.
//
// fiber runs on fasthttp, not net/http. New runs the verifier's net/http
// middleware (see verify.Verifier.Middleware) on the fiber request
// converted to an *http.Request, so it takes the same options and follows
// the same rules: verify.Optional lets requests without a token through,
// verify.FromCookie reads the token from a cookie (a session cookie,
// typically), and verify.WithErrorResponder replaces the default answer to
// a refused request, verify.WriteError (401, 400 or 503 with a JSON body
// naming the stable error code). An error responder gets the converted
// request, never nil, and writes through to the fiber response. Handlers
// read the verified token with Token.
package fiberauth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/verify"
)

// New returns a fiber handler that verifies each request's token with v
// and the options of v.Middleware. A request it accepts goes on down the
// chain (c.Next) with the verified token in c.Context() (read it with
// Token); a request it refuses is answered by the error responder and the
// chain stops.
func New(v *verify.Verifier, opts ...verify.MiddlewareOption) fiber.Handler {
	return Wrap(v.Middleware(opts...))
}

// Wrap returns a fiber handler that runs the net/http middleware mw on c's
// request, converted to an *http.Request (see Request). If
// mw passes the request on, the handler sets c's context to the one mw
// passed on and calls c.Next, returning its error; if mw answers the
// request itself, what it wrote is c's response and the chain stops.
func Wrap(mw func(http.Handler) http.Handler) fiber.Handler {
	return func(c fiber.Ctx) error {
		r, err := Request(c)
		if err != nil {
			return err
		}
		var passed bool
		var nextErr error
		mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			passed = true
			c.SetContext(r.Context())
			nextErr = c.Next()
		})).ServeHTTP(&responseWriter{c: c, header: http.Header{}}, r)
		if passed {
			return nextErr
		}
		return nil
	}
}

// Request returns c's request as an *http.Request with c.Context() as its
// context: its method, URL, host, remote address and every header line,
// each kept (two Authorization headers stay two, so the middleware refuses
// them as net/http would). Its body is empty: the middleware and an error
// responder judge the headers only. The strings are copies, so the
// request stays valid after fasthttp reuses its buffers.
func Request(c fiber.Ctx) (*http.Request, error) {
	fr := c.Request()
	uri := string(fr.RequestURI())
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URI is not echoed: it may hold secrets
		}
		return nil, fiber.NewError(http.StatusBadRequest, fmt.Sprintf("fiberauth: malformed request URI: %v", err))
	}
	header := make(http.Header)
	for name, value := range fr.Header.All() {
		header.Add(string(name), string(value))
	}
	proto := string(fr.Header.Protocol())
	major, minor, ok := http.ParseHTTPVersion(proto)
	if !ok {
		proto, major, minor = "HTTP/1.1", 1, 1
	}
	r := &http.Request{
		Method:     strings.Clone(c.Method()),
		URL:        u,
		Proto:      proto,
		ProtoMajor: major,
		ProtoMinor: minor,
		Header:     header,
		Body:       http.NoBody,
		Host:       string(fr.Host()),
		RemoteAddr: c.RequestCtx().RemoteAddr().String(),
		RequestURI: uri,
	}
	return r.WithContext(c.Context()), nil
}

// Token returns the token New verified for c, and whether there is one
// (there is none when verify.Optional let a request without a token
// through).
func Token(c fiber.Ctx) (*claims.Token, bool) {
	return verify.TokenFromContext(c.Context())
}

// responseWriter is the http.ResponseWriter through which the middleware
// refuses a fiber request: headers, status and body go to c's response.
type responseWriter struct {
	c           fiber.Ctx
	header      http.Header
	wroteHeader bool
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	for name, values := range w.header {
		w.c.Response().Header.Del(name)
		for _, value := range values {
			w.c.Response().Header.Add(name, value)
		}
	}
	w.c.Status(status)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.c.Write(b)
}
