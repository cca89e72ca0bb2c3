package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// rulePolicies has one policy per rule, each rule alone, so that a token
// breaking it is refused by that rule and no other.
const rulePolicies = `# one policy per rule
policy /verify/email
email_verified

policy /verify/providers
providers password google.com

policy /verify/no-anonymous
deny_providers anonymous

policy /verify/mfa
second_factor

policy /verify/totp
second_factor totp

policy /verify/tenant
tenants tenant-a tenant-b

policy /verify/recent
max_auth_age 5m

policy /verify/admin
claim_equals role admin

policy /verify/level
claim_equals level 3

policy /verify/org
claim_equals org.id "acme inc"

policy /verify/editors
claim_contains roles editor

policy /verify/has-org
claim_exists org.id

policy /verify/staff
email_verified
deny_providers anonymous
claim_contains roles staff
`

// writePolicies writes a policy file for --policies.
func writePolicies(t testing.TB, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policies.conf")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// secondFactor gives the token firebase.sign_in_second_factor.
func secondFactor(factor string) verifytest.TokenOption {
	return verifytest.Claim("firebase", map[string]any{"sign_in_provider": "password", "identities": map[string]any{},
		"sign_in_second_factor": factor})
}

func TestPolicyRules(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s), "--policies", writePolicies(t, rulePolicies))
	now := time.Now()
	tests := []struct {
		name, path string
		opts       []verifytest.TokenOption
		code       string // "" means 200
		rule       string // the rule the log names
	}{
		{"email verified, kept", "/verify/email", []verifytest.TokenOption{verifytest.Email("a@example.com", true)}, "", ""},
		{"email verified, broken", "/verify/email", []verifytest.TokenOption{verifytest.Email("a@example.com", false)}, "email_not_verified", "email_verified"},
		{"email verified, no email", "/verify/email", nil, "email_not_verified", "email_verified"},
		{"providers, kept", "/verify/providers", []verifytest.TokenOption{verifytest.SignInProvider("google.com")}, "", ""},
		{"providers, broken", "/verify/providers", []verifytest.TokenOption{verifytest.SignInProvider("anonymous")}, "provider_not_allowed", "providers"},
		{"deny providers, kept", "/verify/no-anonymous", []verifytest.TokenOption{verifytest.SignInProvider("password")}, "", ""},
		{"deny providers, broken", "/verify/no-anonymous", []verifytest.TokenOption{verifytest.SignInProvider("anonymous")}, "provider_denied", "deny_providers"},
		{"second factor, kept", "/verify/mfa", []verifytest.TokenOption{secondFactor("phone")}, "", ""},
		{"second factor, broken", "/verify/mfa", nil, "second_factor_required", "second_factor"},
		{"second factor of a kind, kept", "/verify/totp", []verifytest.TokenOption{secondFactor("totp")}, "", ""},
		{"second factor of a kind, broken", "/verify/totp", []verifytest.TokenOption{secondFactor("phone")}, "second_factor_required", "second_factor"},
		{"tenants, kept", "/verify/tenant", []verifytest.TokenOption{verifytest.Tenant("tenant-b")}, "", ""},
		{"tenants, broken", "/verify/tenant", []verifytest.TokenOption{verifytest.Tenant("tenant-c")}, "tenant_not_allowed", "tenants"},
		{"tenants, no tenant", "/verify/tenant", nil, "tenant_not_allowed", "tenants"},
		{"max auth age, kept", "/verify/recent", []verifytest.TokenOption{verifytest.AuthTime(now.Add(-time.Minute))}, "", ""},
		{"max auth age, broken", "/verify/recent", []verifytest.TokenOption{verifytest.AuthTime(now.Add(-10 * time.Minute))}, "sign_in_too_old", "max_auth_age"},
		{"claim equals, kept", "/verify/admin", []verifytest.TokenOption{verifytest.Claim("role", "admin")}, "", ""},
		{"claim equals, broken", "/verify/admin", []verifytest.TokenOption{verifytest.Claim("role", "editor")}, "claim_not_equal", "claim_equals role"},
		{"claim equals, absent", "/verify/admin", nil, "claim_not_equal", "claim_equals role"},
		{"claim equals a number, kept", "/verify/level", []verifytest.TokenOption{verifytest.Claim("level", 3.0)}, "", ""},
		{"claim equals a number, a string", "/verify/level", []verifytest.TokenOption{verifytest.Claim("level", "3")}, "claim_not_equal", "claim_equals level"},
		{"claim equals by dotted path, kept", "/verify/org", []verifytest.TokenOption{verifytest.Claim("org", map[string]any{"id": "acme inc"})}, "", ""},
		{"claim equals by dotted path, broken", "/verify/org", []verifytest.TokenOption{verifytest.Claim("org", map[string]any{"id": "acme"})}, "claim_not_equal", "claim_equals org.id"},
		{"claim equals by dotted path, a string not an object", "/verify/org", []verifytest.TokenOption{verifytest.Claim("org", "acme inc")}, "claim_not_equal", "claim_equals org.id"},
		{"claim contains, kept", "/verify/editors", []verifytest.TokenOption{verifytest.Claim("roles", []string{"viewer", "editor"})}, "", ""},
		{"claim contains, broken", "/verify/editors", []verifytest.TokenOption{verifytest.Claim("roles", []string{"viewer"})}, "claim_not_contained", "claim_contains roles"},
		{"claim contains, a string not an array", "/verify/editors", []verifytest.TokenOption{verifytest.Claim("roles", "editor")}, "claim_not_contained", "claim_contains roles"},
		{"claim exists, kept", "/verify/has-org", []verifytest.TokenOption{verifytest.Claim("org", map[string]any{"id": 7})}, "", ""},
		{"claim exists, broken", "/verify/has-org", []verifytest.TokenOption{verifytest.Claim("org", map[string]any{"name": "acme"})}, "claim_missing", "claim_exists org.id"},
		{"claim exists, null", "/verify/has-org", []verifytest.TokenOption{verifytest.Claim("org", map[string]any{"id": nil})}, "claim_missing", "claim_exists org.id"},
		{"several rules, all kept", "/verify/staff", []verifytest.TokenOption{verifytest.Email("s@example.com", true), verifytest.Claim("roles", []string{"staff"})}, "", ""},
		{"several rules, the last broken", "/verify/staff", []verifytest.TokenOption{verifytest.Email("s@example.com", true), verifytest.Claim("roles", []string{"guest"})}, "claim_not_contained", "claim_contains roles"},
		{"a path under a policy's path has its policy", "/verify/email/api/orders", []verifytest.TokenOption{verifytest.Email("a@example.com", false)}, "email_not_verified", "email_verified"},
		{"a path naming no policy: plain verification", "/verify", []verifytest.TokenOption{verifytest.Email("a@example.com", false), verifytest.SignInProvider("anonymous")}, "", ""},
		{"a path that only starts like a policy's", "/verify/emailx", []verifytest.TokenOption{verifytest.Email("a@example.com", false)}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := s.IDToken("u-"+strings.ReplaceAll(tt.name, " ", "-"), tt.opts...)
			before := len(a.stderr.String())
			resp, body := do(t, newRequest(t, http.MethodGet, a.url+tt.path, token))
			if tt.code == "" {
				if resp.StatusCode != http.StatusOK || resp.Header.Get(headerUID) == "" {
					t.Fatalf("status %d uid %q, want 200; body %s", resp.StatusCode, resp.Header.Get(headerUID), body)
				}
				return
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403; body %s", resp.StatusCode, body)
			}
			if got := resp.Header.Values("WWW-Authenticate"); len(got) != 1 || !strings.HasPrefix(got[0], `Bearer error="insufficient_scope"`) {
				t.Errorf("WWW-Authenticate %q, want one insufficient_scope challenge", got)
			}
			if resp.Header.Get(headerUID) != "" {
				t.Errorf("a 403 carries X-Firebase-Uid %q", resp.Header.Get(headerUID))
			}
			var b struct{ Error, Code, Message string }
			if err := json.Unmarshal([]byte(body), &b); err != nil || b.Error != "insufficient_scope" || b.Code != tt.code || b.Message == "" {
				t.Errorf("body %s (%v), want insufficient_scope with code %s", body, err, tt.code)
			}
			var line map[string]any
			waitFor(t, "the refusal's log line", 5*time.Second, func() bool {
				line = lastAuthLine(t, a.stderr.String()[before:])
				return line != nil
			})
			if line["code"] != tt.code || line["rule"] != tt.rule || line["status"] != 403.0 || line["expected"] == "" || line["found"] == nil {
				t.Errorf("log line %v, want code %s and rule %q with expected and found", line, tt.code, tt.rule)
			}
			if p, _ := line["policy"].(string); !strings.HasPrefix(tt.path, p) || p == "" {
				t.Errorf("log names policy %q for path %s", p, tt.path)
			}
			if strings.Contains(a.stderr.String(), strings.Split(token, ".")[2]) {
				t.Error("the log holds the token's signature")
			}
		})
	}
}

