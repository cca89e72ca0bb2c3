package main

// Tests that pin the exact edge of each rule of the program, so that a
// one-edit change to its code fails a test. Expectations are literals.

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// TestSingleTenant: one --tenant is a list of one, compared whole.
func TestSingleTenant(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s), "--tenant", "t-1")
	for _, c := range []struct {
		name   string
		token  string
		status int
	}{
		{"the tenant", s.IDToken("alice", verifytest.Tenant("t-1")), 200},
		{"a tenant it prefixes", s.IDToken("alice", verifytest.Tenant("t-10")), 401},
		{"another tenant", s.IDToken("alice", verifytest.Tenant("t-2")), 401},
		{"no tenant", s.IDToken("alice"), 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(t, newRequest(t, http.MethodGet, a.url+"/verify", c.token))
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, c.status, body)
			}
			if c.status == 401 && resp.Header.Get("X-Firebase-Uid") != "" {
				t.Fatal("a refusal carries an identity header")
			}
		})
	}
}

// TestAllowedAnswerIsNotStored: the 200 carries the user's identity, so no
// cache between the proxy and this server may keep it.
func TestAllowedAnswerIsNotStored(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s))
	resp, body := do(t, newRequest(t, http.MethodGet, a.url+"/verify", s.IDToken("alice")))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d; body %s", resp.StatusCode, body)
	}
	if got := resp.Header.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
		t.Fatalf("Cache-Control = %q, want exactly no-store", got)
	}
}

// TestHeaderValueQuotesEveryControlCharacter: any C0 control but tab, and
// DEL, sends the value as its JSON string; tab and everything printable
// (UTF-8 included) go as they are.
func TestHeaderValueQuotesEveryControlCharacter(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a\x00b", `"a\u0000b"`},
		{"a\x01b", `"a\u0001b"`},
		{"a\x1fb", `"a\u001fb"`},
		{"a\x7fb", `"a\u007fb"`},
		{"a\rb", `"a\rb"`},
		{"a\nb", `"a\nb"`},
		{"a\tb", "a\tb"},
		{"a b~", "a b~"},
		{"é\u00a0z", "é\u00a0z"},
		{"", ""},
	} {
		if got := headerValue(c.in); got != c.want {
			t.Errorf("headerValue(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Through the server: a claim header of a value with U+0001.
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s), "--claim-header", "X-Role=role")
	resp, body := do(t, newRequest(t, http.MethodGet, a.url+"/verify", s.IDToken("alice", verifytest.Claim("role", "ad\x01min"))))
	if resp.StatusCode != 200 || resp.Header.Get("X-Role") != `"ad\u0001min"` {
		t.Fatalf("status %d, X-Role %q; want 200 and \"ad\\u0001min\" quoted; body %s", resp.StatusCode, resp.Header.Get("X-Role"), body)
	}
}

// TestVerificationGivesUpAfter5s: with a key endpoint that never answers,
// a request is refused with keys_unavailable after 5 s, not after the
// 10 s the key fetch itself may take.
func TestVerificationGivesUpAfter5s(t *testing.T) {
	t.Parallel()
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(silent.Close)
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, func(verify.Kind) string { return silent.URL + "/jwks" }, "--project", testProject)
	start := time.Now()
	resp, body := do(t, newRequest(t, http.MethodGet, a.url+"/verify", s.IDToken("alice")))
	took := time.Since(start)
	if resp.StatusCode != 503 {
		t.Fatalf("status %d, want 503; body %s", resp.StatusCode, body)
	}
	if took < 4900*time.Millisecond || took > 5800*time.Millisecond {
		t.Fatalf("refused after %v, want 5s", took)
	}
}

// TestClaimHeaderNeedsBothSides: --claim-header wants a header name and a
// claim; either side empty is refused on its own.
func TestClaimHeaderNeedsBothSides(t *testing.T) {
	for _, s := range []string{"=role", "X-Role=", " = ", "X-Role", ""} {
		if _, err := parseClaimHeader(s); err == nil {
			t.Errorf("parseClaimHeader(%q) accepted", s)
		}
	}
	if _, err := parseClaimHeader("X-Role=role"); err != nil {
		t.Errorf("parseClaimHeader(%q): %v", "X-Role=role", err)
	}
}
