// Package grpcauth verifies Firebase ID tokens in grpc-go servers, as
// unary and stream server interceptors.
//
//	go get github.com/fbverify/fbverify/verify/grpcauth
//
// It is a module of its own, so that fbverify does not depend on gRPC and
// an application that uses gRPC gets nothing of the other frameworks.
//
// The interceptors read the "authorization" metadata, "Bearer <token>",
// with the library's own parser (verify.ParseAuthorization: one value, the
// Bearer scheme, one token), verify the token, and call the handler with
// the verified token in its context (read it with verify.TokenFromContext).
// A refused call fails with codes.Unauthenticated; a call whose token
// could not be judged (keys unavailable, see verify.IsServerSide) with
// codes.Unavailable, so that clients retry it. The status message is the
// stable error code (verify.ErrorCode), never the token or its claims.
//
// The options are those of verify.Verifier.Middleware, in gRPC's terms:
// Optional lets calls without a token through, FromCookie reads the token
// from a cookie of the "cookie" metadata (calls that come through a
// gRPC-Web or HTTP gateway), and WithErrorResponder replaces the status a
// refused call fails with.
package grpcauth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/fbverify/fbverify/verify"
)

// ErrorResponder returns the error a call fails with when its token was
// refused; err wraps one of package verify's sentinels. The error should
// be a gRPC status error (see google.golang.org/grpc/status).
type ErrorResponder func(ctx context.Context, err error) error

// Option configures the interceptors and AuthFunc.
type Option interface{ apply(*config) }

// optionFunc is an Option that is a function.
type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	optional bool
	cookie   string
	respond  ErrorResponder
}

// Optional lets calls without a token through, with no token in their
// context. A call with a bad token is still refused.
func Optional() Option {
	return optionFunc(func(c *config) { c.optional = true })
}

// FromCookie reads the token from the named cookie of the call's "cookie"
// metadata (a session cookie, typically) instead of the "authorization"
// metadata.
func FromCookie(name string) Option {
	return optionFunc(func(c *config) { c.cookie = name })
}

// WithErrorResponder replaces DefaultErrorResponder, the answer to refused
// calls.
func WithErrorResponder(respond ErrorResponder) Option {
	return optionFunc(func(c *config) {
		if respond != nil {
			c.respond = respond
		}
	})
}

// DefaultErrorResponder is the default ErrorResponder. It returns the
// context's own status for a canceled or timed-out call, codes.Unavailable
// when the token could not be judged (verify.IsServerSide), and
// codes.Unauthenticated otherwise; the message is "grpcauth: " and the
// stable error code (verify.ErrorCode).
func DefaultErrorResponder(_ context.Context, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	case verify.IsServerSide(err):
		return status.Error(codes.Unavailable, "grpcauth: cannot verify tokens now: "+verify.ErrorCode(err))
	default:
		return status.Error(codes.Unauthenticated, "grpcauth: "+verify.ErrorCode(err))
	}
}

// UnaryServerInterceptor returns a unary interceptor that lets only calls
// with a token v accepts reach the handler.
func UnaryServerInterceptor(v *verify.Verifier, opts ...Option) grpc.UnaryServerInterceptor {
	auth := AuthFunc(v, opts...)
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := auth(ctx)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor returns a stream interceptor that lets only
// streams with a token v accepts reach the handler.
func StreamServerInterceptor(v *verify.Verifier, opts ...Option) grpc.StreamServerInterceptor {
	auth := AuthFunc(v, opts...)
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := auth(ss.Context())
		if err != nil {
			return err
		}
		return handler(srv, &serverStream{ServerStream: ss, ctx: ctx})
	}
}

// AuthFunc returns the check both interceptors run: it verifies the
// token of ctx's incoming metadata and returns ctx with the verified
// token, or the error responder's error. Its signature is the one of
// go-grpc-middleware's auth.AuthFunc, for servers that use that package.
func AuthFunc(v *verify.Verifier, opts ...Option) func(ctx context.Context) (context.Context, error) {
	c := config{respond: DefaultErrorResponder}
	for _, opt := range opts {
		opt.apply(&c)
	}
	return func(ctx context.Context) (context.Context, error) {
		token, err := c.token(ctx)
		if errors.Is(err, verify.ErrNoToken) && c.optional {
			return ctx, nil
		}
		if err == nil {
			tok, verr := v.Verify(ctx, token)
			if verr == nil {
				return verify.ContextWithToken(ctx, tok), nil
			}
			err = verr
		}
		return nil, c.respond(ctx, err)
	}
}

// token returns the token of ctx's incoming metadata: the one
// "authorization" value, parsed as the HTTP header is, or the cookie.
func (c *config) token(ctx context.Context) (string, error) {
	if c.cookie != "" {
		if value := cookieValue(metadata.ValueFromIncomingContext(ctx, "cookie"), c.cookie); value != "" {
			return value, nil
		}
		return "", verify.ErrNoToken
	}
	values := metadata.ValueFromIncomingContext(ctx, "authorization")
	switch len(values) {
	case 0:
		return "", verify.ErrNoToken
	case 1:
		return verify.ParseAuthorization(values[0])
	default:
		return "", fmt.Errorf("%w: %d authorization metadata values, want one", verify.ErrBadAuthorizationHeader, len(values))
	}
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

// serverStream is a grpc.ServerStream whose context carries the token.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }
