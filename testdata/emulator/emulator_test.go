//go:build unix

package emulator_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
)

// projectID is a demo- project: the emulator needs no login and no
// network for it.
const projectID = "demo-fbverify"

const (
	startupTimeout  = 180 * time.Second
	shutdownTimeout = 15 * time.Second
	requestTimeout  = 15 * time.Second
)

// installHint tells how to get the emulator when it is missing.
const installHint = "install the pinned firebase-tools with `npm ci` in testdata/emulator " +
	"(`bash ci.sh` there does it and runs this test), or set FIREBASE_BIN to a firebase binary"

// firebaseBinary finds the firebase CLI: $FIREBASE_BIN, then the one npm ci
// puts under node_modules, then $PATH. It skips the test when there is
// none, or fails it when FBVERIFY_REQUIRE_EMULATOR is set (as ci.sh does).
func firebaseBinary(t *testing.T) string {
	t.Helper()
	skip := t.Skip
	if os.Getenv("FBVERIFY_REQUIRE_EMULATOR") != "" {
		skip = t.Fatal
	}
	bin := os.Getenv("FIREBASE_BIN")
	if bin == "" {
		local := filepath.Join("node_modules", ".bin", "firebase")
		if _, err := os.Stat(local); err == nil {
			bin = local
		} else if p, err := exec.LookPath("firebase"); err == nil {
			bin = p
		}
	}
	if bin == "" {
		skip("firebase-tools (the Firebase Auth emulator) is not installed: " + installHint)
	}
	if _, err := os.Stat(bin); err != nil {
		skip(fmt.Sprintf("FIREBASE_BIN=%s: %v: %s", bin, err, installHint))
	}
	if _, err := exec.LookPath("node"); err != nil {
		skip("node is not installed, and the firebase CLI needs it: " + installHint)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// freePorts reserves n distinct loopback ports. They are released before
// the emulator binds them, which leaves a small window for another process.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var listeners []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("reserve a loopback port: %v", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range listeners {
		l.Close()
	}
	return ports
}

// lockedBuffer collects the emulator's output from two pipes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startEmulator runs `firebase emulators:start --only auth` for projectID
// on a free loopback port and returns its host:port once it answers. The
// whole process group is stopped when the test ends, and the emulator's
// output is logged if the test failed.
func startEmulator(t *testing.T) string {
	t.Helper()
	bin := firebaseBinary(t)
	dir := t.TempDir()
	ports := freePorts(t, 3) // auth, hub, logging
	host := "127.0.0.1:" + strconv.Itoa(ports[0])
	config := map[string]any{
		"emulators": map[string]any{
			"auth":    map[string]any{"host": "127.0.0.1", "port": ports[0]},
			"hub":     map[string]any{"host": "127.0.0.1", "port": ports[1]},
			"logging": map[string]any{"host": "127.0.0.1", "port": ports[2]},
			"ui":      map[string]any{"enabled": false},
		},
	}
	data, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "firebase.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"home", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command(bin, "emulators:start", "--only", "auth", "--project", projectID, "--non-interactive")
	cmd.Dir = dir
	cmd.Env = emulatorEnv(dir)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		stopGroup(t, cmd.Process.Pid, exited)
		if t.Failed() {
			t.Logf("firebase emulator output:\n%s", out.String())
		}
	})

	ready := "http://" + host + "/emulator/v1/projects/" + projectID + "/config"
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(startupTimeout)
	for {
		select {
		case <-exited:
			t.Fatalf("firebase emulator exited before it was ready (%v); output:\n%s", waitErr, out.String())
		default:
		}
		if resp, err := client.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("firebase emulator not ready on %s after %v; output:\n%s", host, startupTimeout, out.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("auth emulator ready on %s after %v", host, time.Since(started).Round(time.Millisecond))
	return host
}

// emulatorEnv is the environment of the firebase CLI: no prompts, no
// update check, a private HOME (no stored login or settings) and TMPDIR
// (the hub's locator file), and no credentials or emulator settings
// inherited from the caller.
func emulatorEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "HOME", "TMPDIR", "GOOGLE_APPLICATION_CREDENTIALS", "FIREBASE_TOKEN", "GCLOUD_PROJECT",
			"FIREBASE_AUTH_EMULATOR_HOST", "FIREBASE_EMULATOR_HUB", "CI", "NO_UPDATE_NOTIFIER":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+filepath.Join(dir, "home"),
		"TMPDIR="+filepath.Join(dir, "tmp"),
		"CI=true",
		"NO_UPDATE_NOTIFIER=1",
	)
}

// stopGroup ends the emulator's process group: SIGTERM for a clean
// shutdown, then SIGKILL if it is not gone within shutdownTimeout.
func stopGroup(t *testing.T, pid int, exited <-chan struct{}) {
	t.Helper()
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(shutdownTimeout):
		t.Logf("firebase emulator still running %v after SIGTERM; killing it", shutdownTimeout)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-exited
	}
	// Children left behind in the group (there should be none) go too.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

