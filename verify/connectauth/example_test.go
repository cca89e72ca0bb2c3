package connectauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/connectauth"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func ExampleNewInterceptor() {
	// In production: v, err := verify.New("my-project"), then defer v.Close().
	signer := verifytest.NewSigner("my-project") // a fake Firebase, for the example
	defer signer.Close()
	v, _ := signer.Verifier()
	defer v.Close()

	const procedure = "/greet.v1.GreetService/Hello"
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
	srv := httptest.NewServer(handler)
	defer srv.Close()

	client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](srv.Client(), srv.URL+procedure)
	for _, token := range []string{signer.IDToken("ada"), signer.IDToken("ada", verifytest.Project("other-project"))} {
		req := connect.NewRequest(wrapperspb.String(""))
		req.Header().Set("Authorization", "Bearer "+token)
		resp, err := client.CallUnary(context.Background(), req)
		if err != nil {
			fmt.Println(connect.CodeOf(err), err)
			continue
		}
		fmt.Println(resp.Msg.GetValue())
	}
	// Output:
	// hello ada
	// unauthenticated unauthenticated: connectauth: invalid_audience
}