// lastAuthLine returns the last "auth" line of a JSON log, or nil.
func lastAuthLine(t testing.TB, log string) map[string]any {
	t.Helper()
	var last map[string]any
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if m["msg"] == "auth" {
			last = m
		}
	}
	return last
}

func TestPolicyLogsTheFoundValues(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s), "--policies", writePolicies(t, rulePolicies))
	do(t, newRequest(t, http.MethodGet, a.url+"/verify/admin", s.IDToken("eve", verifytest.Claim("role", "editor"))))
	var line map[string]any
	waitFor(t, "the log line", 5*time.Second, func() bool { line = lastAuthLine(t, a.stderr.String()); return line != nil })
	if line["expected"] != `role = "admin"` || line["found"] != `role = "editor"` || line["policy"] != "/verify/admin" || line["uid"] != "eve" {
		t.Errorf("log line %v", line)
	}
	if _, ok := line["duration"].(float64); !ok {
		t.Errorf("duration %v, want a number of seconds", line["duration"])
	}
}

func TestPolicyFileErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"unknown rule", "policy /verify/a\nemail_verifed\n", ":2: unknown rule \"email_verifed\""},
		{"rule before a policy", "# c\nemail_verified\n", ":2: \"email_verified\" before the first"},
		{"value on a rule without one", "policy /v/a\nemail_verified yes\n", ":2: email_verified takes no value"},
		{"empty list", "policy /v/a\nproviders\n", ":2: providers: want one or more"},
		{"bad duration", "policy /v/a\n\nmax_auth_age five\n", ":3: max_auth_age \"five\""},
		{"zero duration", "policy /v/a\nmax_auth_age 0s\n", ":2: max_auth_age \"0s\""},
		{"two durations", "policy /v/a\nmax_auth_age 5m 6m\n", ":2: max_auth_age: want one duration"},
		{"rule given twice", "policy /v/a\nemail_verified\nemail_verified\n", ":3: email_verified already given on line 2"},
		{"claim path with an empty name", "policy /v/a\nclaim_exists org..id\n", ":2: claim path \"org..id\""},
		{"claim equals without a value", "policy /v/a\nclaim_equals role\n", ":2: claim_equals: want a claim path and a value"},
		{"claim equals an object", "policy /v/a\nclaim_equals role {\"a\":1}\n", ":2: claim_equals role: value {\"a\":1}"},
		{"claim equals null", "policy /v/a\nclaim_equals role null\n", ":2: claim_equals role: value null"},
		{"claim equals a broken quoted string", "policy /v/a\nclaim_equals role \"adm\n", ":2: claim_equals role: value \"adm"},
		{"relative path", "policy verify/a\nemail_verified\n", ":1: policy path \"verify/a\""},
		{"trailing slash", "policy /verify/a/\nemail_verified\n", ":1: policy path \"/verify/a/\""},
		{"dot-dot segment", "policy /verify/../a\nemail_verified\n", ":1: policy path \"/verify/../a\""},
		{"query", "policy /verify?a\nemail_verified\n", ":1: policy path \"/verify?a\""},
		{"the server's own endpoint", "policy /metrics\nemail_verified\n", ":1: policy path \"/metrics\": /metrics is the server's own endpoint"},
		{"no path", "policy\nemail_verified\n", ":1: want \"policy PATH\""},
		{"same path twice", "policy /v/a\nemail_verified\npolicy /v/a\nsecond_factor\n", ":3: policy /v/a already defined on line 1"},
		{"path inside another", "policy /v/a\nemail_verified\npolicy /v/a/b\nsecond_factor\n", ":3: policy /v/a/b and policy /v/a (line 1): one path is inside the other"},
		{"path around another", "policy /v/a/b\nemail_verified\npolicy /v/a\nsecond_factor\n", ":3: policy /v/a and policy /v/a/b (line 1)"},
		{"policy without rules", "policy /v/a\n\npolicy /v/b\nemail_verified\n", ":1: policy /v/a has no rules"},
		{"line too long", "policy /v/a\nclaim_equals role " + strings.Repeat("x", maxPolicyLineBytes) + "\n", ":2: line longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parsePolicies("p.conf", strings.NewReader(tt.text))
			if err == nil || !strings.Contains(err.Error(), "p.conf"+tt.want) {
				t.Errorf("error %v, want one containing %q", err, "p.conf"+tt.want)
			}
		})
	}
}