// rest calls the emulator's Identity Toolkit REST API.
type rest struct {
	t    *testing.T
	base string
	http *http.Client
}

// post sends body as JSON to path and decodes the reply into out. admin
// adds the emulator's owner credential, which its admin endpoints accept.
func (c *rest) post(path string, admin bool, body, out any) {
	c.t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(data))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if admin {
		req.Header.Set("Authorization", "Bearer owner")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		c.t.Fatalf("POST %s: read reply: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("POST %s: %s: %s", path, resp.Status, reply)
	}
	if err := json.Unmarshal(reply, out); err != nil {
		c.t.Fatalf("POST %s: decode %s: %v", path, reply, err)
	}
}

type authReply struct {
	IDToken string `json:"idToken"`
	LocalID string `json:"localId"`
}

const v1 = "/identitytoolkit.googleapis.com/v1/"

// signUp creates a user (anonymous when email is empty) in tenant (none
// when empty) and returns its uid and ID token.
func (c *rest) signUp(email, password, tenant string) authReply {
	c.t.Helper()
	body := map[string]any{"returnSecureToken": true}
	if email != "" {
		body["email"], body["password"] = email, password
	}
	if tenant != "" {
		body["tenantId"] = tenant
	}
	var r authReply
	c.post(v1+"accounts:signUp?key=fake-api-key", false, body, &r)
	if r.IDToken == "" || r.LocalID == "" {
		c.t.Fatalf("signUp %q: no idToken or localId in the reply", email)
	}
	return r
}

func (c *rest) signIn(email, password string) authReply {
	c.t.Helper()
	var r authReply
	c.post(v1+"accounts:signInWithPassword?key=fake-api-key", false,
		map[string]any{"email": email, "password": password, "returnSecureToken": true}, &r)
	if r.IDToken == "" {
		c.t.Fatalf("signInWithPassword %q: no idToken in the reply", email)
	}
	return r
}

// countingKeys is a key source that records every lookup and has no keys.
type countingKeys struct{ calls atomic.Int64 }

func (k *countingKeys) PublicKey(_ context.Context, kid string) (*rsa.PublicKey, error) {
	k.calls.Add(1)
	return nil, fmt.Errorf("%w: %q", jwks.ErrUnknownKey, kid)
}

// countingTransport fails every request and counts them: a Verifier using
// it must never reach the network.
type countingTransport struct{ calls atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return nil, errors.New("emulator test: no network")
}

func newVerifier(t *testing.T, opts ...verify.Option) *verify.Verifier {
	t.Helper()
	return newVerifierOf(t, verify.New, opts...)
}

// newCookieVerifier is newVerifier for session cookies.
func newCookieVerifier(t *testing.T, opts ...verify.Option) *verify.Verifier {
	t.Helper()
	return newVerifierOf(t, verify.NewSessionCookieVerifier, opts...)
}

func newVerifierOf(t *testing.T, newV func(string, ...verify.Option) (*verify.Verifier, error), opts ...verify.Option) *verify.Verifier {
	t.Helper()
	v, err := newV(projectID, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// emulatorHeader is the part of a JOSE header the test reports.
type emulatorHeader struct {
	Algorithm string `json:"alg"`
	KeyID     string `json:"kid"`
	Type      string `json:"typ"`
}

// decodeHeader returns the JOSE header of token, for reporting its shape.
func decodeHeader(t *testing.T, token string) emulatorHeader {
	t.Helper()
	seg, _, _ := strings.Cut(token, ".")
	data, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("header of %q: %v", token, err)
	}
	var h emulatorHeader
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("header %s: %v", data, err)
	}
	return h
}

