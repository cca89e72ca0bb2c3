// Package grpcauth plugs fbverify into grpc-go as server interceptors. It
// is a copy-able example kept outside the fbverify module so that fbverify
// does not depend on gRPC: copy this file into your project.
//
// The interceptors read the "authorization" metadata ("Bearer <token>",
// as the HTTP header), verify the token, and call the handler with the
// verified token in its context (read it with verify.TokenFromContext).
// A refused call fails with codes.Unauthenticated; a call whose token
// could not be judged (keys unavailable, see verify.IsServerSide) with
// codes.Unavailable, so that clients retry it.
package grpcauth

import (
	"context"
	"errors"
	"net/http"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/fbverify/fbverify/verify"
)

// UnaryServerInterceptor returns a unary interceptor that lets only calls
// with a token v accepts reach the handler.
func UnaryServerInterceptor(v *verify.Verifier) grpc.UnaryServerInterceptor {
	auth := AuthFunc(v)
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
func StreamServerInterceptor(v *verify.Verifier) grpc.StreamServerInterceptor {
	auth := AuthFunc(v)
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
// token, or a gRPC status error. Its signature is the one of
// go-grpc-middleware's auth.AuthFunc, for servers that use that package.
func AuthFunc(v *verify.Verifier) func(ctx context.Context) (context.Context, error) {
	return func(ctx context.Context) (context.Context, error) {
		// The same rules as for the HTTP header: one value, "Bearer <token>".
		h := http.Header{"Authorization": metadata.ValueFromIncomingContext(ctx, "authorization")}
		token, err := verify.BearerToken(h)
		if err == nil {
			tok, verr := v.Verify(ctx, token)
			if verr == nil {
				return verify.ContextWithToken(ctx, tok), nil
			}
			err = verr
		}
		return nil, statusError(err)
	}
}

// statusError turns a verify error into a gRPC status error whose message
// is the stable code (verify.ErrorCode), never the token or its claims.
func statusError(err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	case verify.IsServerSide(err):
		return status.Error(codes.Unavailable, "grpcauth: cannot verify tokens now: "+verify.ErrorCode(err))
	default:
		return status.Error(codes.Unauthenticated, "grpcauth: "+verify.ErrorCode(err))
	}
}

// serverStream is a grpc.ServerStream whose context carries the token.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }
