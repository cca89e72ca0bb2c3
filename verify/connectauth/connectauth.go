// Package connectauth verifies Firebase ID tokens in connect-go servers,
// as a handler interceptor.
//
//	go get github.com/fbverify/fbverify/verify/connectauth
//
// It is a module of its own, so that fbverify does not depend on connect
// and an application that uses connect gets nothing of the other
// frameworks.
//
// An interceptor, rather than the net/http middleware around the connect
// handler, answers in the protocol the client speaks (Connect, gRPC or
// gRPC-Web): a refused call fails with connect.CodeUnauthenticated, and a
// call whose token could not be judged (keys unavailable, see
// verify.IsServerSide) with connect.CodeUnavailable. The error message is
// the stable error code (verify.ErrorCode), never the token or its
// claims. The handler gets the verified token in its context (read it
// with verify.TokenFromContext).
//
// The options are those of verify.Verifier.Middleware, in connect's terms:
// Optional lets calls without a token through, FromCookie reads the token
// from a cookie (a session cookie of a browser client, typically), and
// WithErrorResponder replaces the error a refused call fails with.
package connectauth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/fbverify/fbverify/verify"
)

// ErrorResponder returns the error a call fails with when its token was
// refused; err wraps one of package verify's sentinels. The error should
// be a *connect.Error, so that it keeps its code on the wire.
type ErrorResponder func(ctx context.Context, err error) error

// Option configures NewInterceptor.
type Option interface{ apply(*interceptor) }

// optionFunc is an Option that is a function.
type optionFunc func(*interceptor)

func (f optionFunc) apply(i *interceptor) { f(i) }

// Optional lets calls without a token through, with no token in their
// context. A call with a bad token is still refused.
func Optional() Option {
	return optionFunc(func(i *interceptor) { i.optional = true })
}

// FromCookie reads the token from the named cookie of the request's Cookie
// header (a session cookie, typically) instead of the Authorization
// header.
func FromCookie(name string) Option {
	return optionFunc(func(i *interceptor) { i.cookie = name })
}

// WithErrorResponder replaces DefaultErrorResponder, the answer to refused
// calls.
func WithErrorResponder(respond ErrorResponder) Option {
	return optionFunc(func(i *interceptor) {
		if respond != nil {
			i.respond = respond
		}
	})
}

// DefaultErrorResponder is the default ErrorResponder. It returns
// connect.CodeCanceled or connect.CodeDeadlineExceeded for a call whose
// context ended, connect.CodeUnavailable when the token could not be
// judged (verify.IsServerSide), and connect.CodeUnauthenticated
// otherwise; the message is "connectauth: " and the stable error code
// (verify.ErrorCode).
func DefaultErrorResponder(_ context.Context, err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, err)
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	case verify.IsServerSide(err):
		return connect.NewError(connect.CodeUnavailable, errors.New("connectauth: cannot verify tokens now: "+verify.ErrorCode(err)))
	default:
		return connect.NewError(connect.CodeUnauthenticated, errors.New("connectauth: "+verify.ErrorCode(err)))
	}
}

// NewInterceptor returns an interceptor that lets only calls with a token
// v accepts reach the handler, unary and streaming alike. Pass it to the
// handler constructors with connect.WithInterceptors. On a client it does
// nothing.
func NewInterceptor(v *verify.Verifier, opts ...Option) connect.Interceptor {
	i := &interceptor{v: v, respond: DefaultErrorResponder}
	for _, opt := range opts {
		opt.apply(i)
	}
	return i
}

type interceptor struct {
	v        *verify.Verifier
	optional bool
	cookie   string
	respond  ErrorResponder
}

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := i.authenticate(ctx, req.Header())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := i.authenticate(ctx, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// authenticate verifies the token of h and returns ctx with the verified
// token, or the error responder's error.
func (i *interceptor) authenticate(ctx context.Context, h http.Header) (context.Context, error) {
	token, err := i.token(h)
	if errors.Is(err, verify.ErrNoToken) && i.optional {
		return ctx, nil
	}
	if err == nil {
		tok, verr := i.v.Verify(ctx, token)
		if verr == nil {
			return verify.ContextWithToken(ctx, tok), nil
		}
		err = verr
	}
	return nil, i.respond(ctx, err)
}

// token returns the token of the Authorization header (by the rules of
// verify.BearerToken), or of the cookie.
func (i *interceptor) token(h http.Header) (string, error) {
	if i.cookie == "" {
		return verify.BearerToken(h)
	}
	if value := cookieValue(h.Values("Cookie"), i.cookie); value != "" {
		return value, nil
	}
	return "", verify.ErrNoToken
}

// cookieValue returns the value of the first cookie called name in the
// Cookie lines, "" if there is none. Like net/http, it skips pairs it
// cannot read and takes off the quotes around a value.
func cookieValue(lines []string, name string) string {
	for _, line := range lines {
		for pair := range strings.SplitSeq(line, ";") {
			k, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || k != name {
				continue
			}
			if len(value) > 1 && value[0] == '"' && value[len(value)-1] == '"' {
				value = value[1 : len(value)-1]
			}
			return value
		}
	}
	return ""
}
