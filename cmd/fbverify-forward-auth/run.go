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
	"github.com/fbverify/fbverify/verify"
)

const usage = `Usage: fbverify-forward-auth [flags]
       fbverify-forward-auth healthcheck [--addr HOST:PORT] [--path /readyz]

Verifies Firebase ID tokens (or session cookies) for a reverse proxy:
nginx auth_request, Caddy forward_auth, Traefik ForwardAuth, Envoy
ext_authz (HTTP). Every path but /healthz, /readyz and /metrics is the
auth endpoint, for any method. It reads "Authorization: Bearer <token>"
(or the --cookie) of the request the proxy forwards and answers:

  200  valid: X-Firebase-Uid, X-Firebase-Email, X-Firebase-Email-Verified,
       X-Firebase-Tenant, X-Firebase-Sign-In-Provider, X-Firebase-Claims
       (base64url of the verified payload) and each --claim-header, always
       all present, empty when the claim is absent
  401  no token or a bad one (RFC 6750 challenge, JSON body with the code)
  403  a valid token that breaks a rule of the policy of the request's
       path (--policies; error="insufficient_scope", JSON body with the code)
  503  the keys are unavailable (Retry-After)

"healthcheck" asks a running server's /readyz and exits 0 when it answers
200, 1 otherwise: a health check for an image without a shell.

Flags:
`

const examples = `
Examples:
  fbverify-forward-auth --project my-project
  fbverify-forward-auth --project my-project --session-cookie --cookie session
  fbverify-forward-auth --project my-project --keys id-token-keys.json --cache 10000
  fbverify-forward-auth --project my-project --claim-header X-Role=role --claim-header X-Org=org.id
  fbverify-forward-auth --project my-project --policies /etc/fbverify/policies.conf
`

// Server timeouts: every phase of a request is bounded.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

// addrEnv, when set, is the default of --addr (the container image sets
// it, so that arguments given to the image keep it).
const addrEnv = "FBVERIFY_ADDR"

const defaultAddr = "127.0.0.1:4181"

// program is one run of the command: its streams, environment, and the
// seams tests set.
type program struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// keysURL replaces Google's key endpoint for a kind when no --keys file
	// is given (tests only: a loopback key server, or a dead one).
	keysURL func(verify.Kind) string
	// listening, if set, is told the address once the server listens.
	listening func(net.Addr)
}

// listFlag is a repeatable string flag that also splits on commas.
type listFlag []string

func (f *listFlag) String() string { return strings.Join(*f, ",") }

func (f *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*f = append(*f, v)
		}
	}
	return nil
}

// claimHeaderFlag collects --claim-header NAME=PATH.
type claimHeaderFlag []claimHeader

func (f *claimHeaderFlag) String() string {
	var parts []string
	for _, c := range *f {
		parts = append(parts, c.header+"="+c.claim)
	}
	return strings.Join(parts, ",")
}

func (f *claimHeaderFlag) Set(s string) error {
	c, err := parseClaimHeader(s)
	if err != nil {
		return err
	}
	*f = append(*f, c)
	return nil
}

