package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// These tests run the real nginx and Caddy (from Debian's packages) and
// Traefik (built from the Go module proxy; see ci.sh) with the configs in
// testdata, in front of the forward-auth server and an upstream that
// records what reaches it.

// proxyUnderTest names a proxy, how to start it, and what it turns the
// auth server's answers into.
type proxyUnderTest struct {
	name  string
	start func(t testing.TB, auth, app string) proxy
}

// Every proxy hands the client the auth server's refusal: its status, one
// WWW-Authenticate and its JSON body (nginx through the guide's
// error_page, which asks the auth server again), and 503 with Retry-After
// when the keys are unavailable.
var proxiesUnderTest = []proxyUnderTest{
	{"nginx", startNginx},
	{"caddy", startCaddy},
	{"traefik", startTraefik},
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
	idAuth := startAuth(t, nil, "--project", testProject, "--keys", keys, "--claim-header", "X-Role=role",
		"--policies", filepath.Join("testdata", "policies.conf"))
	cookieAuth := startAuth(t, nil, "--project", testProject, "--keys", keys, "--session-cookie", "--cookie", "__session")
	downAuth := startAuth(t, deadKeys, "--project", testProject)
	site := p.start(t, idAuth.addr, app.addr())
	cookieSite := p.start(t, cookieAuth.addr, app.addr())
	downSite := p.start(t, downAuth.addr, app.addr())

	now := time.Now()
	good := s.IDToken("alice", verifytest.Email("alice@example.com", true), verifytest.SignInProvider("password"))
	staff := s.IDToken("sam", verifytest.Email("sam@example.com", true), verifytest.Claim("roles", []string{"staff"}))
	anonymousStaff := s.IDToken("anon", verifytest.Email("anon@example.com", true), verifytest.Claim("roles", []string{"staff"}),
		verifytest.SignInProvider("anonymous"))
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
		code    string // the refusal's code in its JSON body
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
		{name: "no token", site: site, method: "GET", path: "/api/orders", status: 401, code: "no_token"},
		{name: "no token, POST", site: site, method: "POST", path: "/api/orders", status: 401, code: "no_token"},
		{name: "tampered", site: site, method: "GET", path: "/", headers: map[string]string{"Authorization": "Bearer " + good[:len(good)-4] + "AAAA"}, status: 401, code: "invalid_signature"},
		{name: "expired", site: site, method: "GET", path: "/", headers: map[string]string{"Authorization": "Bearer " + s.IDToken("alice", verifytest.IssuedAt(now.Add(-2*time.Hour)))}, status: 401, code: "token_expired"},
		{name: "wrong project", site: site, method: "GET", path: "/", headers: map[string]string{"Authorization": "Bearer " + s.IDToken("alice", verifytest.Project("other"))}, status: 401, code: "invalid_audience"},
		{name: "malformed Authorization", site: site, method: "GET", path: "/", headers: map[string]string{"Authorization": "Basic YTpi"}, status: 401, code: "bad_authorization_header"},
		{name: "staff route, staff token", site: site, method: "GET", path: "/admin/users", headers: map[string]string{"Authorization": "Bearer " + staff},
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "sam"}},
		{name: "staff route, staff token, POST", site: site, method: "POST", path: "/admin/users", headers: map[string]string{"Authorization": "Bearer " + staff},
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "sam"}},
		{name: "staff route, valid token without the role", site: site, method: "GET", path: "/admin/users", headers: map[string]string{"Authorization": "Bearer " + good},
			status: 403, code: "claim_not_contained"},
		{name: "staff route, valid token without the role, POST", site: site, method: "POST", path: "/admin/users", headers: map[string]string{"Authorization": "Bearer " + good},
			status: 403, code: "claim_not_contained"},
		{name: "staff route, anonymous account", site: site, method: "GET", path: "/admin/users", headers: map[string]string{"Authorization": "Bearer " + anonymousStaff},
			status: 403, code: "provider_denied"},
		{name: "staff route, no token", site: site, method: "GET", path: "/admin/users", status: 401, code: "no_token"},
		{name: "staff route, expired", site: site, method: "GET", path: "/admin/", headers: map[string]string{"Authorization": "Bearer " + s.IDToken("sam", verifytest.IssuedAt(now.Add(-2*time.Hour)))}, status: 401, code: "token_expired"},
		{name: "plain route, valid token without the role", site: site, method: "GET", path: "/orders", headers: map[string]string{"Authorization": "Bearer " + good},
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "alice"}},
		{name: "forged uid with a valid token for another uid", site: site, method: "GET", path: "/",
			headers: map[string]string{"Authorization": "Bearer " + good, "X-Firebase-Uid": "mallory", "X-Role": "admin"},
			status:  200, upstream: map[string]string{"X-Firebase-Uid": "alice", "X-Role": ""}},
		{name: "forged identity headers the token does not fill", site: site, method: "GET", path: "/",
			headers: map[string]string{"Authorization": "Bearer " + bare, "X-Firebase-Email": "mallory@example.com",
				"X-Firebase-Tenant": "evil", "X-Firebase-Sign-In-Provider": "password", "X-Firebase-Email-Verified": "true"},
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "bob", "X-Firebase-Email": "", "X-Firebase-Tenant": "",
				"X-Firebase-Sign-In-Provider": "", "X-Firebase-Email-Verified": "false"}},
		{name: "forged uid without a token", site: site, method: "GET", path: "/", headers: map[string]string{"X-Firebase-Uid": "mallory"}, status: 401, code: "no_token"},
		{name: "auth server's /healthz is not reachable as auth", site: site, method: "GET", path: "/healthz", status: 401, code: "no_token"},
		{name: "auth server's /metrics is not reachable as auth", site: site, method: "GET", path: "/metrics", status: 401, code: "no_token"},
		{name: "session cookie", site: cookieSite, method: "GET", path: "/", cookie: s.SessionCookie("carol"),
			status: 200, upstream: map[string]string{"X-Firebase-Uid": "carol"}},
		{name: "ID token in the session cookie", site: cookieSite, method: "GET", path: "/", cookie: s.IDToken("carol"), status: 401, code: "invalid_issuer"},
		{name: "keys unavailable", site: downSite, method: "GET", path: "/", headers: map[string]string{"Authorization": "Bearer " + good}, status: 503, code: "keys_unavailable"},
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
				checkRefusal(t, resp, body, c.status, c.code)
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

