package firebaseusers_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/firebaseusers"
	"github.com/fbverify/fbverify/verify/firebaseusers/firebaseuserstest"
	"golang.org/x/oauth2"
)

const project = "my-project"

func newClient(t *testing.T, opts firebaseusers.ClientOptions) *firebaseusers.Client {
	t.Helper()
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	c, err := firebaseusers.NewClient(project, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLookup(t *testing.T) {
	srv := firebaseuserstest.NewServer(project)
	defer srv.Close()
	revokedAt := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	srv.AddUser("plain")
	srv.AddUser("revoked")
	srv.Revoke("revoked", revokedAt.Add(700*time.Millisecond)) // kept in whole seconds
	srv.AddUser("disabled")
	srv.SetDisabled("disabled", true)
	c := newClient(t, srv.ClientOptions())
	ctx := context.Background()

	tests := []struct {
		uid  string
		want firebaseusers.User
	}{
		{"plain", firebaseusers.User{UID: "plain"}},
		{"revoked", firebaseusers.User{UID: "revoked", ValidSince: revokedAt}},
		{"disabled", firebaseusers.User{UID: "disabled", Disabled: true}},
	}
	for _, tt := range tests {
		t.Run(tt.uid, func(t *testing.T) {
			got, err := c.Lookup(ctx, tt.uid)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Lookup = %+v, want %+v", got, tt.want)
			}
		})
	}
	t.Run("not found", func(t *testing.T) {
		_, err := c.Lookup(ctx, "nobody")
		if !errors.Is(err, firebaseusers.ErrUserNotFound) {
			t.Fatalf("Lookup = %v, want %v", err, firebaseusers.ErrUserNotFound)
		}
	})
	t.Run("invalid uid is not sent", func(t *testing.T) {
		before := srv.Lookups()
		for _, uid := range []string{"", strings.Repeat("u", 129)} {
			if _, err := c.Lookup(ctx, uid); !errors.Is(err, firebaseusers.ErrInvalidUID) {
				t.Errorf("Lookup(%d bytes) = %v, want %v", len(uid), err, firebaseusers.ErrInvalidUID)
			}
		}
		if n := srv.Lookups() - before; n != 0 {
			t.Errorf("%d calls for invalid uids, want 0", n)
		}
	})
	t.Run("server down", func(t *testing.T) {
		srv.SetDown(true)
		defer srv.SetDown(false)
		_, err := c.Lookup(ctx, "plain")
		var apiErr *firebaseusers.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
			t.Fatalf("Lookup = %v, want an APIError with 503", err)
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		bad := newClient(t, firebaseusers.ClientOptions{Endpoint: srv.ClientOptions().Endpoint,
			TokenSource: staticToken("not-owner")})
		_, err := bad.Lookup(ctx, "plain")
		var apiErr *firebaseusers.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized {
			t.Fatalf("Lookup = %v, want an APIError with 401", err)
		}
	})
}

func TestListPage(t *testing.T) {
	srv := firebaseuserstest.NewServer(project)
	defer srv.Close()
	for _, uid := range []string{"a", "b", "c", "d", "e"} {
		srv.AddUser(uid)
	}
	srv.SetDisabled("c", true)
	c := newClient(t, srv.ClientOptions())
	var got []string
	token := ""
	for pages := 1; ; pages++ {
		p, err := c.ListPage(context.Background(), token, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Users {
			got = append(got, u.UID)
			if u.Disabled != (u.UID == "c") {
				t.Errorf("user %s: disabled = %v", u.UID, u.Disabled)
			}
		}
		if p.NextPageToken == "" {
			if pages != 3 {
				t.Errorf("%d pages of 2 for 5 users, want 3", pages)
			}
			break
		}
		token = p.NextPageToken
	}
	if strings.Join(got, ",") != "a,b,c,d,e" {
		t.Errorf("users = %v, want a to e", got)
	}
}

// TestHostileReplies: a reply the Client cannot read is an error, never
// an answer.
func TestHostileReplies(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"not json", 200, `<html>`, firebaseusers.ErrBadReply},
		{"validSince not a number", 200, `{"users":[{"localId":"u","validSince":"soon"}]}`, firebaseusers.ErrBadReply},
		{"validSince negative", 200, `{"users":[{"localId":"u","validSince":"-5"}]}`, firebaseusers.ErrBadReply},
		{"another user only", 200, `{"users":[{"localId":"someone-else"}]}`, firebaseusers.ErrUserNotFound},
		{"no users", 200, `{"kind":"identitytoolkit#GetAccountInfoResponse"}`, firebaseusers.ErrUserNotFound},
		{"USER_NOT_FOUND error", 400, `{"error":{"code":400,"message":"USER_NOT_FOUND"}}`, firebaseusers.ErrUserNotFound},
		{"too large", 200, `{"users":[{"localId":"u","displayName":"` + strings.Repeat("x", 1<<20) + `"}]}`, firebaseusers.ErrBadReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := newClient(t, firebaseusers.ClientOptions{Endpoint: srv.URL, TokenSource: staticToken("t")})
			u, err := c.Lookup(context.Background(), "u")
			if !errors.Is(err, tt.want) {
				t.Fatalf("Lookup = %+v, %v; want %v", u, err, tt.want)
			}
		})
	}
	t.Run("page token that does not move", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"users":[{"localId":"a"}],"nextPageToken":"same"}`)
		}))
		defer srv.Close()
		c := newClient(t, firebaseusers.ClientOptions{Endpoint: srv.URL, TokenSource: staticToken("t")})
		if _, err := c.ListPage(context.Background(), "same", 10); !errors.Is(err, firebaseusers.ErrBadReply) {
			t.Fatalf("ListPage = %v, want %v", err, firebaseusers.ErrBadReply)
		}
	})
	t.Run("long error message is cut", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": strings.Repeat("e", 5000)}})
		}))
		defer srv.Close()
		c := newClient(t, firebaseusers.ClientOptions{Endpoint: srv.URL, TokenSource: staticToken("t")})
		_, err := c.Lookup(context.Background(), "u")
		var apiErr *firebaseusers.APIError
		if !errors.As(err, &apiErr) || len(apiErr.Message) > 300 {
			t.Fatalf("Lookup = %v, want a short APIError", err)
		}
	})
}

// TestEmulatorEndpoint: with FIREBASE_AUTH_EMULATOR_HOST set, the Client
// calls http://HOST/identitytoolkit.googleapis.com/v1/projects/ID/... with
// "Bearer owner", and reads no credentials.
func TestEmulatorEndpoint(t *testing.T) {
	var path, auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.Path)
		auth.Store(r.Header.Get("Authorization"))
		io.WriteString(w, `{"users":[{"localId":"u","validSince":"1700000000"}]}`)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	getenv := func(k string) string {
		if k == firebaseusers.EmulatorHostEnv {
			return host
		}
		return ""
	}
	c := newClient(t, firebaseusers.ClientOptions{Getenv: getenv, CredentialsFile: "/nonexistent/key.json", TenantID: "t-1"})
	if !c.Emulator() {
		t.Fatal("Emulator() = false")
	}
	u, err := c.Lookup(context.Background(), "u")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1700000000, 0).UTC(); !u.ValidSince.Equal(want) {
		t.Errorf("ValidSince = %v, want %v", u.ValidSince, want)
	}
	if got, want := path.Load(), "/identitytoolkit.googleapis.com/v1/projects/my-project/tenants/t-1/accounts:lookup"; got != want {
		t.Errorf("path = %v, want %v", got, want)
	}
	if got := auth.Load(); got != "Bearer owner" {
		t.Errorf("Authorization = %v, want Bearer owner", got)
	}
	badHost := func(string) string { return "evil.example/path?" }
	if _, err := firebaseusers.NewClient(project, firebaseusers.ClientOptions{Getenv: badHost}); err == nil {
		t.Error("NewClient accepted an emulator host with a path")
	}
}

// TestCredentials: the key file is read by Google's library, whose token
// requests go through the Client's transport; a missing or malformed one
// is refused at construction.
func TestCredentials(t *testing.T) {
	t.Run("no project", func(t *testing.T) {
		if _, err := firebaseusers.NewClient("", firebaseusers.ClientOptions{}); err == nil {
			t.Fatal("NewClient accepted an empty project")
		}
	})
	t.Run("missing key file", func(t *testing.T) {
		_, err := firebaseusers.NewClient(project, firebaseusers.ClientOptions{
			CredentialsFile: filepath.Join(t.TempDir(), "missing.json"), Getenv: func(string) string { return "" }})
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("NewClient = %v, want a not-exist error", err)
		}
	})
	t.Run("not a service account", func(t *testing.T) {
		_, err := firebaseusers.NewClient(project, firebaseusers.ClientOptions{
			CredentialsJSON: []byte(`{"type":"authorized_user","client_id":"x","client_secret":"y","refresh_token":"z"}`),
			Getenv:          func(string) string { return "" }})
		if err == nil {
			t.Fatal("NewClient accepted user credentials where a service account key is asked for")
		}
	})
	t.Run("service account key", func(t *testing.T) {
		// A token endpoint on loopback, named by the key file, answers the
		// JWT-bearer grant that Google's library makes.
		var grants atomic.Int64
		var api *httptest.Server
		tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			if r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || r.Form.Get("assertion") == "" {
				http.Error(w, "bad grant", http.StatusBadRequest)
				return
			}
			grants.Add(1)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"from-key","token_type":"Bearer","expires_in":3600}`)
		}))
		defer tokenSrv.Close()
		api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer from-key" {
				http.Error(w, `{"error":{"message":"UNAUTHENTICATED"}}`, http.StatusUnauthorized)
				return
			}
			io.WriteString(w, `{"users":[{"localId":"u"}]}`)
		}))
		defer api.Close()
		key := serviceAccountKey(t, tokenSrv.URL)
		c := newClient(t, firebaseusers.ClientOptions{CredentialsJSON: key, Endpoint: api.URL})
		for range 3 {
			if _, err := c.Lookup(context.Background(), "u"); err != nil {
				t.Fatal(err)
			}
		}
		if n := grants.Load(); n != 1 {
			t.Errorf("%d token grants for 3 calls, want 1 (the token is reused)", n)
		}
	})
}

func staticToken(tok string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "Bearer"})
}

// serviceAccountKey makes a service account key file whose token_uri is
// tokenURL, with a fresh RSA key.
func serviceAccountKey(t *testing.T, tokenURL string) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	key, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     project,
		"private_key_id": "test-key",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "reader@" + project + ".iam.gserviceaccount.com",
		"client_id":      "1",
		"token_uri":      tokenURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return key
}