// parseFlags reads args into a config, or returns an exit status: 0 after
// --help, 2 after a usage error (both already printed).
func (p *program) parseFlags(args []string) (cfg config, addr string, stop bool, status int) {
	fs := flag.NewFlagSet("fbverify-forward-auth", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&addr, "addr", p.defaultAddr(), "listen on `HOST:PORT`; keep it private (loopback or an internal network); default $"+addrEnv+" if set")
	var projects, tenants listFlag
	var claimHeaders claimHeaderFlag
	fs.Var(&projects, "project", "Firebase project `ID` (default $FIREBASE_PROJECT_ID); repeat to accept several projects")
	fs.StringVar(&cfg.keysFile, "keys", "", "key `FILE`: a JWK Set or an X.509 certificate map, as Google serves (default: Google's endpoint)")
	session := fs.Bool("session-cookie", false, "verify session cookies instead of ID tokens")
	fs.StringVar(&cfg.cookie, "cookie", "", "read the token from the cookie `NAME` when the request has no Authorization header")
	fs.Var(&tenants, "tenant", "require firebase.tenant to be `ID` (repeat to accept several)")
	fs.DurationVar(&cfg.leeway, "leeway", verify.DefaultLeeway, "clock skew allowed on exp, iat and auth_time, at most 5m")
	fs.IntVar(&cfg.cache, "cache", 0, "remember up to `N` verified tokens, so a token seen again skips the RSA check (0: no cache)")
	fs.BoolVar(&cfg.emulator, "emulator", false, "accept the unsigned tokens of the Firebase Auth emulator (INSECURE: local development only); without --keys, fetch no keys")
	version := fs.Bool("version", false, "print the version of fbverify-forward-auth and of Go, and exit")
	fs.Var(&claimHeaders, "claim-header", "copy the claim at the dotted `NAME=PATH` (role, org.id) to response header NAME; objects and arrays as compact JSON (repeatable)")
	fs.StringVar(&cfg.keySnapshot, "key-snapshot", "", "keep a copy of Google's keys in `FILE`, so a restart while Google is unreachable still verifies")
	policiesFile := fs.String("policies", "", "rules per auth path (email_verified, providers, second_factor, ...) from `FILE`; see the README")
	cfg.revocation.register(fs)
	help := func(w io.Writer) {
		fmt.Fprint(w, usage)
		fs.VisitAll(func(f *flag.Flag) {
			name, u := flag.UnquoteUsage(f)
			line := "  --" + f.Name
			if name != "" {
				line += " " + name
			}
			fmt.Fprintf(w, "%s\n    \t%s", line, u)
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(w)
		})
		fmt.Fprint(w, examples)
	}
	usageError := func(format string, a ...any) (config, string, bool, int) {
		fmt.Fprintf(p.stderr, "fbverify-forward-auth: %s\nRun \"fbverify-forward-auth --help\" for usage.\n", fmt.Sprintf(format, a...))
		return config{}, "", true, 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help(p.stdout)
			return config{}, "", true, 0
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if *version {
		fmt.Fprintln(p.stdout, buildinfo.Line("fbverify-forward-auth"))
		return config{}, "", true, 0
	}
	cfg.projects = projects
	if len(cfg.projects) == 0 {
		if env := p.getenv("FIREBASE_PROJECT_ID"); env != "" {
			cfg.projects = []string{env}
		}
	}
	if len(cfg.projects) == 0 {
		return usageError("no project: pass --project or set FIREBASE_PROJECT_ID")
	}
	cfg.kind = verify.IDToken
	if *session {
		cfg.kind = verify.SessionCookie
	}
	cfg.tenants = tenants
	cfg.claimHeaders = claimHeaders
	if err := checkClaimHeaders(cfg.claimHeaders); err != nil {
		return usageError("%v", err)
	}
	if cfg.cache < 0 || cfg.cache > verify.MaxCacheSize {
		return usageError("--cache %d is outside 0..%d", cfg.cache, verify.MaxCacheSize)
	}
	if err := cfg.revocation.validate(); err != nil {
		return usageError("%v", err)
	}
	if cfg.keySnapshot != "" && cfg.keysFile != "" {
		return usageError("--key-snapshot is for Google's keys: it cannot go with --keys")
	}
	if *policiesFile != "" {
		ps, err := loadPolicies(*policiesFile)
		if err != nil {
			return usageError("--policies: %v", err)
		}
		cfg.policies = ps
	}
	cfg.keysURL = p.keysURL
	return cfg, addr, false, 0
}

// run runs the server until ctx is done and returns the exit status: 0
// after a graceful shutdown, 1 when it cannot serve, 2 for a usage or
// set-up error.
func (p *program) run(ctx context.Context, args []string) int {
	if len(args) > 0 && args[0] == "healthcheck" {
		return p.healthcheck(ctx, args[1:])
	}
	cfg, addr, stop, status := p.parseFlags(args)
	if stop {
		return status
	}
	logger := newLogger(p.stderr)
	cfg.logger = logger
	if cfg.emulator {
		fmt.Fprint(p.stderr, emulatorWarning)
		logger.Warn("emulator mode: unsigned tokens are accepted; anyone can forge them", "keys", emulatorKeys(cfg))
	}
	srv, err := newServer(cfg)
	if err != nil {
		fmt.Fprintf(p.stderr, "fbverify-forward-auth: %v\n", err)
		return 2
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(p.stderr, "fbverify-forward-auth: %v\n", err)
		return 1
	}
	fmt.Fprintf(p.stdout, "fbverify-forward-auth: verifying %s of project %s; listening on http://%s\n",
		cfg.kind, strings.Join(cfg.projects, ", "), ln.Addr())
	logger.Info("listening", "addr", ln.Addr().String(), "kind", cfg.kind.String(), "projects", cfg.projects)
	if p.listening != nil {
		p.listening(ln.Addr())
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(p.stderr, "fbverify-forward-auth: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		fmt.Fprintf(p.stderr, "fbverify-forward-auth: shutdown: %v\n", err)
		return 1
	}
	return 0
}

// defaultAddr is $FBVERIFY_ADDR, or 127.0.0.1:4181.
func (p *program) defaultAddr() string {
	if a := p.getenv(addrEnv); a != "" {
		return a
	}
	return defaultAddr
}

// newLogger is the server's JSON log: every duration in it is a number of
// seconds, as Prometheus and most log pipelines expect.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				return slog.Float64(a.Key, a.Value.Duration().Seconds())
			}
			return a
		},
	}))
}

