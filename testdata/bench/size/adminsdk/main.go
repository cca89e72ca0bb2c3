// Command adminsdk is the same program as ../fbverify written with the
// Firebase Admin SDK for Go: it verifies the ID token given as its argument
// for the project in $PROJECT. It exists to measure the size of such a
// binary (see ../size.sh).
package main

import (
	"context"
	"fmt"
	"os"

	firebase "firebase.google.com/go/v4"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: PROJECT=<id> adminsdk <token>")
		os.Exit(2)
	}
	ctx := context.Background()
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: os.Getenv("PROJECT")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	client, err := app.Auth(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tok, err := client.VerifyIDToken(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tok.UID)
}
