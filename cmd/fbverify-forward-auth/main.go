// Command fbverify-forward-auth verifies Firebase ID tokens (or session
// cookies) for a reverse proxy that delegates authentication: nginx
// auth_request, Caddy forward_auth, Traefik ForwardAuth and Envoy ext_authz
// in HTTP mode. The backend behind the proxy can be written in any
// language: it reads the verified user from X-Firebase-* request headers.
//
// Every path except /healthz, /readyz and /metrics is the auth endpoint,
// for any method. It answers 200 with the identity headers for a valid
// token, 401 with an RFC 6750 challenge for a missing or bad one, and 503
// with Retry-After when the keys are unavailable.
//
//	fbverify-forward-auth --project my-project
//	fbverify-forward-auth --project my-project --session-cookie --cookie session
//	fbverify-forward-auth --project my-project --keys id-token-keys.json --claim-header X-Role=role
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	p := &program{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := p.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
