package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
)

// The identity headers of a 200, in the order they are documented. Every
// one is always set, empty when its claim is absent, so that a proxy that
// copies them overwrites whatever a client sent under the same name.
const (
	headerUID            = "X-Firebase-Uid"
	headerEmail          = "X-Firebase-Email"
	headerEmailVerified  = "X-Firebase-Email-Verified"
	headerTenant         = "X-Firebase-Tenant"
	headerSignInProvider = "X-Firebase-Sign-In-Provider"
	headerClaims         = "X-Firebase-Claims"
)

var identityHeaders = []string{headerUID, headerEmail, headerEmailVerified, headerTenant, headerSignInProvider, headerClaims}

// verifyTimeout bounds one verification, a wait for keys included.
const verifyTimeout = 5 * time.Second

// Backoff of the start-up key fetch, retried until it succeeds.
const (
	warmupFirstRetry = time.Second
	warmupMaxRetry   = 30 * time.Second
)

// config is what the flags say.
type config struct {
	projects     []string
	kind         verify.Kind
	keysFile     string
	cookie       string
	tenants      []string
	leeway       time.Duration
	cache        int
	emulator     bool
	claimHeaders []claimHeader
	policies     *policies // nil: no --policies file
	keySnapshot  string    // --key-snapshot
	revocation   revocationFlags
	logger       *slog.Logger
	// keysURL replaces Google's endpoint when keysFile is empty (tests).
	keysURL func(verify.Kind) string
}

// claimHeader is one --claim-header: a response header copied from a
// claim, found by its dotted path.
type claimHeader struct {
	header string   // canonical form
	claim  string   // the path as given, such as org.id
	path   []string // the path's names
}

// parseClaimHeader reads NAME=PATH.
func parseClaimHeader(s string) (claimHeader, error) {
	name, claim, ok := strings.Cut(s, "=")
	name, claim = strings.TrimSpace(name), strings.TrimSpace(claim)
	if !ok || name == "" || claim == "" {
		return claimHeader{}, fmt.Errorf("want NAME=PATH, got %q", s)
	}
	path, err := parseClaimPath(claim)
	if err != nil {
		return claimHeader{}, err
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return claimHeader{}, fmt.Errorf("header name %q: want letters, digits and '-'", name)
		}
	}
	return claimHeader{header: http.CanonicalHeaderKey(name), claim: claim, path: path}, nil
}

// checkClaimHeaders refuses a --claim-header that would clash with an
// identity header or another --claim-header.
func checkClaimHeaders(chs []claimHeader) error {
	seen := map[string]bool{}
	for _, h := range identityHeaders {
		seen[cgiName(h)] = true
	}
	for _, c := range chs {
		if seen[cgiName(c.header)] {
			return fmt.Errorf("--claim-header %s: the header is already set", c.header)
		}
		seen[cgiName(c.header)] = true
	}
	return nil
}

// cgiName is a header's name as CGI, WSGI and PHP backends see it:
// upper case, with '-' turned into '_'. Two headers with the same cgiName
// reach such a backend as one variable.
func cgiName(header string) string {
	return "HTTP_" + strings.ToUpper(strings.ReplaceAll(header, "-", "_"))
}

// server is the forward-auth handler with what it owns.
type server struct {
	cfg      config
	verifier *verify.Verifier
	remote   *jwks.Remote // nil with --keys
	metrics  *metrics
	logger   *slog.Logger
	mux      *http.ServeMux

	stop context.CancelFunc // ends the start-up fetch
	wg   sync.WaitGroup
}

