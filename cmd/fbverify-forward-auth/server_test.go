package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// errorBody is the JSON body of a refusal, as verify.WriteError writes it.
type errorBody struct {
	Error, Code, Message string
}

func TestAuthEndpointVerdicts(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s), "--tenant", "t-1,t-2")
	now := time.Now()
	good := s.IDToken("alice", verifytest.Tenant("t-1"))
	tests := []struct {
		name      string
		auth      string // the Authorization header, if any
		status    int
		code      string
		challenge string // a substring of WWW-Authenticate
	}{
		{"valid", "Bearer " + good, 200, "", ""},
		{"scheme in lower case", "bearer " + good, 200, "", ""},
		{"no token", "", 401, "no_token", "Bearer"},
		{"tampered", "Bearer " + good[:len(good)-4] + "AAAA", 401, "invalid_signature", `error="invalid_token"`},
		{"expired", "Bearer " + s.IDToken("alice", verifytest.Tenant("t-1"), verifytest.IssuedAt(now.Add(-2*time.Hour))), 401, "token_expired", `error="invalid_token"`},
		{"wrong project", "Bearer " + s.IDToken("alice", verifytest.Tenant("t-1"), verifytest.Project("other")), 401, "invalid_audience", `error="invalid_token"`},
		{"wrong tenant", "Bearer " + s.IDToken("alice", verifytest.Tenant("t-9")), 401, "invalid_tenant", `error="invalid_token"`},
		{"session cookie as ID token", "Bearer " + s.SessionCookie("alice", verifytest.Tenant("t-1")), 401, "invalid_issuer", `error="invalid_token"`},
		{"unknown key", "Bearer " + s.IDToken("alice", verifytest.Tenant("t-1"), verifytest.SignedBy(verifytest.GenerateKey())), 401, "unknown_key", `error="invalid_token"`},
		{"unsigned without --emulator", "Bearer " + s.EmulatorIDToken("alice", verifytest.Tenant("t-1")), 401, "unsupported_algorithm", `error="invalid_token"`},
		{"basic scheme", "Basic YWxpY2U6c2VjcmV0", 401, "bad_authorization_header", `error="invalid_request"`},
		{"garbage", "Bearer not-a-token", 401, "malformed_token", `error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, http.MethodGet, a.url+"/verify", "")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, body := do(t, req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.status, body)
			}
			if tt.status == 200 {
				if got := resp.Header.Get(headerUID); got != "alice" {
					t.Errorf("%s = %q, want alice", headerUID, got)
				}
				return
			}
			if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, tt.challenge) || !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge with %q", got, tt.challenge)
			}
			var eb errorBody
			if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Code != tt.code {
				t.Errorf("body %s (%v), want code %q", body, err, tt.code)
			}
			if _, ok := resp.Header[headerUID]; ok {
				t.Errorf("a %d carries %s", resp.StatusCode, headerUID)
			}
			if strings.Contains(body, good[:40]) {
				t.Error("the body echoes the token")
			}
		})
	}
}

func TestIdentityHeaders(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s),
		"--claim-header", "X-Role=role", "--claim-header", "x-level=level", "--claim-header", "X-Groups=groups",
		"--claim-header", "X-Note=note", "--claim-header", "X-Absent=absent")
	t.Run("every claim present", func(t *testing.T) {
		tok := s.IDToken("alice", verifytest.Email("alice@example.com", true), verifytest.Tenant("t-1"),
			verifytest.SignInProvider("google.com"), verifytest.Claim("role", "admin"), verifytest.Claim("level", 3),
			verifytest.Claim("groups", []string{"a", "b"}), verifytest.Claim("note", "two\nlines"))
		resp, _ := do(t, newRequest(t, http.MethodGet, a.url+"/", tok))
		want := map[string]string{
			headerUID: "alice", headerEmail: "alice@example.com", headerEmailVerified: "true",
			headerTenant: "t-1", headerSignInProvider: "google.com",
			"X-Role": "admin", "X-Level": "3", "X-Groups": `["a","b"]`, "X-Note": `"two\nlines"`, "X-Absent": "",
		}
		for name, v := range want {
			if got := resp.Header.Values(name); len(got) != 1 || got[0] != v {
				t.Errorf("%s = %q, want exactly %q", name, got, v)
			}
		}
		payload, err := base64.RawURLEncoding.DecodeString(resp.Header.Get(headerClaims))
		if err != nil {
			t.Fatalf("%s is not unpadded base64url: %v", headerClaims, err)
		}
		_, signed, _ := strings.Cut(tok, ".")
		signed, _, _ = strings.Cut(signed, ".")
		if want, _ := base64.RawURLEncoding.DecodeString(signed); string(payload) != string(want) {
			t.Errorf("%s decodes to %s, want the signed payload %s", headerClaims, payload, want)
		}
	})
	t.Run("absent claims give empty headers", func(t *testing.T) {
		tok := s.IDToken("bob", verifytest.WithoutClaim("firebase"))
		resp, _ := do(t, newRequest(t, http.MethodGet, a.url+"/", tok))
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, name := range []string{headerEmail, headerTenant, headerSignInProvider, "X-Role", "X-Level", "X-Groups", "X-Note", "X-Absent"} {
			if got, ok := resp.Header[name]; !ok || len(got) != 1 || got[0] != "" {
				t.Errorf("%s = %q (present %v), want present and empty", name, got, ok)
			}
		}
		if got := resp.Header.Get(headerEmailVerified); got != "false" {
			t.Errorf("%s = %q, want false", headerEmailVerified, got)
		}
	})
}

func TestEveryPathAndMethodIsTheAuthEndpoint(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s))
	tok := s.IDToken("alice")
	for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		for _, path := range []string{"/", "/verify", "/api/orders/7?x=1", "/verify/healthz", "/healthz/x", "/metricsx"} {
			resp, _ := do(t, newRequest(t, method, a.url+path, tok))
			if resp.StatusCode != 200 || resp.Header.Get(headerUID) != "alice" {
				t.Errorf("%s %s with a token: %d uid %q", method, path, resp.StatusCode, resp.Header.Get(headerUID))
			}
			resp, _ = do(t, newRequest(t, method, a.url+path, ""))
			if resp.StatusCode != 401 {
				t.Errorf("%s %s without a token: %d, want 401", method, path, resp.StatusCode)
			}
		}
	}
}

func TestSessionCookieFromCookie(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s), "--session-cookie", "--cookie", "__session")
	cookie := s.SessionCookie("carol")
	tests := []struct {
		name   string
		setup  func(*http.Request)
		status int
		uid    string
	}{
		{"session cookie in the cookie", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "__session", Value: cookie}) }, 200, "carol"},
		{"session cookie as Bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+cookie) }, 200, "carol"},
		{"ID token in the cookie", func(r *http.Request) {
			r.AddCookie(&http.Cookie{Name: "__session", Value: s.IDToken("carol")})
		}, 401, ""},
		{"other cookie only", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "other", Value: cookie}) }, 401, ""},
		{"Authorization wins over the cookie", func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer garbage")
			r.AddCookie(&http.Cookie{Name: "__session", Value: cookie})
		}, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, http.MethodGet, a.url+"/", "")
			tt.setup(req)
			resp, body := do(t, req)
			if resp.StatusCode != tt.status || resp.Header.Get(headerUID) != tt.uid {
				t.Errorf("status %d uid %q, want %d %q; body %s", resp.StatusCode, resp.Header.Get(headerUID), tt.status, tt.uid, body)
			}
		})
	}
}

func TestKeysUnavailableFailClosed(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, deadKeys, "--project", testProject)
	resp, body := do(t, newRequest(t, http.MethodGet, a.url+"/", s.IDToken("alice")))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d Retry-After %q, want 503 with Retry-After; body %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	var eb errorBody
	if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Code != "keys_unavailable" {
		t.Errorf("body %s, want code keys_unavailable", body)
	}
	if _, ok := resp.Header[headerUID]; ok {
		t.Error("a 503 carries the uid header")
	}
	resp, _ = do(t, newRequest(t, http.MethodGet, a.url+"/readyz", ""))
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d without keys, want 503", resp.StatusCode)
	}
	resp, _ = do(t, newRequest(t, http.MethodGet, a.url+"/healthz", ""))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz = %d, want 200 (alive, if not ready)", resp.StatusCode)
	}
}

func TestReadyOnceKeysAreFetched(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	defer s.Close()
	a := startAuth(t, func(verify.Kind) string { return s.URL() + "/jwks" }, "--project", testProject)
	waitFor(t, "/readyz to say 200", 10*time.Second, func() bool {
		resp, _ := do(t, newRequest(t, http.MethodGet, a.url+"/readyz", ""))
		return resp.StatusCode == http.StatusOK
	})
	if n := s.Requests(); n != 1 {
		t.Errorf("key server saw %d requests before the first token, want 1 (the start-up fetch)", n)
	}
	resp, _ := do(t, newRequest(t, http.MethodGet, a.url+"/", s.IDToken("alice")))
	if resp.StatusCode != 200 {
		t.Errorf("status %d, want 200", resp.StatusCode)
	}
}

func TestMetrics(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	defer s.Close()
	a := startAuth(t, func(verify.Kind) string { return s.URL() + "/jwks" }, "--project", testProject, "--cache", "16")
	waitFor(t, "keys", 10*time.Second, func() bool {
		resp, _ := do(t, newRequest(t, http.MethodGet, a.url+"/readyz", ""))
		return resp.StatusCode == http.StatusOK
	})
	tok := s.IDToken("alice")
	for _, token := range []string{tok, tok, tok, "", s.IDToken("x", verifytest.IssuedAt(time.Now().Add(-2*time.Hour))),
		s.IDToken("x", verifytest.IssuedAt(time.Now().Add(10*time.Minute)))} {
		do(t, newRequest(t, http.MethodGet, a.url+"/", token))
	}
	resp, body := do(t, newRequest(t, http.MethodGet, a.url+"/metrics", ""))
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics = %d", resp.StatusCode)
	}
	for _, want := range []string{
		`fbverify_verdicts_total{code="valid"} 3`,
		`fbverify_verdicts_total{code="no_token"} 1`,
		`fbverify_verdicts_total{code="token_expired"} 1`,
		`fbverify_verdicts_total{code="issued_in_future"} 1`,
		`fbverify_cache_hits_total 2`,
		`fbverify_verify_duration_seconds_count 5`,
		// one accepted without the cache (about 0s) and one 10 minutes ahead
		`fbverify_clock_skew_seconds_count 2`,
		`fbverify_clock_skew_seconds_bucket{le="300"} 1`,
		`fbverify_key_fetches_total{status="200"} 1`,
		`fbverify_key_fetch_failures_total 0`,
		`fbverify_keys 1`,
		"fbverify_key_set_age_seconds ",
		"go_goroutines ",
		"process_open_fds ",
	} {
		if !strings.Contains(body, want+"") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestMetricsCountFetchFailures(t *testing.T) {
	a := startAuth(t, deadKeys, "--project", testProject)
	waitFor(t, "a failed fetch", 10*time.Second, func() bool {
		_, body := do(t, newRequest(t, http.MethodGet, a.url+"/metrics", ""))
		return strings.Contains(body, "fbverify_key_fetch_failures_total 1") &&
			strings.Contains(body, `fbverify_key_fetches_total{status="0"} 1`) &&
			strings.Contains(body, "fbverify_key_set_age_seconds -1")
	})
}

func TestLogsNameTheUserOrTheCodeNeverTheToken(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s))
	good := s.IDToken("alice")
	bad := s.IDToken("mallory", verifytest.Project("other"))
	do(t, newRequest(t, http.MethodPost, a.url+"/api/x?secret=1", good))
	do(t, newRequest(t, http.MethodGet, a.url+"/api/y", bad))
	var lines []map[string]any
	waitFor(t, "two auth log lines", 5*time.Second, func() bool {
		lines = lines[:0]
		for _, l := range strings.Split(strings.TrimSpace(a.stderr.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("log line is not JSON: %q", l)
			}
			if m["msg"] == "auth" {
				lines = append(lines, m)
			}
		}
		return len(lines) == 2
	})
	if l := lines[0]; l["uid"] != "alice" || l["status"] != 200.0 || l["method"] != "POST" || l["path"] != "/api/x" {
		t.Errorf("log of the valid request: %v", l)
	}
	if l := lines[1]; l["code"] != "invalid_audience" || l["status"] != 401.0 || l["uid"] != nil {
		t.Errorf("log of the refused request: %v", l)
	}
	log := a.stderr.String()
	for _, secret := range []string{good, bad, strings.Split(good, ".")[2], "secret=1", "mallory"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q", secret[:min(len(secret), 20)])
		}
	}
}

func TestEmulatorModeIsLoudAndExplicit(t *testing.T) {
	s := verifytest.NewSigner("demo-project")
	a := startAuth(t, deadKeys, "--project", "demo-project", "--emulator")
	if !strings.Contains(a.stderr.String(), "WARNING: unsigned tokens") {
		t.Errorf("no warning on stderr:\n%s", a.stderr)
	}
	resp, _ := do(t, newRequest(t, http.MethodGet, a.url+"/", s.EmulatorIDToken("dev-user")))
	if resp.StatusCode != 200 || resp.Header.Get(headerUID) != "dev-user" {
		t.Errorf("emulator token: %d uid %q", resp.StatusCode, resp.Header.Get(headerUID))
	}
}

// TestEmulatorModeFetchesNothingAndIsReadyAtOnce: --emulator without
// --keys asks no key server (here a loopback one that counts requests)
// and /readyz is 200 from the start, so a health check comes up offline.
// Signed tokens are refused: there is no key to check them with.
func TestEmulatorModeFetchesNothingAndIsReadyAtOnce(t *testing.T) {
	s := verifytest.NewSigner("demo-project")
	defer s.Close()
	a := startAuth(t, func(verify.Kind) string { return s.URL() + "/jwks" }, "--project", "demo-project", "--emulator")
	resp, body := do(t, newRequest(t, http.MethodGet, a.url+"/readyz", ""))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz %d %q at start, want 200", resp.StatusCode, body)
	}
	if resp, _ := do(t, newRequest(t, http.MethodGet, a.url+"/", s.EmulatorIDToken("dev-user"))); resp.StatusCode != 200 {
		t.Errorf("emulator token: %d, want 200", resp.StatusCode)
	}
	resp, body = do(t, newRequest(t, http.MethodGet, a.url+"/", s.IDToken("signed-user")))
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "unknown_key") {
		t.Errorf("signed token: %d %s, want 401 unknown_key", resp.StatusCode, body)
	}
	time.Sleep(100 * time.Millisecond) // room for a fetch that should not happen
	if n := s.Requests(); n != 0 {
		t.Errorf("the key server was asked %d times, want 0", n)
	}
	if strings.Contains(a.stderr.String(), "every token is refused") {
		t.Errorf("the log says tokens are refused:\n%s", a.stderr)
	}
}

// TestDurationsAreLoggedInSeconds: the key fetch's retry_in (from package
// jwks) and each request's duration are numbers of seconds.
func TestDurationsAreLoggedInSeconds(t *testing.T) {
	a := startAuth(t, deadKeys, "--project", testProject)
	var warn map[string]any
	waitFor(t, "the failed fetch's log line", 5*time.Second, func() bool {
		for _, l := range strings.Split(strings.TrimSpace(a.stderr.String()), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["retry_in"] != nil {
				warn = m
				return true
			}
		}
		return false
	})
	if d, ok := warn["retry_in"].(float64); !ok || d <= 0 || d > 600 {
		t.Errorf("retry_in %v, want seconds", warn["retry_in"])
	}
	do(t, newRequest(t, http.MethodGet, a.url+"/verify", ""))
	var line map[string]any
	waitFor(t, "the auth line", 5*time.Second, func() bool { line = lastAuthLine(t, a.stderr.String()); return line != nil })
	if d, ok := line["duration"].(float64); !ok || d < 0 || d > 5 {
		t.Errorf("duration %v, want seconds", line["duration"])
	}
}

// TestKeySnapshotKeepsGooglesKeys: --key-snapshot writes the fetched keys
// to the file, and a restart with the key server gone still verifies.
func TestKeySnapshotKeepsGooglesKeys(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	snapshot := filepath.Join(t.TempDir(), "keys.snapshot")
	url := s.URL() + "/jwks"
	keysURL := func(verify.Kind) string { return url }
	first := startAuth(t, keysURL, "--project", testProject, "--key-snapshot", snapshot)
	waitFor(t, "readiness", 5*time.Second, func() bool {
		resp, _ := do(t, newRequest(t, http.MethodGet, first.url+"/readyz", ""))
		return resp.StatusCode == 200
	})
	waitFor(t, "the snapshot file", 5*time.Second, func() bool { _, err := os.Stat(snapshot); return err == nil })
	s.Close() // the same URL, where nothing answers now
	second := startAuth(t, keysURL, "--project", testProject, "--key-snapshot", snapshot)
	resp, body := do(t, newRequest(t, http.MethodGet, second.url+"/verify", s.IDToken("alice")))
	if resp.StatusCode != 200 {
		t.Errorf("after a restart without the key server: %d %s, want 200", resp.StatusCode, body)
	}
}

func TestFlags(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	keys := keyFile(t, s)
	tests := []struct {
		name   string
		args   []string
		env    string // FIREBASE_PROJECT_ID
		status int
		stderr string
	}{
		{"help", []string{"--help"}, "", 0, ""},
		{"no project", []string{"--keys", keys}, "", 2, "no project"},
		{"leeway too large", []string{"--project", "my-project", "--keys", keys, "--leeway", "10m"}, "", 2, "WithLeeway"},
		{"claim header without claim", []string{"--project", "my-project", "--keys", keys, "--claim-header", "X-Role"}, "", 2, "NAME=PATH"},
		{"claim header with a bad name", []string{"--project", "my-project", "--keys", keys, "--claim-header", "X Role=role"}, "", 2, "header name"},
		{"claim header over an identity header", []string{"--project", "my-project", "--keys", keys, "--claim-header", "x-firebase-uid=sub"}, "", 2, "already set"},
		{"claim header twice", []string{"--project", "my-project", "--keys", keys, "--claim-header", "X-A=a", "--claim-header", "X-A=b"}, "", 2, "already set"},
		{"negative cache", []string{"--project", "my-project", "--keys", keys, "--cache", "-1"}, "", 2, "--cache"},
		{"key snapshot with a key file", []string{"--project", "my-project", "--keys", keys, "--key-snapshot", keys + ".snap"}, "", 2, "--key-snapshot"},
		{"missing key file", []string{"--project", "my-project", "--keys", keys + ".missing"}, "", 2, "no such file"},
		{"empty tenant list", []string{"--project", "my-project", "--keys", keys, "--tenant", ",", "--addr", "127.0.0.1:0"}, "", 0, ""},
		{"argument", []string{"--project", "my-project", "--keys", keys, "extra"}, "", 2, "unexpected argument"},
		{"unknown flag", []string{"--project", "my-project", "--port", "80"}, "", 2, "flag provided but not defined"},
		{"bad address", []string{"--project", "my-project", "--keys", keys, "--addr", "127.0.0.1:99999"}, "", 1, "invalid port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr lockedBuffer
			p := &program{stdout: &stdout, stderr: &stderr, getenv: func(k string) string {
				if k == "FIREBASE_PROJECT_ID" {
					return tt.env
				}
				return ""
			}}
			_, _, stop, status := p.parseFlags(tt.args)
			if !stop {
				// A valid command line: run it just long enough to see it start.
				ctx, cancel := contextDone()
				defer cancel()
				status = p.run(ctx, tt.args)
			}
			if status != tt.status || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("status %d, stderr %q; want %d with %q", status, stderr.String(), tt.status, tt.stderr)
			}
			if tt.name == "help" && !strings.Contains(stdout.String(), "--claim-header NAME=PATH") {
				t.Errorf("help lacks the flags:\n%s", stdout.String())
			}
		})
	}
}

func TestProjectFromTheEnvironment(t *testing.T) {
	p := &program{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, getenv: func(k string) string {
		if k == "FIREBASE_PROJECT_ID" {
			return "env-project"
		}
		return ""
	}}
	cfg, _, stop, _ := p.parseFlags([]string{"--keys", "k.json"})
	if stop || len(cfg.projects) != 1 || cfg.projects[0] != "env-project" {
		t.Errorf("projects %v (stopped %v), want [env-project]", cfg.projects, stop)
	}
	cfg, _, _, _ = p.parseFlags([]string{"--project", "a", "--project", "b,c"})
	if strings.Join(cfg.projects, " ") != "a b c" {
		t.Errorf("projects %v, want the flags' over the environment", cfg.projects)
	}
}

func TestExtraProjectsAreAccepted(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--project", "staging", "--keys", keyFile(t, s))
	for project, want := range map[string]int{testProject: 200, "staging": 200, "other": 401} {
		resp, _ := do(t, newRequest(t, http.MethodGet, a.url+"/", s.IDToken("u", verifytest.Project(project))))
		if resp.StatusCode != want {
			t.Errorf("token of %s: %d, want %d", project, resp.StatusCode, want)
		}
	}
}
