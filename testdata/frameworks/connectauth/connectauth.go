// Package connectauth plugs fbverify into connect-go as a handler
// interceptor. It is a copy-able example kept outside the fbverify module
// so that fbverify does not depend on connect: copy this file into your
// project.
//
// An interceptor, rather than the net/http middleware around the connect
// handler, answers in the protocol the client speaks (Connect, gRPC or
// gRPC-Web): a refused call fails with connect.CodeUnauthenticated, and a
// call whose token could not be judged (keys unavailable, see
// verify.IsServerSide) with connect.CodeUnavailable. The handler gets the
// verified token in its context (read it with verify.TokenFromContext).
package connectauth

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"

	"github.com/fbverify/fbverify/verify"
)

// NewInterceptor returns an interceptor that lets only calls with a token
// v accepts reach the handler, unary and streaming alike. Pass it to the
// handler constructors with connect.WithInterceptors. On a client it does
// nothing.
func NewInterceptor(v *verify.Verifier) connect.Interceptor {
	return &interceptor{v: v}
}

type interceptor struct{ v *verify.Verifier }

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

// authenticate verifies the Bearer token of h and returns ctx with the
// verified token, or a connect error whose message is the stable code
// (verify.ErrorCode), never the token or its claims.
func (i *interceptor) authenticate(ctx context.Context, h http.Header) (context.Context, error) {
	token, err := verify.BearerToken(h)
	if err == nil {
		tok, verr := i.v.Verify(ctx, token)
		if verr == nil {
			return verify.ContextWithToken(ctx, tok), nil
		}
		err = verr
	}
	switch {
	case errors.Is(err, context.Canceled):
		return nil, connect.NewError(connect.CodeCanceled, err)
	case errors.Is(err, context.DeadlineExceeded):
		return nil, connect.NewError(connect.CodeDeadlineExceeded, err)
	case verify.IsServerSide(err):
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("connectauth: cannot verify tokens now: "+verify.ErrorCode(err)))
	default:
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("connectauth: "+verify.ErrorCode(err)))
	}
}
