package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/fbverify/fbverify/cmd/internal/buildinfo"
)

const usage = `Usage: fbverify-demo [--addr HOST:PORT] [--project ID] [--emulator] [--version]

A tiny server protected by fbverify's middleware, with a token inspector:

  GET  /           the token inspector: paste a token (or mint one) and see
                   its kind, header, claims and every rule's outcome
  POST /explain    the inspector's API: body {"token":"..."}, the report back
  GET  /whoami     the verified uid and claims (needs "Authorization: Bearer <token>")
  GET  /healthz    liveness
  POST /dev/token  offline mode only: mint a token, body {"uid":"alice","claims":{...}}
                   and optionally "kind": id_token, expired, other_project,
                   custom_token, emulator_token or session_cookie

Without a project (--project or FIREBASE_PROJECT_ID) it runs offline with an
embedded fake issuer, and prints curl commands to try. With a project it
verifies real Firebase ID tokens against Google's keys.

Flags:
`

const examples = `
Examples:
  go run ./cmd/fbverify-demo
  go run ./cmd/fbverify-demo --addr 127.0.0.1:0          # any free port
  go run ./cmd/fbverify-demo --project my-project        # real tokens
  go run ./cmd/fbverify-demo --project demo-x --emulator # the Auth emulator's tokens
`

// Server timeouts.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	shutdownTimeout   = 10 * time.Second
)

// run runs the demo until ctx is done and returns the exit status: 0 after
// a graceful shutdown, 1 when it cannot serve, 2 for a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("fbverify-demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0: any free port)")
	project := fs.String("project", "", "verify real Firebase ID tokens of project `ID` (default $FIREBASE_PROJECT_ID; none: offline mode)")
	emulator := fs.Bool("emulator", false, "also accept the unsigned tokens of the Firebase Auth emulator (INSECURE: local development only)")
	version := fs.Bool("version", false, "print the version of fbverify-demo and of Go, and exit")
	help := func(w io.Writer) {
		fmt.Fprint(w, usage)
		fs.VisitAll(func(f *flag.Flag) {
			name, u := flag.UnquoteUsage(f)
			fmt.Fprintf(w, "  %s\n    \t%s\n", strings.TrimSpace("--"+f.Name+" "+name), u)
		})
		fmt.Fprint(w, examples)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "fbverify-demo: %v\n\n", err)
		help(stderr)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fbverify-demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *version {
		fmt.Fprintln(stdout, buildinfo.Line("fbverify-demo"))
		return 0
	}
	projectID := *project
	if projectID == "" {
		projectID = getenv("FIREBASE_PROJECT_ID")
	}

	if *emulator {
		fmt.Fprintln(stderr, "fbverify-demo: WARNING: --emulator accepts unsigned tokens that anyone can forge; use it only with the Firebase Auth emulator")
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := newServer(config{projectID: projectID, logger: logger, emulator: *emulator})
	if err != nil {
		fmt.Fprintf(stderr, "fbverify-demo: %v\n", err)
		return 2
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "fbverify-demo: %v\n", err)
		return 1
	}
	base := "http://" + ln.Addr().String()
	if srv.offline() {
		fmt.Fprintf(stdout, "fbverify-demo: offline mode: tokens come from an embedded fake issuer for project %q\n", demoProject)
	} else {
		fmt.Fprintf(stdout, "fbverify-demo: verifying Firebase ID tokens of project %q with Google's keys\n", projectID)
	}
	fmt.Fprintf(stdout, "fbverify-demo: listening on %s\n", base)
	fmt.Fprintf(stdout, "fbverify-demo: token inspector at %s/\n", base)
	if srv.offline() {
		fmt.Fprintf(stdout, `
Try:
  TOKEN=$(curl -s -X POST %[1]s/dev/token -d '{"uid":"alice","claims":{"admin":true}}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
  curl -s %[1]s/whoami -H "Authorization: Bearer $TOKEN"
  curl -s %[1]s/whoami                                               # 401: no token
  curl -s %[1]s/whoami -H "Authorization: Bearer ${TOKEN%%????}AAAA"  # 401: tampered signature
`, base)
	} else {
		fmt.Fprintf(stdout, "\nTry:\n  curl -s %s/whoami -H \"Authorization: Bearer $ID_TOKEN\"\n", base)
	}

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "fbverify-demo: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "fbverify-demo: shutdown: %v\n", err)
		return 1
	}
	return 0
}
