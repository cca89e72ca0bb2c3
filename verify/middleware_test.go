package verify_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// TestPublicMessages pins the fixed text WriteError shows a client for
// each rule: it names the rule and nothing of the token, the key endpoint
// or the package, however the error was wrapped.
func TestPublicMessages(t *testing.T) {
	for _, c := range []struct {
		err           error
		code, message string
	}{
		{verify.ErrNoToken, "no_token", "no token"},
		{verify.ErrTooLarge, "token_too_large", "token too large"},
		{verify.ErrMalformed, "malformed_token", "malformed token"},
		{jwks.ErrUnknownKey, "unknown_key", "unknown key ID"},
		{jwks.ErrKeysUnavailable, "keys_unavailable", "keys unavailable"},
		{verify.ErrInvalidSignature, "invalid_signature", "invalid signature"},
		{verify.ErrExpired, "token_expired", "token expired"},
		{verify.ErrIssuedInFuture, "issued_in_future", "token issued in the future"},
		{verify.ErrRevoked, "token_revoked", "token revoked"},
		{verify.ErrRevocationCheckFailed, "revocation_check_failed", "revocation check failed"},
		{fmt.Errorf("some other failure"), "invalid_token", "invalid token"},
	} {
		wrapped := fmt.Errorf("outer context: %w: inner detail at https://example.test/keys", c.err)
		rec := httptest.NewRecorder()
		verify.WriteError(rec, nil, wrapped)
		var body struct{ Code, Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%v: body %q: %v", c.err, rec.Body, err)
		}
		if body.Code != c.code || body.Message != c.message {
			t.Errorf("%v: code %q message %q, want %q %q", c.err, body.Code, body.Message, c.code, c.message)
		}
	}
}

func TestMiddlewareReadsSessionCookie(t *testing.T) {
	s := newSigner()
	v := newCookieVerifier(t, s)
	h := v.Middleware(verify.FromCookie("session"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := verify.TokenFromContext(r.Context())
		fmt.Fprint(w, tok.UID)
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: s.SessionCookie("u7")})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.String() != "u7" {
		t.Fatalf("status %d, body %q", rec.Code, rec.Body)
	}
	// The Authorization header is not read in cookie mode.
	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+s.SessionCookie("u7"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
}

func TestMiddlewareResponses(t *testing.T) {
	s := newSigner()
	v := newVerifier(t, s)
	reached := func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := verify.TokenFromContext(r.Context()); ok {
			fmt.Fprint(w, "user ", tok.UID)
			return
		}
		fmt.Fprint(w, "anonymous")
	}
	down, err := verify.New(project, verify.WithKeySource(failingKeys{}), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	valid := s.IDToken("u1")
	cases := []struct {
		name      string
		handler   http.Handler
		header    []string
		status    int
		challenge string
		body      string
	}{
		{"valid", v.Middleware()(http.HandlerFunc(reached)), []string{"Bearer " + valid}, 200, "", "user u1"},
		{"lower-case scheme", v.Middleware()(http.HandlerFunc(reached)), []string{"bearer " + valid}, 200, "", "user u1"},
		{"no token", v.Middleware()(http.HandlerFunc(reached)), nil, 401, "Bearer", `"code":"no_token"`},
		{"optional without token", v.Middleware(verify.Optional())(http.HandlerFunc(reached)), nil, 200, "", "anonymous"},
		{"optional with a bad token", v.Middleware(verify.Optional())(http.HandlerFunc(reached)), []string{"Bearer " + valid + "x"}, 401, `Bearer error="invalid_token"`, `"code":"malformed_token"`},
		{"basic scheme", v.Middleware()(http.HandlerFunc(reached)), []string{"Basic dXNlcjpwYXNz"}, 400, `Bearer error="invalid_request"`, `"code":"bad_authorization_header"`},
		{"two headers", v.Middleware()(http.HandlerFunc(reached)), []string{"Bearer " + valid, "Bearer " + valid}, 400, `Bearer error="invalid_request"`, `"code":"bad_authorization_header"`},
		{"two tokens", v.Middleware()(http.HandlerFunc(reached)), []string{"Bearer " + valid + " " + valid}, 400, `Bearer error="invalid_request"`, `"code":"bad_authorization_header"`},
		{"keys unavailable", down.Middleware()(http.HandlerFunc(reached)), []string{"Bearer " + valid}, 503, "", `"code":"keys_unavailable"`},
		{"custom responder", v.Middleware(verify.WithErrorResponder(func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "nope: "+verify.ErrorCode(err), http.StatusTeapot)
		}))(http.HandlerFunc(reached)), nil, 418, "", "nope: no_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, h := range c.header {
				req.Header.Add("Authorization", h)
			}
			rec := httptest.NewRecorder()
			c.handler.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, c.challenge) || (c.challenge == "" && got != "") {
				t.Fatalf("WWW-Authenticate = %q, want prefix %q", got, c.challenge)
			}
			if !strings.Contains(rec.Body.String(), c.body) {
				t.Fatalf("body %q lacks %q", rec.Body, c.body)
			}
			if strings.Contains(rec.Body.String(), "endpoint down") {
				t.Fatal("the response leaks the key source's error")
			}
		})
	}
}

