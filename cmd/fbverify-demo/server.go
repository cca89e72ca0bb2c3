package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// demoProject is the project of the embedded issuer in offline mode.
const demoProject = "demo-fbverify"

// Limits of POST /dev/token.
const (
	maxTokenRequestBytes = 64 << 10
	maxUIDBytes          = 128 // Firebase's limit on a uid
)

// reservedClaims may not be set through /dev/token, as Firebase refuses
// them as custom claims.
var reservedClaims = map[string]bool{
	"acr": true, "amr": true, "at_hash": true, "aud": true, "auth_time": true, "azp": true,
	"cnf": true, "c_hash": true, "exp": true, "firebase": true, "iat": true, "iss": true,
	"jti": true, "nbf": true, "nonce": true, "sub": true, "user_id": true,
}

// config configures the demo's handler.
type config struct {
	// projectID selects project mode: real Firebase tokens of this project,
	// verified against Google's keys. Empty selects offline mode.
	projectID string
	// logger receives one line per request. If nil, nothing is logged.
	logger *slog.Logger
	// keys replaces Google's keys in project mode (tests only).
	keys jwks.KeySource
	// emulator accepts the Firebase Auth emulator's unsigned tokens
	// (verify.InsecureEmulatorMode): local development only.
	emulator bool
	// now is the clock of the verifier and the embedded issuer. If nil,
	// time.Now.
	now func() time.Time
}

// server is the demo's http.Handler (the embedded one: its routes behind
// the request log), with what it owns.
type server struct {
	http.Handler
	verifier *verify.Verifier
	signer   *verifytest.Signer // offline mode only
	logger   *slog.Logger
	now      func() time.Time
}

// newServer builds the handler for cfg. In offline mode it starts the
// embedded issuer's key server on loopback. Close releases it all.
func newServer(cfg config) (*server, error) {
	s := &server{logger: cfg.logger, now: cfg.now}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	var opts []verify.Option
	if cfg.emulator {
		opts = append(opts, verify.InsecureEmulatorMode())
	}
	var err error
	if cfg.projectID == "" {
		s.signer = verifytest.NewSigner(demoProject, verifytest.WithClock(s.now))
		s.verifier, err = s.signer.Verifier(opts...)
	} else {
		opts = append(opts, verify.WithLogger(s.logger), verify.WithClock(s.now))
		if cfg.keys != nil {
			opts = append(opts, verify.WithKeySource(cfg.keys))
		}
		s.verifier, err = verify.New(cfg.projectID, opts...)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", inspectorAsset("index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /inspector.js", inspectorAsset("inspector.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /inspector.css", inspectorAsset("inspector.css", "text/css; charset=utf-8"))
	mux.HandleFunc("POST /explain", s.explain)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /whoami", s.verifier.Middleware(verify.WithErrorResponder(s.refuse))(http.HandlerFunc(s.whoami)))
	if s.signer != nil {
		mux.HandleFunc("POST /dev/token", s.devToken)
	}
	s.Handler = s.logRequests(mux)
	return s, nil
}

// Close stops the verifier's key source and the embedded issuer.
func (s *server) Close() {
	if s.verifier != nil {
		_ = s.verifier.Close()
	}
	if s.signer != nil {
		s.signer.Close()
	}
}

// offline reports whether the embedded issuer is running.
func (s *server) offline() bool { return s.signer != nil }

func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	mode := "project"
	if s.offline() {
		mode = "offline"
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "mode": mode})
}

func (s *server) whoami(w http.ResponseWriter, r *http.Request) {
	tok, ok := verify.TokenFromContext(r.Context())
	if !ok {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "no verified token"})
		return
	}
	note(r, func(i *requestInfo) { i.uid = tok.UID })
	all, err := tok.Map()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "claims unreadable"})
		return
	}
	writeJSON(w, http.StatusOK, whoamiResponse{UID: tok.UID, Claims: all})
}

// whoamiResponse is the body of GET /whoami.
type whoamiResponse struct {
	UID    string         `json:"uid"`
	Claims map[string]any `json:"claims"`
}

// refuse is the middleware's error responder: verify.WriteError, with the
// rejection code noted for the request log.
func (s *server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	note(r, func(i *requestInfo) { i.code = verify.ErrorCode(err) })
	verify.WriteError(w, r, err)
}

// tokenRequest is the body of POST /dev/token.
type tokenRequest struct {
	UID    string          `json:"uid"`
	Claims json.RawMessage `json:"claims"`
	// Kind is the kind of token to mint (see mintKind); an ID token if
	// empty.
	Kind string `json:"kind"`
}

func (s *server) devToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if !decodeBody(w, r, maxTokenRequestBytes, &req, `{"uid":"alice","claims":{"admin":true}}`) {
		return
	}
	if err := checkUID(req.UID); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	var opts []verifytest.TokenOption
	custom := map[string]any{}
	if len(req.Claims) > 0 && string(req.Claims) != "null" {
		cd := json.NewDecoder(strings.NewReader(string(req.Claims)))
		cd.UseNumber()
		if err := cd.Decode(&custom); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "claims must be a JSON object"})
			return
		}
		for name, value := range custom {
			if reservedClaims[name] {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("claim %q is reserved", name)})
				return
			}
			opts = append(opts, verifytest.Claim(name, value))
		}
	}
	token, err := s.mintKind(req.Kind, req.UID, custom, opts)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	note(r, func(i *requestInfo) { i.uid = req.UID })
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
}

// checkUID accepts what Firebase accepts as a uid, without control
// characters (it ends up in logs).
func checkUID(uid string) error {
	switch {
	case uid == "":
		return errors.New("uid is required")
	case len(uid) > maxUIDBytes:
		return fmt.Errorf("uid longer than %d bytes", maxUIDBytes)
	case !utf8.ValidString(uid):
		return errors.New("uid is not UTF-8")
	case strings.IndexFunc(uid, unicode.IsControl) >= 0:
		return errors.New("uid has a control character")
	}
	return nil
}

// decodeBody decodes r's body, at most limit bytes of one JSON object
// with no unknown field, into v. On failure it answers 413 or 400 (naming
// example, a body that would do) and returns false.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any, example string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	d := json.NewDecoder(r.Body)
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": fmt.Sprintf("body larger than %d bytes", limit)})
		return false
	}
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want a JSON body such as " + example})
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// requestInfo is what handlers tell the request log: never the token.
type requestInfo struct {
	uid, code string
}

type infoKey struct{}

// note updates the request's log record, if it has one.
func note(r *http.Request, f func(*requestInfo)) {
	if i, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		f(i)
	}
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logRequests logs one line per request: method, path, status, duration,
// and the uid or the rejection code.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Duration("duration", time.Since(start)),
		}
		if info.uid != "" {
			attrs = append(attrs, slog.String("uid", info.uid))
		}
		if info.code != "" {
			attrs = append(attrs, slog.String("code", info.code))
		}
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}
