package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// do sends one request to h and returns the recorded response.
func do(t *testing.T, h http.Handler, method, path, body, bearer string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// offlineServer is the demo in offline mode, logging into a buffer.
func offlineServer(t *testing.T) (*server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	s, err := newServer(config{logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, &logs
}

// devToken mints a token through POST /dev/token.
func devToken(t *testing.T, h http.Handler, body string) string {
	t.Helper()
	rec := do(t, h, "POST", "/dev/token", body, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("/dev/token: %d %s", rec.Code, rec.Body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Token == "" {
		t.Fatalf("/dev/token body %s: %v", rec.Body, err)
	}
	return out.Token
}

func TestOfflineWhoami(t *testing.T) {
	s, logs := offlineServer(t)
	token := devToken(t, s, `{"uid":"alice","claims":{"admin":true,"plan":"pro"}}`)

	rec := do(t, s, "GET", "/whoami", "", token)
	if rec.Code != http.StatusOK {
		t.Fatalf("whoami: %d %s", rec.Code, rec.Body)
	}
	var who whoamiResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &who); err != nil {
		t.Fatal(err)
	}
	if who.UID != "alice" || who.Claims["admin"] != true || who.Claims["plan"] != "pro" || who.Claims["aud"] != demoProject {
		t.Fatalf("whoami body %s", rec.Body)
	}

	tests := []struct {
		name, bearer string
		status       int
		code         string
	}{
		{"no token", "", http.StatusUnauthorized, "no_token"},
		{"tampered signature", token[:len(token)-4] + "AAAA", http.StatusUnauthorized, "invalid_signature"},
		{"another issuer's token", verifytest.NewSigner(demoProject).IDToken("alice"), http.StatusUnauthorized, "unknown_key"},
		{"garbage", "abc", http.StatusUnauthorized, "malformed_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, s, "GET", "/whoami", "", tt.bearer)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), `"code":"`+tt.code+`"`) {
				t.Fatalf("%d %s, want %d with code %s", rec.Code, rec.Body, tt.status, tt.code)
			}
		})
	}

	log := logs.String()
	for _, want := range []string{"path=/whoami status=200", "uid=alice", "code=no_token", "code=invalid_signature", "method=POST path=/dev/token"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, token) || strings.Contains(log, token[:40]) {
		t.Errorf("log contains the token:\n%s", log)
	}
}

func TestDevTokenRefusesBadRequests(t *testing.T) {
	s, _ := offlineServer(t)
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"empty body", "", http.StatusBadRequest, "want a JSON body"},
		{"not JSON", "uid=alice", http.StatusBadRequest, "want a JSON body"},
		{"unknown field", `{"uid":"a","admin":true}`, http.StatusBadRequest, "want a JSON body"},
		{"no uid", `{"claims":{}}`, http.StatusBadRequest, "uid is required"},
		{"uid too long", `{"uid":"` + strings.Repeat("u", 129) + `"}`, http.StatusBadRequest, "longer than 128"},
		{"uid with newline", `{"uid":"a\nb"}`, http.StatusBadRequest, "control character"},
		{"claims not an object", `{"uid":"a","claims":[1]}`, http.StatusBadRequest, "JSON object"},
		{"reserved claim", `{"uid":"a","claims":{"aud":"other"}}`, http.StatusBadRequest, "reserved"},
		{"body too large", `{"uid":"a","claims":{"x":"` + strings.Repeat("x", maxTokenRequestBytes) + `"}}`, http.StatusRequestEntityTooLarge, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, s, "POST", "/dev/token", tt.body, "")
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
				t.Fatalf("%d %s, want %d mentioning %q", rec.Code, rec.Body, tt.status, tt.want)
			}
		})
	}
	if rec := do(t, s, "GET", "/dev/token", "", ""); rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /dev/token: %d", rec.Code)
	}
}

func TestProjectMode(t *testing.T) {
	now := time.Now()
	signer := verifytest.NewSigner("real-project", verifytest.WithClock(func() time.Time { return now }))
	s, err := newServer(config{projectID: "real-project", keys: signer.KeySource()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rec := do(t, s, "POST", "/dev/token", `{"uid":"alice"}`, ""); rec.Code != http.StatusNotFound {
		t.Fatalf("/dev/token in project mode: %d %s, want 404", rec.Code, rec.Body)
	}
	if rec := do(t, s, "GET", "/healthz", "", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"mode":"project"`) {
		t.Fatalf("healthz: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, s, "GET", "/whoami", "", signer.IDToken("bob")); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"uid":"bob"`) {
		t.Fatalf("whoami: %d %s", rec.Code, rec.Body)
	}
	other := verifytest.NewSigner("demo-fbverify", verifytest.WithKey(signer.Key().Private, signer.Key().ID))
	if rec := do(t, s, "GET", "/whoami", "", other.IDToken("bob")); rec.Code != http.StatusUnauthorized {
		t.Fatalf("token of the demo project accepted in project mode: %d", rec.Code)
	}
}