func TestLogRefusalsSaysWhyWithoutTheToken(t *testing.T) {
	s := newSigner()
	defer s.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	handler := newVerifier(t, s).Middleware(verify.LogRefusals(logger))(ok)
	down, err := verify.New(project, verify.WithKeySource(failingKeys{}), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	downHandler := down.Middleware(verify.LogRefusals(logger))(ok)

	expired := s.IDToken("u1", verifytest.IssuedAt(clock().Add(-2*time.Hour)))
	tests := []struct {
		name    string
		handler http.Handler
		token   string
		level   string
		code    string
		error   string // in the logged error
	}{
		{"valid", handler, s.IDToken("u1"), "", "", ""},
		{"expired", handler, expired, "INFO", "token_expired", "verify: token expired: exp: expected a time after"},
		{"keys down", downHandler, s.IDToken("u1"), "WARN", "keys_unavailable", "endpoint down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequest("GET", "/api/me?secret=1", nil)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			tt.handler.ServeHTTP(httptest.NewRecorder(), req)
			if tt.code == "" {
				if logs.Len() != 0 {
					t.Fatalf("an accepted request was logged: %s", logs.String())
				}
				return
			}
			var entry map[string]any
			if err := json.Unmarshal(logs.Bytes(), &entry); err != nil {
				t.Fatalf("log %q: %v", logs.String(), err)
			}
			if entry["level"] != tt.level || entry["code"] != tt.code || entry["method"] != "GET" || entry["path"] != "/api/me" {
				t.Errorf("log entry %v, want level %s code %s method GET path /api/me", entry, tt.level, tt.code)
			}
			if e, _ := entry["error"].(string); !strings.Contains(e, tt.error) {
				t.Errorf("logged error %q does not say %q", e, tt.error)
			}
			for _, leak := range []string{tt.token[:40], tt.token[len(tt.token)-40:], "secret"} {
				if strings.Contains(logs.String(), leak) {
					t.Errorf("log %s contains %q", logs.String(), leak)
				}
			}
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		name, value, token string
		err                error
	}{
		{"bearer", "Bearer abc.def.ghi", "abc.def.ghi", nil},
		{"scheme in any case", "bEARER abc.def.ghi", "abc.def.ghi", nil},
		{"several spaces after the scheme", "Bearer   abc.def.ghi", "abc.def.ghi", nil},
		{"optional whitespace around the value", " \tBearer abc.def.ghi \t", "abc.def.ghi", nil},
		{"empty", "", "", verify.ErrNoToken},
		{"only whitespace", " \t ", "", verify.ErrNoToken},
		{"other scheme", "Basic dXNlcjpwYXNz", "", verify.ErrBadAuthorizationHeader},
		{"scheme alone", "Bearer", "", verify.ErrBadAuthorizationHeader},
		{"scheme and spaces", "Bearer    ", "", verify.ErrBadAuthorizationHeader},
		{"two words", "Bearer abc def", "", verify.ErrBadAuthorizationHeader},
		{"tab inside", "Bearer abc\tdef", "", verify.ErrBadAuthorizationHeader},
		{"scheme glued to token", "Bearerabc.def.ghi", "", verify.ErrBadAuthorizationHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := verify.ParseAuthorization(tt.value)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || token != tt.token {
				t.Fatalf("got %q, %v; want %q", token, err, tt.token)
			}
		})
	}
}