// checkRefusal checks a refusal as the client gets it: one Bearer
// challenge (the insufficient_scope one on a 403), none on a 503 but
// Retry-After, and the auth server's JSON body with its code.
func checkRefusal(t *testing.T, resp *http.Response, body string, status int, code string) {
	t.Helper()
	challenges := resp.Header.Values("WWW-Authenticate")
	switch status {
	case http.StatusUnauthorized:
		if len(challenges) != 1 || !strings.HasPrefix(challenges[0], "Bearer") {
			t.Errorf("WWW-Authenticate %q, want one Bearer challenge", challenges)
		}
	case http.StatusForbidden:
		if len(challenges) != 1 || !strings.HasPrefix(challenges[0], `Bearer error="insufficient_scope"`) {
			t.Errorf("WWW-Authenticate %q, want one insufficient_scope challenge", challenges)
		}
	case http.StatusServiceUnavailable:
		if resp.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
	}
	var b errorBody
	if err := json.Unmarshal([]byte(body), &b); err != nil || b.Code != code {
		t.Errorf("body %q (%v), want the JSON body with code %s", body, err, code)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
}

// spellings returns every spelling of a header name up to '-' and '_',
// each in one of three cases: what a client may send hoping that a
// backend reads it as the header itself.
func spellings(name string) []string {
	parts := strings.Split(name, "-")
	var out []string
	for mask := 0; mask < 1<<(len(parts)-1); mask++ {
		var b strings.Builder
		b.WriteString(parts[0])
		for i, p := range parts[1:] {
			if mask&(1<<i) != 0 {
				b.WriteByte('_')
			} else {
				b.WriteByte('-')
			}
			b.WriteString(p)
		}
		s := b.String()
		switch mask % 3 {
		case 1:
			s = strings.ToLower(s)
		case 2:
			s = strings.ToUpper(s)
		}
		out = append(out, s)
	}
	return out
}

func TestSpellings(t *testing.T) {
	got := spellings("X-Firebase-Uid")
	want := []string{"X-Firebase-Uid", "x_firebase-uid", "X-FIREBASE_UID", "X_Firebase_Uid"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("spellings %q, want %q", got, want)
	}
	if n := len(spellings(headerSignInProvider)); n != 16 {
		t.Errorf("%d spellings of %s, want 16", n, headerSignInProvider)
	}
}

// TestNoSpoofedIdentityThroughProxies sends, with a valid token, every
// spelling of every identity header and of the --claim-header, up to
// case, '-' and '_', each with a forged value. The upstream reads headers
// the CGI way (X_Firebase_Uid and X-Firebase-Uid are both
// HTTP_X_FIREBASE_UID): it must see exactly the auth server's value for
// each, and never the client's.
func TestNoSpoofedIdentityThroughProxies(t *testing.T) {
	for _, p := range proxiesUnderTest {
		t.Run(p.name, func(t *testing.T) {
			s := verifytest.NewSigner(testProject)
			app := newUpstream(t)
			auth := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s), "--claim-header", "X-Role=role",
				"--policies", filepath.Join("testdata", "policies.conf"))
			site := p.start(t, auth.addr, app.addr())
			// No email, tenant or provider: those headers are empty, so a
			// forged value would stand out.
			token := s.IDToken("alice", verifytest.WithoutClaim("firebase"), verifytest.Claim("role", "editor"),
				verifytest.Claim("roles", []string{"staff"}), verifytest.Email("alice@example.com", true))
			want := map[string]string{
				headerUID: "alice", headerEmail: "alice@example.com", headerEmailVerified: "true",
				headerTenant: "", headerSignInProvider: "password", "X-Role": "editor",
			}
			names := append([]string{"X-Role"}, identityHeaders...)
			for _, path := range []string{"/api/orders", "/admin/users"} {
				req := newRequest(t, http.MethodGet, site.url+path, token)
				sent := 0
				for _, name := range names {
					for _, spelling := range spellings(name) {
						req.Header[spelling] = []string{"mallory"}
						sent++
					}
				}
				resp, body := do(t, req)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d, want 200; body %q", path, resp.StatusCode, body)
				}
				cgi := app.lastCGI()
				for _, name := range names {
					got := cgi[cgiName(name)]
					w, checked := want[name]
					if !checked { // X-Firebase-Claims: the verified payload
						if len(got) != 1 || got[0] == "mallory" {
							t.Errorf("%s: %s = %q, want the auth server's one value", path, cgiName(name), got)
						}
						continue
					}
					if w == "" && len(got) == 0 {
						continue
					}
					if len(got) != 1 || got[0] != w {
						t.Errorf("%s: %s = %q, want exactly [%q]", path, cgiName(name), got, w)
					}
				}
				for k, vs := range cgi {
					for _, v := range vs {
						if strings.Contains(v, "mallory") {
							t.Errorf("%s: the client's value reached the upstream as %s", path, k)
						}
					}
				}
				t.Logf("%s: %d spellings sent; none reached the upstream", path, sent)
			}
		})
	}
}

