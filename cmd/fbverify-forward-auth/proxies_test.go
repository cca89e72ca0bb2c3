package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// requireProxiesEnv, set to 1 (ci.sh does), makes a missing nginx or
// caddy binary a failure instead of a skip.
const requireProxiesEnv = "FBVERIFY_REQUIRE_PROXIES"

// findProxy returns the path of a proxy binary, or skips the test (fails
// it when requireProxiesEnv is set) if it is not installed.
func findProxy(t testing.TB, name string) string {
	t.Helper()
	for _, p := range []string{name, "/usr/sbin/" + name, "/usr/bin/" + name} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv(requireProxiesEnv) == "1" {
		t.Fatalf("%s is not installed, and %s=1 requires it (apt-get install -y nginx-light caddy)", name, requireProxiesEnv)
	}
	t.Skipf("%s is not installed (apt-get install -y nginx-light caddy; cmd/fbverify-forward-auth/ci.sh does)", name)
	return ""
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// upstream is the app behind the proxy: it records the identity headers
// of every request that reaches it, and every header as a CGI, WSGI or
// PHP backend reads it (HTTP_X_FIREBASE_UID for X-Firebase-Uid and for
// X_Firebase_Uid alike), and answers with the uid it saw.
type upstream struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []http.Header
	cgi  []map[string][]string
}

func newUpstream(t testing.TB) *upstream {
	t.Helper()
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := http.Header{}
		cgi := map[string][]string{}
		for k, v := range r.Header {
			if strings.HasPrefix(k, "X-Firebase-") || k == "X-Role" {
				h[k] = v
			}
			cgi[cgiName(k)] = append(cgi[cgiName(k)], v...)
		}
		u.mu.Lock()
		u.seen = append(u.seen, h)
		u.cgi = append(u.cgi, cgi)
		u.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(strings.Join(r.Header.Values("X-Firebase-Uid"), ",")))
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) addr() string { return u.srv.Listener.Addr().String() }

// count is the number of requests that reached the upstream.
func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.seen)
}

// last is the identity headers of the last request that reached it.
func (u *upstream) last() http.Header {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.seen) == 0 {
		return nil
	}
	return u.seen[len(u.seen)-1]
}

// lastCGI is every header of the last request that reached it, by the
// name a CGI backend reads, with every value sent under any spelling.
func (u *upstream) lastCGI() map[string][]string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.cgi) == 0 {
		return nil
	}
	return u.cgi[len(u.cgi)-1]
}

// proxy is a running nginx, Caddy or Traefik.
type proxy struct {
	url      string // the protected site
	baseline string // the same app without auth (nginx only), or ""
	stop     func() // stops it now (it also stops when the test ends)
}

// proxyConfig reads a config kept in testdata and points it at auth and
// app, listening on port (and the baseline on baselinePort).
func proxyConfig(t testing.TB, file, dir, auth, app string, port, baselinePort int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must reach the temporary directory
	}
	return strings.NewReplacer(
		"127.0.0.1:4181", auth,
		"127.0.0.1:8080", app,
		"listen 80 ", "listen 127.0.0.1:"+strconv.Itoa(port)+" ",
		":80 {", "http://:"+strconv.Itoa(port)+" {\n\tbind 127.0.0.1",
		"{{BASELINE}}", "127.0.0.1:"+strconv.Itoa(baselinePort),
		"{{DIR}}", dir,
		"{{USER}}", user,
	).Replace(string(b))
}

