package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// These tests run the real nginx and Caddy (from Debian's packages; see
// ci.sh) with the configs in testdata, in front of the forward-auth
// server and an upstream that records what reaches it.

// proxyUnderTest names a proxy, how to start it, and what it turns the
// auth server's answers into.
type proxyUnderTest struct {
	name  string
	start func(t testing.TB, auth, app string) proxy
	// keysDown is the status the client gets when the auth server answers
	// 503: nginx's auth_request treats any status but 2xx, 401 and 403 as
	// an error and answers 500; Caddy's forward_auth hands the client the
	// auth server's answer, 503 and Retry-After included.
	keysDown int
}

var proxiesUnderTest = []proxyUnderTest{
	{"nginx", startNginx, http.StatusInternalServerError},
	{"caddy", startCaddy, http.StatusServiceUnavailable},
}

func TestThroughProxies(t *testing.T) {
	for _, p := range proxiesUnderTest {
		t.Run(p.name, func(t *testing.T) { testThroughProxy(t, p) })
	}
}

func testThroughProxy(t *testing.T, p proxyUnderTest) {
	s := verifytest.NewSigner(testProject)
	keys := keyFile(t, s)
	app := newUpstream(t)
	idAuth := startAuth(t, nil, "--project", testProject, "--keys", keys, "--claim-header", "X-Role=role")
	cookieAuth := startAuth(t, nil, "--project", testProject, "--keys", keys, "--session-cookie", "--cookie", "__session")
	downAuth := startAuth(t, deadKeys, "--project", testProject)
	site := p.start(t, idAuth.addr, app.addr())
	cookieSite := p.start(t, cookieAuth.addr, app.addr())
	downSite := p.start(t, downAuth.addr, app.addr())

	now := time.Now()
	good := s.IDToken("alice", verifytest.Email("alice@example.com", true), verifytest.SignInProvider("password"))
	bare := s.IDToken("bob", verifytest.WithoutClaim("firebase")) // no email, provider or tenant
	// A token near the verifier's 8 KB limit: its X-Firebase-Claims is
	// larger than nginx's default 4 KB buffer for an answer's headers.
	large := s.IDToken("dave", verifytest.Claim("role", "editor"), verifytest.Claim("perms", strings.Repeat("orders:write,", 340)))
	if n := len(large); n < 6000 || n > 8<<10 {
		t.Fatalf("the large token is %d bytes, want 6000 to 8192", n)
	}
	type check struct {
		name    string
		site    proxy
		method  string
		path    string
		headers map[string]string
		cookie  string
		status  int
		// upstream is the identity headers the upstream must see, exactly
		// one value each; nil means the request must not reach it.
		upstream map[string]string
	}
	cases := []check{
		{name: "valid token", site: site, method: "GET", path: "/api/orders?id=7", headers: map[string]string{"Authorization": "Bearer " + good},
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "alice", "X-Firebase-Email": "alice@example.com",
				"X-Firebase-Email-Verified": "true", "X-Firebase-Sign-In-Provider": "password"}},
		{name: "valid token, POST", site: site, method: "POST", path: "/api/orders", headers: map[string]string{"Authorization": "Bearer " + good},
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "alice"}},
		{name: "token near the size limit", site: site, method: "GET", path: "/", headers: map[string]string{"Authorization": "Bearer " + large},
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "dave", "X-Role": "editor"}},
		{name: "no token", site: site, method: "GET", path: "/api/orders", status: 401},
		{name: "tampered", site: site, method: "GET", path: "/", headers: map[string]string{"Authorization": "Bearer " + good[:len(good)-4] + "AAAA"}, status: 401},
		{name: "expired", site: site, method: "GET", path: "/", headers: map[string]string{"Authorization": "Bearer " + s.IDToken("alice", verifytest.IssuedAt(now.Add(-2*time.Hour)))}, status: 401},
		{name: "wrong project", site: site, method: "GET", path: "/", headers: map[string]string{"Authorization": "Bearer " + s.IDToken("alice", verifytest.Project("other"))}, status: 401},
		{name: "malformed Authorization", site: site, method: "GET", path: "/", headers: map[string]string{"Authorization": "Basic YTpi"}, status: 401},
		{name: "forged uid with a valid token for another uid", site: site, method: "GET", path: "/",
			headers: map[string]string{"Authorization": "Bearer " + good, "X-Firebase-Uid": "mallory", "X-Role": "admin"},
			status:  200, upstream: map[string]string{"X-Firebase-Uid": "alice", "X-Role": ""}},
		{name: "forged identity headers the token does not fill", site: site, method: "GET", path: "/",
			headers: map[string]string{"Authorization": "Bearer " + bare, "X-Firebase-Email": "mallory@example.com",
				"X-Firebase-Tenant": "evil", "X-Firebase-Sign-In-Provider": "password", "X-Firebase-Email-Verified": "true"},
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "bob", "X-Firebase-Email": "", "X-Firebase-Tenant": "",
				"X-Firebase-Sign-In-Provider": "", "X-Firebase-Email-Verified": "false"}},
		{name: "forged uid without a token", site: site, method: "GET", path: "/", headers: map[string]string{"X-Firebase-Uid": "mallory"}, status: 401},
		{name: "auth server's /healthz is not reachable as auth", site: site, method: "GET", path: "/healthz", status: 401},
		{name: "auth server's /metrics is not reachable as auth", site: site, method: "GET", path: "/metrics", status: 401},
		{name: "session cookie", site: cookieSite, method: "GET", path: "/", cookie: s.SessionCookie("carol"),
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "carol"}},
		{name: "ID token in the session cookie", site: cookieSite, method: "GET", path: "/", cookie: s.IDToken("carol"), status: 401},
		{name: "keys unavailable", site: downSite, method: "GET", path: "/", headers: map[string]string{"Authorization": "Bearer " + good}, status: p.keysDown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := app.count()
			req := newRequest(t, c.method, c.site.url+c.path, "")
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			if c.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "__session", Value: c.cookie})
			}
			resp, body := do(t, req)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d; body %q", resp.StatusCode, c.status, body)
			}
			if c.upstream == nil {
				if n := app.count() - before; n != 0 {
					t.Fatalf("%d requests reached the upstream, want none", n)
				}
				if c.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want the Bearer challenge", resp.Header.Get("WWW-Authenticate"))
				}
				if c.status == 503 && resp.Header.Get("Retry-After") == "" {
					t.Error("503 without Retry-After")
				}
				return
			}
			if n := app.count() - before; n != 1 {
				t.Fatalf("%d requests reached the upstream, want 1", n)
			}
			seen := app.last()
			for name, want := range c.upstream {
				got := seen.Values(name)
				if want == "" && len(got) == 0 {
					continue // removed or empty: either way not the client's
				}
				if len(got) != 1 || got[0] != want {
					t.Errorf("upstream saw %s = %q, want exactly %q", name, got, want)
				}
			}
			if body != c.upstream["X-Firebase-Uid"] {
				t.Errorf("upstream answered %q", body)
			}
		})
	}
}