// healthcheckTimeout bounds the healthcheck subcommand's request.
const healthcheckTimeout = 3 * time.Second

// healthcheck asks the server at --addr for --path and returns 0 when it
// answers 200, 1 otherwise, 2 for a usage error.
func (p *program) healthcheck(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("fbverify-forward-auth healthcheck", flag.ContinueOnError)
	fs.SetOutput(p.stderr)
	addr := fs.String("addr", p.defaultAddr(), "the server's `HOST:PORT`")
	path := fs.String("path", "/readyz", "the `PATH` to ask: /readyz (keys loaded) or /healthz (process alive)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || (*path != "/readyz" && *path != "/healthz") {
		fmt.Fprintln(p.stderr, "fbverify-forward-auth healthcheck: want [--addr HOST:PORT] [--path /readyz|/healthz]")
		return 2
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(p.stderr, "fbverify-forward-auth healthcheck: --addr %q: %v\n", *addr, err)
		return 2
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1" // a server listening on every address answers on loopback
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+*path, nil)
	if err != nil {
		fmt.Fprintf(p.stderr, "fbverify-forward-auth healthcheck: %v\n", err)
		return 2
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(p.stderr, "fbverify-forward-auth healthcheck: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(p.stderr, "fbverify-forward-auth healthcheck: %s answered %d\n", *path, resp.StatusCode)
		return 1
	}
	fmt.Fprintf(p.stdout, "fbverify-forward-auth healthcheck: %s answered 200\n", *path)
	return 0
}

const emulatorWarning = `
fbverify-forward-auth: WARNING: --emulator is on.
fbverify-forward-auth: WARNING: unsigned tokens (alg "none") are ACCEPTED, and anyone can forge one.
fbverify-forward-auth: WARNING: use it only with the Firebase Auth emulator, never in front of real users.

`

// emulatorKeys says, for the log, where emulator mode takes keys from.
func emulatorKeys(cfg config) string {
	if cfg.keysFile == "" {
		return "none: nothing is fetched, signed tokens are refused"
	}
	return cfg.keysFile
}