// startProcess starts cmd and stops it (SIGTERM, then SIGKILL) when the
// test ends, or sooner through the returned func; it waits until port
// accepts connections.
func startProcess(t testing.TB, cmd *exec.Cmd, port int, logFile string) (stop func()) {
	t.Helper()
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
			}
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return stop
		}
		select {
		case <-exited:
			logs, _ := os.ReadFile(logFile)
			t.Fatalf("%s exited: %s\n%s", cmd.Path, out, logs)
		default:
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(logFile)
			t.Fatalf("%s does not listen on %d: %s\n%s", cmd.Path, port, out, logs)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// startNginx runs nginx with testdata/nginx-site.conf, the guide's file,
// inside testdata/nginx.conf, in front of auth and app.
func startNginx(t testing.TB, auth, app string) proxy {
	return startNginxSite(t, auth, app, "")
}

// startNginxSite is startNginx with the site file changed by edit, if not
// empty: its lines that hold edit are left out.
func startNginxSite(t testing.TB, auth, app, without string) proxy {
	t.Helper()
	bin := findProxy(t, "nginx")
	dir := t.TempDir()
	port, baseline := freePort(t), freePort(t)
	site := proxyConfig(t, "nginx-site.conf", dir, auth, app, port, baseline)
	if without != "" {
		var kept []string
		for _, l := range strings.Split(site, "\n") {
			if !strings.Contains(l, without) {
				kept = append(kept, l)
			}
		}
		site = strings.Join(kept, "\n")
	}
	siteFile := filepath.Join(dir, "fbverify.conf")
	if err := os.WriteFile(siteFile, []byte(site), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "nginx.conf")
	main := strings.ReplaceAll(proxyConfig(t, "nginx.conf", dir, auth, app, port, baseline), "{{SITE}}", siteFile)
	if err := os.WriteFile(conf, []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log")).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	stop := startProcess(t, exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log")), port, filepath.Join(dir, "error.log"))
	return proxy{url: "http://127.0.0.1:" + strconv.Itoa(port), baseline: "http://127.0.0.1:" + strconv.Itoa(baseline), stop: stop}
}

// startCaddy runs caddy with testdata/Caddyfile in front of auth and app.
func startCaddy(t testing.TB, auth, app string) proxy {
	t.Helper()
	bin := findProxy(t, "caddy")
	dir := t.TempDir()
	port := freePort(t)
	conf := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(conf, []byte(proxyConfig(t, "Caddyfile", dir, auth, app, port, 0)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--config", conf, "--adapter", "caddyfile")
	cmd.Env = []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	stop := startProcess(t, cmd, port, "")
	return proxy{url: "http://127.0.0.1:" + strconv.Itoa(port), stop: stop}
}

// Traefik is not packaged for Debian; ci.sh builds v3.6.12 from the Go
// module proxy into traefikCache, and the tests use that binary.
const (
	traefikVersion    = "v3.6.12"
	traefikEnv        = "FBVERIFY_TRAEFIK"         // a Traefik binary to use instead
	requireTraefikEnv = "FBVERIFY_REQUIRE_TRAEFIK" // 1: a missing Traefik fails
)

// traefikCache is where ci.sh keeps the Traefik it built.
func traefikCache() string {
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "fbverify", "traefik-"+traefikVersion)
}

// findTraefik returns the Traefik binary, or skips the test, saying why
// (fails it when requireTraefikEnv is set).
func findTraefik(t testing.TB) string {
	t.Helper()
	path := os.Getenv(traefikEnv)
	if path == "" {
		path = traefikCache()
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return path
	}
	msg := fmt.Sprintf("Traefik %s is not built at %s (ci.sh builds it from the Go module proxy; or set %s)", traefikVersion, path, traefikEnv)
	if os.Getenv(requireTraefikEnv) == "1" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED, Traefik not run: " + msg)
	return ""
}

// startTraefik runs Traefik with testdata/traefik-static.yml and the
// dynamic configuration testdata/traefik.yml in front of auth and app.
func startTraefik(t testing.TB, auth, app string) proxy {
	t.Helper()
	bin := findTraefik(t)
	dir := t.TempDir()
	port := freePort(t)
	dynamic := filepath.Join(dir, "fbverify.yml")
	if err := os.WriteFile(dynamic, []byte(proxyConfig(t, "traefik.yml", dir, auth, app, port, 0)), 0o600); err != nil {
		t.Fatal(err)
	}
	static := strings.NewReplacer(
		`":80"`, `"127.0.0.1:`+strconv.Itoa(port)+`"`,
		"/etc/traefik/dynamic/fbverify.yml", dynamic,
	).Replace(proxyConfig(t, "traefik-static.yml", dir, auth, app, port, 0))
	conf := filepath.Join(dir, "traefik.yml")
	if err := os.WriteFile(conf, []byte(static), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--configFile="+conf)
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	stop := startProcess(t, cmd, port, "")
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	// The entry point listens before the file provider's routers are in:
	// wait until a request is routed (refused by the auth server) rather
	// than answered 404.
	waitFor(t, "Traefik's routers", 15*time.Second, func() bool {
		resp, err := http.Get(url + "/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode != http.StatusNotFound
	})
	return proxy{url: url, stop: stop}
}
