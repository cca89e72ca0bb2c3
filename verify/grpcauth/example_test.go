package grpcauth_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/grpcauth"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// greeter is a one-method service registered without generated code; a
// generated RegisterXServer(srv, impl) works the same way.
var greeter = grpc.ServiceDesc{
	ServiceName: "greet.v1.Greeter",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Hello",
		Handler: func(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			info := &grpc.UnaryServerInfo{FullMethod: "/greet.v1.Greeter/Hello"}
			return interceptor(ctx, in, info, func(ctx context.Context, _ any) (any, error) {
				tok, _ := verify.TokenFromContext(ctx)
				return wrapperspb.String("hello " + tok.UID), nil
			})
		},
	}},
}

func ExampleUnaryServerInterceptor() {
	// In production: v, err := verify.New("my-project"), then defer v.Close().
	signer := verifytest.NewSigner("my-project") // a fake Firebase, for the example
	defer signer.Close()
	v, _ := signer.Verifier()
	defer v.Close()

	srv := grpc.NewServer(
		grpc.UnaryInterceptor(grpcauth.UnaryServerInterceptor(v)),
		grpc.StreamInterceptor(grpcauth.StreamServerInterceptor(v)),
	)
	srv.RegisterService(&greeter, struct{}{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(ln)
	defer srv.Stop()

	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	for _, token := range []string{signer.IDToken("ada"), signer.IDToken("ada", verifytest.Project("other-project"))} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		out := new(wrapperspb.StringValue)
		err := conn.Invoke(ctx, "/greet.v1.Greeter/Hello", wrapperspb.String(""), out)
		cancel()
		if err != nil {
			fmt.Println(status.Code(err), status.Convert(err).Message())
			continue
		}
		fmt.Println(out.GetValue())
	}
	// Output:
	// hello ada
	// Unauthenticated grpcauth: invalid_audience
}

func ExampleAuthFunc() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	v, _ := signer.Verifier()
	defer v.Close()
	auth := grpcauth.AuthFunc(v) // what both interceptors run on each call

	md := metadata.Pairs("authorization", "Bearer "+signer.IDToken("ada"))
	ctx, err := auth(metadata.NewIncomingContext(context.Background(), md))
	tok, _ := verify.TokenFromContext(ctx)
	fmt.Println(tok.UID, err)

	_, err = auth(context.Background()) // no metadata
	fmt.Println(status.Code(err), status.Convert(err).Message())
	// Output:
	// ada <nil>
	// Unauthenticated grpcauth: no_token
}
