package main

import (
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
// of every request that reaches it and answers with the uid it saw.
type upstream struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []http.Header
}

func newUpstream(t testing.TB) *upstream {
	t.Helper()
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := http.Header{}
		for k, v := range r.Header {
			if strings.HasPrefix(k, "X-Firebase-") || k == "X-Role" {
				h[k] = v
			}
		}
		u.mu.Lock()
		u.seen = append(u.seen, h)
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

// proxy is a running nginx or Caddy.
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
		"listen 80;", "listen 127.0.0.1:"+strconv.Itoa(port)+";",
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

// startNginx runs nginx with testdata/nginx.conf in front of auth and app.
func startNginx(t testing.TB, auth, app string) proxy {
	t.Helper()
	bin := findProxy(t, "nginx")
	dir := t.TempDir()
	port, baseline := freePort(t), freePort(t)
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(proxyConfig(t, "nginx.conf", dir, auth, app, port, baseline)), 0o600); err != nil {
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
