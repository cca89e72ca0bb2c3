// Package firebaseuserstest runs a small stand-in for the two Identity
// Toolkit methods a firebaseusers.Client calls, accounts:lookup and
// accounts:batchGet, on a loopback httptest server: for the tests of code
// that uses firebaseusers, where neither Google nor the Firebase Auth
// emulator is at hand. It keeps users in memory, counts the calls, and
// can be made to fail. It serves the paths the emulator serves, so that
// FIREBASE_AUTH_EMULATOR_HOST can point a program at it (Host).
package firebaseuserstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/fbverify/fbverify/verify/firebaseusers"
)

// Token is the access token the Server accepts, the one the Firebase Auth
// emulator accepts too.
const Token = "owner"

// user is one account of the Server.
type user struct {
	validSince int64
	disabled   bool
}

// Server answers accounts:lookup and accounts:batchGet for one project.
// It is safe for concurrent use.
type Server struct {
	project string
	srv     *httptest.Server

	mu    sync.Mutex
	users map[string]user
	down  bool

	lookups atomic.Int64
	pages   atomic.Int64
}

// NewServer starts a Server for projectID on loopback. Close it when done.
func NewServer(projectID string) *Server {
	s := &Server{project: projectID, users: map[string]user{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the Server.
func (s *Server) Close() { s.srv.Close() }

// Host is the Server's host:port, for FIREBASE_AUTH_EMULATOR_HOST.
func (s *Server) Host() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// ClientOptions are the options of a firebaseusers.Client that calls the
// Server.
func (s *Server) ClientOptions() firebaseusers.ClientOptions {
	return firebaseusers.ClientOptions{
		Endpoint:    s.srv.URL + "/identitytoolkit.googleapis.com/v1",
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: Token, TokenType: "Bearer"}),
	}
}

// AddUser adds (or replaces) an enabled account that was never revoked.
func (s *Server) AddUser(uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[uid] = user{}
}

// Revoke sets uid's validSince to at, in whole seconds, as "revoke
// refresh tokens" does.
func (s *Server) Revoke(uid string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[uid]
	u.validSince = at.Unix()
	s.users[uid] = u
}

// SetDisabled disables or enables uid's account.
func (s *Server) SetDisabled(uid string, disabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[uid]
	u.disabled = disabled
	s.users[uid] = u
}

// Delete removes uid's account.
func (s *Server) Delete(uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, uid)
}

// SetDown makes every call fail with 503 (true) or be answered again.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Lookups returns how many accounts:lookup calls the Server answered.
func (s *Server) Lookups() int64 { return s.lookups.Load() }

// Pages returns how many accounts:batchGet calls the Server answered.
func (s *Server) Pages() int64 { return s.pages.Load() }

// apiUser is a user record as the API writes it.
type apiUser struct {
	LocalID    string `json:"localId"`
	ValidSince string `json:"validSince,omitempty"`
	Disabled   bool   `json:"disabled,omitempty"`
}

func (s *Server) record(uid string, u user) apiUser {
	r := apiUser{LocalID: uid, Disabled: u.disabled}
	if u.validSince > 0 {
		r.ValidSince = strconv.FormatInt(u.validSince, 10)
	}
	return r
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	prefix := "/identitytoolkit.googleapis.com/v1/projects/" + s.project + "/"
	method, ok := strings.CutPrefix(r.URL.Path, prefix)
	switch {
	case !ok:
		apiError(w, http.StatusNotFound, "NOT_FOUND")
		return
	case r.Header.Get("Authorization") != "Bearer "+Token:
		apiError(w, http.StatusUnauthorized, "UNAUTHENTICATED")
		return
	}
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		apiError(w, http.StatusServiceUnavailable, "UNAVAILABLE")
		return
	}
	switch {
	case method == "accounts:lookup" && r.Method == http.MethodPost:
		s.lookups.Add(1)
		s.lookup(w, r)
	case method == "accounts:batchGet" && r.Method == http.MethodGet:
		s.pages.Add(1)
		s.batchGet(w, r)
	default:
		apiError(w, http.StatusNotFound, "NOT_FOUND")
	}
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	var req struct {
		LocalID []string `json:"localId"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_JSON")
		return
	}
	reply := struct {
		Kind  string    `json:"kind"`
		Users []apiUser `json:"users,omitempty"`
	}{Kind: "identitytoolkit#GetAccountInfoResponse"}
	s.mu.Lock()
	for _, uid := range req.LocalID {
		if u, ok := s.users[uid]; ok {
			reply.Users = append(reply.Users, s.record(uid, u))
		}
	}
	s.mu.Unlock()
	writeJSON(w, reply)
}

// batchGet pages through the users in uid order; a page token is the
// last uid of the page before.
func (s *Server) batchGet(w http.ResponseWriter, r *http.Request) {
	size, err := strconv.Atoi(r.URL.Query().Get("maxResults"))
	if err != nil || size <= 0 || size > firebaseusers.MaxPageSize {
		size = firebaseusers.MaxPageSize
	}
	after := r.URL.Query().Get("nextPageToken")
	s.mu.Lock()
	uids := make([]string, 0, len(s.users))
	for uid := range s.users {
		if uid > after {
			uids = append(uids, uid)
		}
	}
	slices.Sort(uids)
	reply := struct {
		Kind          string    `json:"kind"`
		Users         []apiUser `json:"users"`
		NextPageToken string    `json:"nextPageToken,omitempty"`
	}{Kind: "identitytoolkit#DownloadAccountResponse", Users: []apiUser{}}
	for _, uid := range uids[:min(size, len(uids))] {
		reply.Users = append(reply.Users, s.record(uid, s.users[uid]))
	}
	s.mu.Unlock()
	if len(uids) > size {
		reply.NextPageToken = uids[size-1]
	}
	writeJSON(w, reply)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]any{"code": status, "message": message},
	})
}
