// Command fbverify is the smallest useful program built on fbverify: it
// verifies the Firebase ID token given as its argument for the project in
// $PROJECT, with Google's keys fetched as needed. It exists to measure the
// size of such a binary (see ../size.sh).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/fbverify/fbverify/verify"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: PROJECT=<id> fbverify <token>")
		os.Exit(2)
	}
	v, err := verify.New(os.Getenv("PROJECT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer v.Close()
	tok, err := v.Verify(context.Background(), os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tok.UID)
}