func TestPolicyFileIsCheckedAtStartUp(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	bad := writePolicies(t, "policy /verify/a\nemail_verified\nrole admin\n")
	var stdout, stderr lockedBuffer
	p := &program{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	ctx, cancel := contextDone()
	defer cancel()
	if code := p.run(ctx, []string{"--project", testProject, "--keys", keyFile(t, s), "--policies", bad}); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if want := bad + `:3: unknown rule "role"`; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	if code := p.run(ctx, []string{"--project", testProject, "--keys", keyFile(t, s), "--policies", bad + ".missing"}); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

func TestClaimHeaderByDottedPath(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s),
		"--claim-header", "X-Org-Id=org.id", "--claim-header", "X-Org=org", "--claim-header", "X-Roles=roles",
		"--claim-header", "X-Level=org.level", "--claim-header", "X-Missing=org.nope.deeper")
	token := s.IDToken("u", verifytest.Claim("org", map[string]any{"id": "acme", "level": 3, "tags": []string{"a,b", "c"}}),
		verifytest.Claim("roles", []string{"admin", "staff"}))
	resp, body := do(t, newRequest(t, http.MethodGet, a.url+"/verify", token))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	want := map[string]string{
		"X-Org-Id":  "acme",
		"X-Org":     `{"id":"acme","level":3,"tags":["a,b","c"]}`,
		"X-Roles":   `["admin","staff"]`,
		"X-Level":   "3",
		"X-Missing": "",
	}
	for name, v := range want {
		if got := resp.Header.Values(name); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
}
