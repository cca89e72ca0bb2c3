package grpcauth_test

import (
	"context"
	"fmt"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/fbverify/fbverify/testdata/frameworks/grpcauth"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func ExampleAuthFunc() {
	signer := verifytest.NewSigner("my-project") // a fake Firebase, for the example
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
