//go:build unix

// Package emulatortest runs the Firebase Auth emulator (firebase-tools)
// for the proof tests: on loopback, in its own process group, which can
// be stopped (SIGSTOP) and continued, and is ended when the test ends.
package emulatortest

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
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

// Variables read by Start: FIREBASE_BIN names the firebase CLI (ci.sh
// sets it), and RequireEnv, when set, makes a missing one a failure.
const (
	BinEnv     = "FIREBASE_BIN"
	RequireEnv = "FBVERIFY_REQUIRE_EMULATOR"
)

const (
	startupTimeout  = 120 * time.Second
	shutdownTimeout = 15 * time.Second
)

// Emulator is one Auth emulator for one project.
type Emulator struct {
	// Host is its host:port, the value of FIREBASE_AUTH_EMULATOR_HOST.
	Host    string
	Project string

	bin, dir string
	http     *http.Client
	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	out      *lockedBuffer
}

// Start runs the emulator for project and waits until it answers. It is
// stopped when the test ends. Without a firebase CLI the test is skipped,
// or failed when RequireEnv is set.
func Start(t *testing.T, project string) *Emulator {
	t.Helper()
	bin := os.Getenv(BinEnv)
	if bin == "" {
		msg := "firebase-tools is not installed: run `bash ci.sh` in verify/firebaseusers, or set " + BinEnv
		if os.Getenv(RequireEnv) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	ports := freePorts(t, 3) // auth, hub, logging
	config, err := json.Marshal(map[string]any{"emulators": map[string]any{
		"auth":    map[string]any{"host": "127.0.0.1", "port": ports[0]},
		"hub":     map[string]any{"host": "127.0.0.1", "port": ports[1]},
		"logging": map[string]any{"host": "127.0.0.1", "port": ports[2]},
		"ui":      map[string]any{"enabled": false},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "firebase.json"), config, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"home", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	e := &Emulator{Host: "127.0.0.1:" + strconv.Itoa(ports[0]), Project: project, bin: bin, dir: dir,
		http: &http.Client{Timeout: 30 * time.Second}}
	t.Cleanup(func() {
		e.stop(t)
		if t.Failed() && e.out != nil {
			t.Logf("emulator output:\n%s", e.out.String())
		}
	})
	e.start(t)
	return e
}

// start runs the CLI and waits until the emulator answers.
func (e *Emulator) start(t *testing.T) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	cmd := exec.Command(e.bin, "emulators:start", "--only", "auth", "--project", e.Project, "--non-interactive")
	cmd.Dir = e.dir
	cmd.Env = env(e.dir)
	e.out = &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = e.out, e.out
	cmd.SysProcAttr = sysProcAttr()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", e.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	e.cmd, e.exited = cmd, exited
	ready := "http://" + e.Host + "/emulator/v1/projects/" + e.Project + "/config"
	probe := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-exited:
			t.Fatalf("emulator exited before it was ready; output:\n%s", e.out.String())
		default:
		}
		if resp, err := probe.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > startupTimeout {
			t.Fatalf("emulator not ready on %s after %v; output:\n%s", e.Host, startupTimeout, e.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("auth emulator ready on %s after %v", e.Host, time.Since(start).Round(time.Millisecond))
}

// Pause stops the emulator's processes (SIGSTOP): connections are still
// accepted by the kernel, and nothing answers, as with a service that
// hangs or a network that drops packets. Continue undoes it; the users
// and their tokens are kept.
func (e *Emulator) Pause(t *testing.T) { e.signal(t, syscall.SIGSTOP) }

// Continue lets a paused emulator run again (SIGCONT).
func (e *Emulator) Continue(t *testing.T) { e.signal(t, syscall.SIGCONT) }

func (e *Emulator) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cmd == nil {
		t.Fatal("emulatortest: the emulator is not running")
	}
	if err := syscall.Kill(-e.cmd.Process.Pid, sig); err != nil {
		t.Fatalf("emulatortest: %v: %v", sig, err)
	}
}

// stop ends the emulator's process group: SIGTERM (with SIGCONT, in case
// it is paused), then SIGKILL if it is still there after shutdownTimeout.
func (e *Emulator) stop(t *testing.T) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cmd == nil {
		return
	}
	pid := e.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	_ = syscall.Kill(-pid, syscall.SIGCONT)
	select {
	case <-e.exited:
	case <-time.After(shutdownTimeout):
		t.Logf("emulator still running %v after SIGTERM; killing it", shutdownTimeout)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-e.exited
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL) // anything left in the group
	e.cmd = nil
}

// V1 is the path of the emulator's Identity Toolkit API, up to its
// version.
const V1 = "/identitytoolkit.googleapis.com/v1/"

// Post sends body as JSON to path (under http://Host) and decodes a 200's
// reply into out (if not nil). admin adds the emulator's "Bearer owner".
func (e *Emulator) Post(t *testing.T, path string, admin bool, body, out any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+e.Host+path, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if admin {
		req.Header.Set("Authorization", "Bearer owner")
	}
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s: %s", path, resp.Status, reply)
	}
	if out != nil {
		if err := json.Unmarshal(reply, out); err != nil {
			t.Fatalf("POST %s: decode %s: %v", path, reply, err)
		}
	}
}