// TestNginxGuideRefusesDebiansStockSite: with Debian's stock site still
// enabled, the guide's file (listen 80 default_server) makes nginx -t
// fail loudly, instead of the stock site answering every request.
func TestNginxGuideRefusesDebiansStockSite(t *testing.T) {
	bin := findProxy(t, "nginx")
	const stockSite = "/etc/nginx/sites-available/default"
	stock, err := os.ReadFile(stockSite)
	if err != nil {
		t.Skipf("no stock site at %s: %v", stockSite, err)
	}
	dir := t.TempDir()
	port := freePort(t)
	stockConf := strings.NewReplacer(
		"listen 80 default_server;", "listen 127.0.0.1:"+strconv.Itoa(port)+" default_server;",
		"listen [::]:80 default_server;", "",
	).Replace(string(stock))
	site := proxyConfig(t, "nginx-site.conf", dir, "127.0.0.1:1", "127.0.0.1:2", port, freePort(t))
	main := strings.ReplaceAll(proxyConfig(t, "nginx.conf", dir, "127.0.0.1:1", "127.0.0.1:2", port, freePort(t)),
		"include {{SITE}};", "include "+filepath.Join(dir, "stock.conf")+";\n    include "+filepath.Join(dir, "fbverify.conf")+";")
	for name, text := range map[string]string{"stock.conf": stockConf, "fbverify.conf": site, "nginx.conf": main} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(bin, "-t", "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "duplicate default server") {
		t.Errorf("nginx -t with the stock site: %v\n%s\nwant a failure naming the duplicate default server", err, out)
	}
}

// TestTraefikStripsEverySpelling checks, without running Traefik, that
// testdata/traefik.yml names every spelling with an underscore of each
// header the guide's Traefik passes on: Traefik deletes headers by name
// only, so a header added to authResponseHeaders needs its spellings too.
func TestTraefikStripsEverySpelling(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "traefik.yml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	stripped := map[string]bool{}
	var passed []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if name, ok := strings.CutSuffix(line, `: ""`); ok {
			stripped[http.CanonicalHeaderKey(name)] = true
		}
		if name, ok := strings.CutPrefix(line, "- X-"); ok {
			passed = append(passed, "X-"+strings.Fields(name)[0])
		}
	}
	if len(passed) != len(identityHeaders)+1 {
		t.Fatalf("authResponseHeaders %q, want the identity headers and X-Role", passed)
	}
	for _, name := range passed {
		for _, s := range spellings(name) {
			if strings.Contains(s, "_") && !stripped[http.CanonicalHeaderKey(s)] {
				t.Errorf("strip-identity-spellings lacks %s", s)
			}
		}
	}
}
