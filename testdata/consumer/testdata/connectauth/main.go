// Command stranger is what a new user of connectauth writes: a connect
// handler behind the adapter's interceptor, and one call with a token
// minted by the fake issuer, on loopback. It prints the answer, or the
// error code.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/connectauth"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func main() {
	signer := verifytest.NewSigner("stranger-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	const procedure = "/greet.v1.Greeter/Hello"
	handler := connect.NewUnaryHandler(procedure,
		func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			tok, ok := verify.TokenFromContext(ctx)
			if !ok {
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("sign in first"))
			}
			return connect.NewResponse(wrapperspb.String("hello " + tok.UID)), nil
		},
		connect.WithInterceptors(connectauth.NewInterceptor(v)),
	)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	httpClient := &http.Client{Timeout: 10 * time.Second}
	client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](httpClient, "http://"+ln.Addr().String()+procedure)
	req := connect.NewRequest(wrapperspb.String(""))
	req.Header().Set("Authorization", "Bearer "+signer.IDToken("stranger"))
	resp, err := client.CallUnary(context.Background(), req)
	if err != nil {
		fmt.Println(connect.CodeOf(err), err)
		return
	}
	fmt.Println("ok", resp.Msg.GetValue())
}
