// Command stranger is what a new user of grpcauth writes: a gRPC server
// behind the adapter's interceptor, and one call with a token minted by
// the fake issuer, on loopback. It prints the status code and the answer.
package main

import (
	"context"
	"fmt"
	"log"
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

// greeter is a one-method service registered without generated code.
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

func main() {
	signer := verifytest.NewSigner("stranger-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	srv := grpc.NewServer(grpc.UnaryInterceptor(grpcauth.UnaryServerInterceptor(v)))
	srv.RegisterService(&greeter, struct{}{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Stop()

	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+signer.IDToken("stranger"))
	out := new(wrapperspb.StringValue)
	err = conn.Invoke(ctx, "/greet.v1.Greeter/Hello", wrapperspb.String(""), out)
	fmt.Println(status.Code(err), out.GetValue())
}
