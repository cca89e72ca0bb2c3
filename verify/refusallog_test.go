package verify_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

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