// Account is a user to create with CreateUsers.
type Account struct {
	UID, Email, Password string
}

// CreateUsers makes the accounts through accounts:batchCreate, 1,000 a
// call, as the Admin SDKs' ImportUsers does.
func (e *Emulator) CreateUsers(t *testing.T, accounts []Account) {
	t.Helper()
	for start := 0; start < len(accounts); start += 1000 {
		var users []map[string]any
		for _, a := range accounts[start:min(start+1000, len(accounts))] {
			users = append(users, map[string]any{"localId": a.UID, "email": a.Email, "rawPassword": a.Password})
		}
		var reply struct {
			Error []struct {
				Index   int    `json:"index"`
				Message string `json:"message"`
			} `json:"error"`
		}
		e.Post(t, V1+"projects/"+e.Project+"/accounts:batchCreate", true, map[string]any{"users": users}, &reply)
		if len(reply.Error) > 0 {
			t.Fatalf("batchCreate: %d errors, the first: %+v", len(reply.Error), reply.Error[0])
		}
	}
}

// SignIn signs in with a password and returns the ID token.
func (e *Emulator) SignIn(t *testing.T, email, password string) string {
	t.Helper()
	var reply struct {
		IDToken string `json:"idToken"`
	}
	e.Post(t, V1+"accounts:signInWithPassword?key=fake-api-key", false,
		map[string]any{"email": email, "password": password, "returnSecureToken": true}, &reply)
	if reply.IDToken == "" {
		t.Fatalf("signInWithPassword %s: no idToken", email)
	}
	return reply.IDToken
}

// Revoke revokes uid's sessions as the Admin SDKs' RevokeRefreshTokens
// does: accounts:update with validSince now.
func (e *Emulator) Revoke(t *testing.T, uid string) {
	t.Helper()
	e.Post(t, V1+"projects/"+e.Project+"/accounts:update", true,
		map[string]any{"localId": uid, "validSince": strconv.FormatInt(time.Now().Unix(), 10)}, nil)
}

// Disable disables uid's account.
func (e *Emulator) Disable(t *testing.T, uid string) {
	t.Helper()
	e.Post(t, V1+"projects/"+e.Project+"/accounts:update", true,
		map[string]any{"localId": uid, "disableUser": true}, nil)
}

// freePorts reserves n loopback ports, released before the emulator binds
// them.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// env is the CLI's environment: a private HOME and TMPDIR, no prompts or
// update checks, and nothing inherited that points at real projects.
func env(dir string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "HOME", "TMPDIR", "GOOGLE_APPLICATION_CREDENTIALS", "FIREBASE_TOKEN", "GCLOUD_PROJECT",
			"FIREBASE_AUTH_EMULATOR_HOST", "FIREBASE_EMULATOR_HUB", "CI", "NO_UPDATE_NOTIFIER":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "HOME="+filepath.Join(dir, "home"), "TMPDIR="+filepath.Join(dir, "tmp"),
		"CI=true", "NO_UPDATE_NOTIFIER=1")
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