// newServer builds the handler for cfg. Without a key file it starts
// fetching the keys at once, retrying until it succeeds or Close.
func newServer(cfg config) (*server, error) {
	if len(cfg.projects) == 0 {
		return nil, errors.New("no project")
	}
	s := &server{cfg: cfg, logger: cfg.logger}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.metrics = newMetrics()
	opts := []verify.Option{
		verify.WithLeeway(cfg.leeway),
		verify.WithObserver(verify.Observer{Verdict: s.metrics.observeVerdict}),
	}
	if opt, err := s.revocationOption(cfg.revocation); err != nil {
		return nil, err
	} else if opt != nil {
		opts = append(opts, opt)
	}
	if len(cfg.projects) > 1 {
		opts = append(opts, verify.WithExtraProjects(cfg.projects[1:]...))
	}
	if len(cfg.tenants) > 0 {
		opts = append(opts, verify.WithTenants(cfg.tenants...))
	}
	if cfg.cache > 0 {
		opts = append(opts, verify.WithCache(cfg.cache))
	}
	if cfg.emulator {
		opts = append(opts, verify.InsecureEmulatorMode())
	}
	if cfg.keysFile != "" {
		keys, err := jwks.LoadFile(cfg.keysFile)
		if err != nil {
			return nil, err
		}
		s.metrics.keysLoaded(time.Now(), len(keys.KeyIDs()))
		opts = append(opts, verify.WithKeySource(keys))
	} else if cfg.emulator {
		// The emulator's tokens are unsigned: no key is needed, and none
		// is fetched, so the server is ready at once and offline.
		opts = append(opts, verify.WithKeySource(noKeys{}))
	} else {
		url := defaultKeyURL(cfg.kind)
		if cfg.keysURL != nil {
			url = cfg.keysURL(cfg.kind)
		}
		remote, err := jwks.NewRemote(url, jwks.RemoteOptions{Logger: s.logger, OnFetch: s.onFetch, SnapshotFile: cfg.keySnapshot})
		if err != nil {
			return nil, err
		}
		s.remote = remote
		opts = append(opts, verify.WithKeySource(remote))
	}
	newVerifier := verify.New
	if cfg.kind == verify.SessionCookie {
		newVerifier = verify.NewSessionCookieVerifier
	}
	v, err := newVerifier(cfg.projects[0], opts...)
	if err != nil {
		s.closeRemote()
		return nil, err
	}
	s.verifier = v
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/healthz", s.healthz)
	s.mux.HandleFunc("/readyz", s.readyz)
	s.mux.Handle("/metrics", s.metrics.handler())
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	if s.remote != nil {
		s.wg.Add(1)
		go s.warmUp(ctx)
	}
	return s, nil
}

func (s *server) closeRemote() {
	if s.remote != nil {
		s.remote.Close()
	}
}

// Close stops the start-up fetch, if it still runs, and the key source.
func (s *server) Close() error {
	s.stop()
	s.wg.Wait()
	s.closeRemote()
	return s.verifier.Close()
}

// noKeys is the key source of emulator mode without --keys: it has no
// key, so a signed token is refused (unknown_key) and only the
// emulator's unsigned tokens pass.
type noKeys struct{}

// PublicKey refuses every key ID.
func (noKeys) PublicKey(context.Context, string) (*rsa.PublicKey, error) {
	return nil, fmt.Errorf("%w: emulator mode without --keys has no keys", jwks.ErrUnknownKey)
}

// defaultKeyURL is Google's key endpoint for a kind, as verify.New uses.
func defaultKeyURL(k verify.Kind) string {
	if k == verify.SessionCookie {
		return jwks.SessionCookieX509URL
	}
	return jwks.IDTokenJWKSURL
}

// warmUp fetches the keys until one fetch succeeds, with backoff, so that
// /readyz turns 200 without waiting for a first request.
func (s *server) warmUp(ctx context.Context) {
	defer s.wg.Done()
	wait := warmupFirstRetry
	for {
		if err := s.remote.Refresh(ctx); err == nil || ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, warmupMaxRetry)
	}
}

// onFetch records a key fetch of the Remote.
func (s *server) onFetch(ev jwks.FetchEvent) {
	s.metrics.observeFetch(ev)
	if ev.Err == nil {
		s.logger.Info("keys fetched", "url", ev.URL, "keys", ev.Keys, "max_age", ev.MaxAge,
			"duration", ev.Duration)
	}
}

// ready reports whether keys are loaded.
func (s *server) ready() bool {
	if s.remote == nil {
		return true
	}
	return len(s.remote.Status().KeyIDs) > 0
}

// ServeHTTP routes /healthz, /readyz and /metrics; every other path is
// the auth endpoint, for any method.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz", "/readyz", "/metrics":
		s.mux.ServeHTTP(w, r)
	default:
		s.auth(w, r)
	}
}

func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

func (s *server) readyz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !s.ready() {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "keys not loaded yet")
		return
	}
	fmt.Fprintln(w, "ready")
}

// token finds the request's token: the Authorization header, or, when
// there is none and --cookie is set, that cookie.
func (s *server) token(r *http.Request) (string, error) {
	if len(r.Header.Values("Authorization")) > 0 || s.cfg.cookie == "" {
		return verify.BearerToken(r.Header)
	}
	c, err := r.Cookie(s.cfg.cookie)
	if err != nil || c.Value == "" {
		return "", verify.ErrNoToken
	}
	return c.Value, nil
}

