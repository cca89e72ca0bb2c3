// Command fbverify-demo is a tiny HTTP server that shows fbverify's
// middleware at work.
//
// With no project configured it runs offline: an embedded fake Firebase
// issuer (verify/verifytest) mints tokens at POST /dev/token and serves its
// keys on loopback, so the Verifier takes the same remote-key path as in
// production. With --project (or FIREBASE_PROJECT_ID) it verifies real
// Firebase ID tokens against Google's keys instead, and /dev/token is gone.
//
//	go run ./cmd/fbverify-demo                 # offline, on 127.0.0.1:8080
//	go run ./cmd/fbverify-demo --project my-project
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
