package hybrid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fbverify/fbverify/verify"
)

// Config configures a Service.
type Config struct {
	// DatabaseURL is a PostgreSQL connection string, in URL or key=value
	// form. Required.
	DatabaseURL string
	// ListenURL is the connection string of the change listener's
	// dedicated connection. If empty, DatabaseURL. Set it when DatabaseURL
	// goes through a pooler in transaction mode (PgBouncer's, say), where
	// LISTEN does not work: the listener must reach the server directly.
	ListenURL string
	// ProjectID is the Firebase project whose tokens are accepted. Required.
	ProjectID string
	// VerifyOptions go to verify.New (key source, clock, cache…). The
	// Service adds the revocation check itself.
	VerifyOptions []verify.Option
	// RevocationTTL bounds how stale a user's revocation state may be when
	// a change notification is lost. If zero, verify.DefaultRevocationTTL.
	RevocationTTL time.Duration
	// MaxUsers bounds how many users' revocation state is kept. If zero,
	// verify.DefaultRevocationMaxEntries.
	MaxUsers int
	// QueryTimeout bounds each revocation lookup, so a database that hangs
	// refuses requests with 503 instead of holding them. If zero, 2 s.
	QueryTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between reconnections of the
	// change listener. If zero, 100 ms and 5 s.
	MinBackoff, MaxBackoff time.Duration
	// OnListen, if set, is called each time the change listener has its
	// LISTEN in place (at start and after each reconnection).
	OnListen func()
	// Logger gets the listener's reconnections. If nil, they are dropped.
	Logger *slog.Logger
}

// Service is one instance of the backend. Several may share a database.
type Service struct {
	pool     *pgxpool.Pool
	store    *store
	cache    *verify.RevocationCache
	verifier *verify.Verifier
	handler  http.Handler

	queryTimeout time.Duration

	stop     context.CancelFunc
	wg       sync.WaitGroup
	closeOne sync.Once
}

// New connects to the database, makes the schema if need be, and starts
// the change listener. Close stops it.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.DatabaseURL == "" || cfg.ProjectID == "" {
		return nil, errors.New("hybrid: a database URL and a project ID are required")
	}
	if cfg.ListenURL == "" {
		cfg.ListenURL = cfg.DatabaseURL
	}
	if cfg.QueryTimeout == 0 {
		cfg.QueryTimeout = 2 * time.Second
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("hybrid: %w", err)
	}
	if err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	s := &Service{pool: pool, store: &store{pool: pool}, queryTimeout: cfg.QueryTimeout}
	s.cache = verify.NewRevocationCache(s.lookupUserStatus, verify.RevocationCacheOptions{
		TTL: cfg.RevocationTTL, MaxEntries: cfg.MaxUsers,
	})
	opts := append(slices.Clip(cfg.VerifyOptions), verify.WithRevocationCheck(s.cache.Check))
	if s.verifier, err = verify.New(cfg.ProjectID, opts...); err != nil {
		pool.Close()
		return nil, fmt.Errorf("hybrid: %w", err)
	}
	s.handler = s.routes()

	l := &listener{
		connString: cfg.ListenURL, cache: s.cache, logger: cfg.Logger,
		minBackoff: cfg.MinBackoff, maxBackoff: cfg.MaxBackoff, onListen: cfg.OnListen,
	}
	listenCtx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		l.run(listenCtx)
	}()
	return s, nil
}

// lookupUserStatus is the RevocationCheck behind the cache: one query,
// bounded in time, so that a database that hangs refuses requests with 503
// instead of holding them.
func (s *Service) lookupUserStatus(ctx context.Context, uid string) (verify.UserStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, s.queryTimeout)
	defer cancel()
	return s.store.userStatus(ctx, uid)
}

// Close stops the listener, the verifier and the connection pool.
func (s *Service) Close() {
	s.closeOne.Do(func() {
		s.stop()
		s.wg.Wait()
		s.verifier.Close()
		s.pool.Close()
	})
}

// ServeHTTP serves the API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// routes is the API behind the verify middleware: no route is reached
// without a verified, unrevoked token.
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/profile", s.getProfile)
	mux.HandleFunc("PUT /api/profile", s.putProfile)
	mux.HandleFunc("POST /admin/revoke/{uid}", s.requireAdmin(s.revoke))
	return s.verifier.Middleware()(mux)
}

func (s *Service) getProfile(w http.ResponseWriter, r *http.Request) {
	tok, ok := verify.TokenFromContext(r.Context())
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	p, err := s.store.profile(r.Context(), tok.UID, tok.Email)
	if err != nil {
		writeJSONError(w, http.StatusServiceUnavailable, "database_unavailable")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// maxDisplayName bounds a display name, in characters.
const maxDisplayName = 100

// profileUpdate is the one thing a user may change. Unknown fields, such as
// a uid, are refused rather than ignored, so that a client trying to write
// another user's row learns that it cannot.
type profileUpdate struct {
	DisplayName *string `json:"display_name"`
}

func (s *Service) putProfile(w http.ResponseWriter, r *http.Request) {
	tok, ok := verify.TokenFromContext(r.Context())
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	var upd profileUpdate
	dec := json.NewDecoder(io.LimitReader(r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&upd); err != nil || upd.DisplayName == nil {
		writeJSONError(w, http.StatusBadRequest, "want a JSON object with display_name only")
		return
	}
	if n := utf8.RuneCountInString(*upd.DisplayName); n > maxDisplayName || !utf8.ValidString(*upd.DisplayName) {
		writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("display_name: want at most %d characters of UTF-8", maxDisplayName))
		return
	}
	p, err := s.store.setDisplayName(r.Context(), tok.UID, tok.Email, *upd.DisplayName)
	if err != nil {
		writeJSONError(w, http.StatusServiceUnavailable, "database_unavailable")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// adminClaims are the custom claims an admin's token carries, set with the
// Admin SDK's setCustomUserClaims.
type adminClaims struct {
	Admin bool `json:"admin"`
}

// requireAdmin lets through only tokens whose admin claim is the JSON
// value true; anything else (absent, "true" as a string, 1) is refused.
func (s *Service) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := verify.TokenFromContext(r.Context())
		if !ok {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		var c adminClaims
		if err := tok.Decode(&c); err != nil || !c.Admin {
			writeJSONError(w, http.StatusForbidden, "admin only")
			return
		}
		next(w, r)
	}
}

// revokeResponse is the answer to a revocation.
type revokeResponse struct {
	UID              string    `json:"uid"`
	TokensValidAfter time.Time `json:"tokens_valid_after"`
}

func (s *Service) revoke(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	at, err := s.store.revoke(r.Context(), uid)
	switch {
	case errors.Is(err, ErrNoUser):
		writeJSONError(w, http.StatusNotFound, "no such user")
		return
	case err != nil:
		writeJSONError(w, http.StatusServiceUnavailable, "database_unavailable")
		return
	}
	// This instance need not wait for its own notification.
	s.cache.Invalidate(uid)
	writeJSON(w, http.StatusOK, revokeResponse{UID: uid, TokensValidAfter: at.UTC()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}