// auth is the auth endpoint.
func (s *server) auth(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	token, err := s.token(r)
	var tok *claims.Token
	if err == nil {
		ctx, cancel := context.WithTimeout(r.Context(), verifyTimeout)
		tok, err = s.verifier.Verify(ctx, token)
		cancel()
	} else {
		s.metrics.observeRequestError(err) // Verify never saw it
	}
	pol := s.cfg.policies.match(r.URL.Path)
	if err == nil && pol != nil {
		if err = pol.check(tok, time.Now()); err != nil {
			s.metrics.observePolicyRefusal(pol.path, err.(*policyError).rule.code)
		}
	}
	status := http.StatusOK
	var denied *policyError
	switch {
	case errors.As(err, &denied):
		writeForbidden(w, denied)
		status = http.StatusForbidden
	case err != nil:
		sw := &statusWriter{ResponseWriter: w}
		verify.WriteError(sw, r, err)
		status = sw.status
	default:
		s.allow(w, tok)
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.Duration("duration", time.Since(start))}
	if pol != nil {
		attrs = append(attrs, slog.String("policy", pol.path))
	}
	if err == nil {
		attrs = append(attrs, slog.String("uid", tok.UID))
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "auth", attrs...)
		return
	}
	attrs = append(attrs, refusalAttrs(err)...)
	if tok != nil {
		attrs = append(attrs, slog.String("uid", tok.UID))
	}
	level := slog.LevelInfo
	if verify.IsServerSide(err) {
		level = slog.LevelWarn
	}
	s.logger.LogAttrs(r.Context(), level, "auth", attrs...)
}

// refusalAttrs are what the log says of a refusal: the code, the rule,
// what it expected and what it found, and the whole error, which never
// holds the token.
func refusalAttrs(err error) []slog.Attr {
	var denied *policyError
	if errors.As(err, &denied) {
		return []slog.Attr{slog.String("code", denied.rule.code), slog.String("rule", denied.rule.name),
			slog.String("expected", denied.broken.expected), slog.String("found", denied.broken.found),
			slog.String("error", err.Error())}
	}
	attrs := []slog.Attr{slog.String("code", verify.ErrorCode(err))}
	var ve *claims.ValidationError
	if errors.As(err, &ve) {
		attrs = append(attrs, slog.String("rule", ve.Claim), slog.String("expected", ve.Expected), slog.String("found", ve.Actual))
	}
	return append(attrs, slog.String("error", err.Error()))
}

// writeForbidden answers a valid token that broke a policy's rule: 403
// with the RFC 6750 insufficient_scope challenge and a JSON body with the
// rule's code and its fixed message (never the claims' values).
func writeForbidden(w http.ResponseWriter, e *policyError) {
	message := policyMessages[e.rule.code]
	h := w.Header()
	h.Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="insufficient_scope", error_description=%q`, message))
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(struct {
		Error   string `json:"error"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}{"insufficient_scope", e.rule.code, message})
}

// allow writes the 200 with the identity headers of tok.
func (s *server) allow(w http.ResponseWriter, tok *claims.Token) {
	payload := []byte(tok.Payload)
	h := w.Header()
	h.Set(headerUID, headerValue(tok.UID))
	h.Set(headerEmail, headerValue(tok.Email))
	h.Set(headerEmailVerified, strconv.FormatBool(tok.EmailVerified))
	h.Set(headerTenant, headerValue(tok.Firebase.Tenant))
	h.Set(headerSignInProvider, headerValue(tok.Firebase.SignInProvider))
	h.Set(headerClaims, base64.RawURLEncoding.EncodeToString(payload))
	for _, c := range s.cfg.claimHeaders {
		raw, _ := claimAt(payload, c.path)
		h.Set(c.header, claimValue(raw))
	}
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// claimValue renders a claim for a header: a string as itself, anything
// else as its compact JSON, and an absent or null claim as "".
func claimValue(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return headerValue(s)
		}
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return ""
	}
	return b.String()
}

// headerValue is s if it can travel in a header as it is; a string with
// control characters (which a header cannot carry) goes as its JSON
// quoted form instead, so that it is never cut or joined to another line.
func headerValue(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			q, _ := json.Marshal(s)
			return string(q)
		}
	}
	return s
}

// statusWriter remembers the status written, and turns WriteError's 400
// for a malformed Authorization header into a 401: proxies treat only
// 401 and 403 as a denial (nginx turns any other status into a 500), and
// the challenge and body still say invalid_request.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if code == http.StatusBadRequest {
		code = http.StatusUnauthorized
	}
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