// TestEmulatorTokens gets genuine tokens from the Auth emulator (a
// password user, the same user with custom claims, an anonymous user, a
// tenant's user and a session cookie) and checks that emulator mode
// accepts each and that every other rule still refuses them where it must.
func TestEmulatorTokens(t *testing.T) {
	host := startEmulator(t)
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", host)
	c := &rest{t: t, base: "http://" + host, http: &http.Client{Timeout: requestTimeout}}

	const email, password = "ada@example.com", "correct horse battery"
	user := c.signUp(email, password, "")

	var updated struct {
		LocalID string `json:"localId"`
	}
	c.post(v1+"projects/"+projectID+"/accounts:update", true, map[string]any{
		"localId":          user.LocalID,
		"customAttributes": `{"admin":true,"plan":"pro","level":7}`,
	}, &updated)
	if updated.LocalID != user.LocalID {
		t.Fatalf("accounts:update: localId %q, want %q", updated.LocalID, user.LocalID)
	}
	withClaims := c.signIn(email, password)

	anon := c.signUp("", "", "")

	var tenant struct {
		Name     string `json:"name"`
		TenantID string `json:"tenantId"`
	}
	c.post("/identitytoolkit.googleapis.com/v2/projects/"+projectID+"/tenants", true,
		map[string]any{"displayName": "acme", "allowPasswordSignup": true, "enableAnonymousUser": true}, &tenant)
	if tenant.TenantID == "" {
		t.Fatalf("tenant create: no tenantId (name %q)", tenant.Name)
	}
	tenantUser := c.signUp("grace@acme.example", password, tenant.TenantID)

	var cookie struct {
		SessionCookie string `json:"sessionCookie"`
	}
	// No validDuration: the emulator's default, two weeks, the longest a
	// session cookie may live.
	c.post(v1+"projects/"+projectID+":createSessionCookie", true,
		map[string]any{"idToken": user.IDToken}, &cookie)
	if cookie.SessionCookie == "" {
		t.Fatal("createSessionCookie: no sessionCookie in the reply")
	}
	var shortCookie struct {
		SessionCookie string `json:"sessionCookie"`
	}
	c.post(v1+"projects/"+projectID+":createSessionCookie", true,
		map[string]any{"idToken": withClaims.IDToken, "validDuration": "3600"}, &shortCookie)

	for name, tok := range map[string]string{"id token": user.IDToken, "session cookie": cookie.SessionCookie} {
		h := decodeHeader(t, tok)
		t.Logf("emulator %s header: alg=%q typ=%q kid=%q", name, h.Algorithm, h.Type, h.KeyID)
	}

	// The verifiers under test: emulator mode must be asked for in code.
	// They have no keys at all, so an unsigned token cannot pass through
	// the signature path by accident.
	keys := &countingKeys{}
	idVerifier := newVerifier(t, verify.InsecureEmulatorMode(), verify.WithKeySource(keys))
	cookieVerifier := newCookieVerifier(t, verify.InsecureEmulatorMode(), verify.WithKeySource(keys))
	tenantVerifier := newVerifier(t, verify.InsecureEmulatorMode(), verify.WithKeySource(keys),
		verify.WithTenants(tenant.TenantID))
	ctx := context.Background()

	t.Run("accept", func(t *testing.T) {
		tests := []struct {
			name     string
			v        *verify.Verifier
			token    string
			uid      string
			email    string
			provider string
			tenant   string
			check    func(t *testing.T, tok *claims.Token)
		}{
			{name: "password user", v: idVerifier, token: user.IDToken, uid: user.LocalID, email: email, provider: "password"},
			{name: "custom claims", v: idVerifier, token: withClaims.IDToken, uid: user.LocalID, email: email, provider: "password",
				check: func(t *testing.T, tok *claims.Token) {
					var custom struct {
						Admin bool   `json:"admin"`
						Plan  string `json:"plan"`
						Level int    `json:"level"`
					}
					if err := tok.Decode(&custom); err != nil {
						t.Fatalf("Decode: %v", err)
					}
					if !custom.Admin || custom.Plan != "pro" || custom.Level != 7 {
						t.Errorf("custom claims = %+v, want admin, pro, 7", custom)
					}
				}},
			{name: "anonymous", v: idVerifier, token: anon.IDToken, uid: anon.LocalID, provider: "anonymous"},
			{name: "tenant user", v: tenantVerifier, token: tenantUser.IDToken, uid: tenantUser.LocalID,
				email: "grace@acme.example", provider: "password", tenant: tenant.TenantID},
			{name: "session cookie, two weeks", v: cookieVerifier, token: cookie.SessionCookie, uid: user.LocalID,
				email: email, provider: "password",
				check: func(t *testing.T, tok *claims.Token) {
					if want := "https://session.firebase.google.com/" + projectID; tok.Issuer != want {
						t.Errorf("iss = %q, want %q", tok.Issuer, want)
					}
					if life := tok.Expires.Sub(tok.IssuedAt); life != verify.SessionCookieMaxLifetime {
						t.Errorf("lifetime = %v, want %v", life, verify.SessionCookieMaxLifetime)
					}
				}},
			{name: "session cookie with custom claims, one hour", v: cookieVerifier, token: shortCookie.SessionCookie,
				uid: user.LocalID, email: email, provider: "password",
				check: func(t *testing.T, tok *claims.Token) {
					var custom struct {
						Admin bool `json:"admin"`
					}
					if err := tok.Decode(&custom); err != nil || !custom.Admin {
						t.Errorf("Decode: admin=%v err=%v, want admin", custom.Admin, err)
					}
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tok, err := tt.v.Verify(ctx, tt.token)
				if err != nil {
					t.Fatalf("Verify: %v (code %s)", err, verify.ErrorCode(err))
				}
				if tok.UID != tt.uid {
					t.Errorf("uid = %q, want %q", tok.UID, tt.uid)
				}
				if tok.Audience != projectID {
					t.Errorf("aud = %q, want %q", tok.Audience, projectID)
				}
				if tok.Email != tt.email {
					t.Errorf("email = %q, want %q", tok.Email, tt.email)
				}
				if tok.Firebase.SignInProvider != tt.provider {
					t.Errorf("sign_in_provider = %q, want %q", tok.Firebase.SignInProvider, tt.provider)
				}
				if tok.Firebase.Tenant != tt.tenant {
					t.Errorf("tenant = %q, want %q", tok.Firebase.Tenant, tt.tenant)
				}
				if tok.AuthTime.IsZero() || tok.AuthTime.After(time.Now().Add(time.Minute)) {
					t.Errorf("auth_time = %v, want a past time", tok.AuthTime)
				}
				if tt.check != nil {
					tt.check(t, tok)
				}
				t.Logf("payload: %s", tok.Payload)
			})
		}
		if n := keys.calls.Load(); n != 0 {
			t.Errorf("unsigned tokens looked up %d keys, want 0", n)
		}
	})

	t.Run("reject", func(t *testing.T) {
		// Emulator mode left off, as in production: the default key
		// sources, whose HTTP client counts and fails every request.
		transport := &countingTransport{}
		strict := newVerifier(t, verify.WithHTTPClient(&http.Client{Transport: transport}))
		strictCookie := newCookieVerifier(t, verify.WithHTTPClient(&http.Client{Transport: transport}))
		otherTenant := newVerifier(t, verify.InsecureEmulatorMode(), verify.WithKeySource(keys),
			verify.WithTenants("some-other-tenant"))
		otherProject, err := verify.New("demo-other", verify.InsecureEmulatorMode(), verify.WithKeySource(keys))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { otherProject.Close() })
		later := newVerifier(t, verify.InsecureEmulatorMode(), verify.WithKeySource(keys),
			verify.WithClock(func() time.Time { return time.Now().Add(2 * time.Hour) }))

		tests := []struct {
			name  string
			v     *verify.Verifier
			token string
			want  error
		}{
			{"id token without emulator mode", strict, user.IDToken, verify.ErrUnsupportedAlgorithm},
			{"custom claims without emulator mode", strict, withClaims.IDToken, verify.ErrUnsupportedAlgorithm},
			{"anonymous without emulator mode", strict, anon.IDToken, verify.ErrUnsupportedAlgorithm},
			{"tenant user without emulator mode", strict, tenantUser.IDToken, verify.ErrUnsupportedAlgorithm},
			{"session cookie without emulator mode", strictCookie, cookie.SessionCookie, verify.ErrUnsupportedAlgorithm},
			{"session cookie as id token", idVerifier, cookie.SessionCookie, verify.ErrInvalidIssuer},
			{"id token as session cookie", cookieVerifier, user.IDToken, verify.ErrInvalidIssuer},
			{"tenant user, other tenant", otherTenant, tenantUser.IDToken, verify.ErrInvalidTenant},
			{"no tenant, tenant-bound verifier", tenantVerifier, user.IDToken, verify.ErrInvalidTenant},
			{"other project", otherProject, user.IDToken, verify.ErrInvalidAudience},
			{"expired an hour ago", later, user.IDToken, verify.ErrExpired},
			{"unsigned with a signature added", idVerifier, user.IDToken + "c2ln", verify.ErrMalformed},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tok, err := tt.v.Verify(ctx, tt.token)
				if !errors.Is(err, tt.want) {
					t.Fatalf("Verify = %v, %v; want %v", tok, err, tt.want)
				}
			})
		}
		if n := transport.calls.Load(); n != 0 {
			t.Errorf("verifiers without emulator mode made %d key requests, want 0", n)
		}
		if n := keys.calls.Load(); n != 0 {
			t.Errorf("unsigned tokens looked up %d keys, want 0", n)
		}
	})

	t.Run("emulator host is only a hint", func(t *testing.T) {
		got, ok := verify.EmulatorHost()
		if !ok || got != host {
			t.Fatalf("EmulatorHost() = %q, %v; want %q, true", got, ok, host)
		}
		// The variable is set, yet a Verifier built without
		// InsecureEmulatorMode still refuses the emulator's tokens.
		v := newVerifier(t, verify.WithKeySource(keys))
		if _, err := v.Verify(ctx, user.IDToken); !errors.Is(err, verify.ErrUnsupportedAlgorithm) {
			t.Fatalf("Verify with FIREBASE_AUTH_EMULATOR_HOST set = %v, want %v", err, verify.ErrUnsupportedAlgorithm)
		}
	})
}
