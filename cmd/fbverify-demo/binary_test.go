package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests build the real fbverify-demo binary, start it on a free
// loopback port, and talk to it over HTTP as a user with curl would.

// buildDemo builds the binary into a temporary directory.
func buildDemo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fbverify-demo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// demoProcess is a running demo.
type demoProcess struct {
	cmd    *exec.Cmd
	base   string        // http://127.0.0.1:port, from the listening line
	stdout *lockedBuffer // everything printed so far
	stderr *lockedBuffer // the request log
	exited chan error
}

// startDemo starts the binary with args and env, and waits (bounded) for
// its "listening on" line. It is killed at the end of the test if it still
// runs.
func startDemo(t *testing.T, bin string, env []string, args ...string) *demoProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &demoProcess{cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			_ = cmd.Process.Kill()
			<-d.exited
		}
	})
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(d.stdout, line)
			if rest, found := strings.CutPrefix(line, "fbverify-demo: listening on "); found {
				listening <- rest
			}
		}
		err := cmd.Wait()
		close(listening)
		d.exited <- err
	}()
	select {
	case base, ok := <-listening:
		if !ok {
			t.Fatalf("demo exited before listening; stdout %s stderr %s", d.stdout, d.stderr)
		}
		d.base = base
	case <-time.After(20 * time.Second):
		t.Fatalf("no listening line within 20s; stdout %s stderr %s", d.stdout, d.stderr)
	}
	return d
}

// waitHealthy polls /healthz until it answers 200, for at most 10 s.
func (d *demoProcess) waitHealthy(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(d.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz not healthy within 10s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGINT and requires a clean exit within 10 s.
func (d *demoProcess) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.exited:
		d.exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("demo exited with %v after SIGINT; stderr %s", err, d.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("demo did not stop within 10s of SIGINT")
	}
}

func call(t *testing.T, method, url, body, bearer string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestBinaryDemoOffline(t *testing.T) {
	bin := buildDemo(t)
	d := startDemo(t, bin, nil)
	if !strings.HasPrefix(d.base, "http://127.0.0.1:") || strings.HasSuffix(d.base, ":0") {
		t.Fatalf("listening line gives %q, want the actual loopback port", d.base)
	}
	d.waitHealthy(t)

	if status, body := call(t, "GET", d.base+"/whoami", "", ""); status != http.StatusUnauthorized {
		t.Fatalf("without a token: %d %s", status, body)
	}
	status, body := call(t, "POST", d.base+"/dev/token", `{"uid":"alice","claims":{"admin":true}}`, "")
	if status != http.StatusOK {
		t.Fatalf("/dev/token: %d %s", status, body)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(body), &tok); err != nil || tok.Token == "" {
		t.Fatalf("/dev/token body %s: %v", body, err)
	}
	status, body = call(t, "GET", d.base+"/whoami", "", tok.Token)
	if status != http.StatusOK || !strings.Contains(body, `"uid":"alice"`) || !strings.Contains(body, `"admin":true`) {
		t.Fatalf("with the token: %d %s", status, body)
	}
	tampered := tok.Token[:len(tok.Token)-4] + "AAAA"
	status, body = call(t, "GET", d.base+"/whoami", "", tampered)
	if status != http.StatusUnauthorized || !strings.Contains(body, "invalid_signature") {
		t.Fatalf("with a tampered token: %d %s", status, body)
	}

	d.stop(t)
	log := d.stderr.String()
	if !strings.Contains(log, "uid=alice") || !strings.Contains(log, "code=invalid_signature") {
		t.Errorf("request log lacks uid or code:\n%s", log)
	}
	if strings.Contains(log, tok.Token[:40]) {
		t.Errorf("request log contains the token:\n%s", log)
	}
	out := d.stdout.String()
	if !strings.Contains(out, "curl -s -X POST "+d.base+"/dev/token") {
		t.Errorf("no curl command in stdout:\n%s", out)
	}
}

func TestBinaryDemoProjectMode(t *testing.T) {
	bin := buildDemo(t)
	d := startDemo(t, bin, []string{"FIREBASE_PROJECT_ID=my-real-project"})
	d.waitHealthy(t)
	if status, body := call(t, "POST", d.base+"/dev/token", `{"uid":"alice"}`, ""); status != http.StatusNotFound {
		t.Fatalf("/dev/token in project mode: %d %s, want 404", status, body)
	}
	if status, _ := call(t, "GET", d.base+"/whoami", "", ""); status != http.StatusUnauthorized {
		t.Fatalf("whoami without a token: %d", status)
	}
	if !strings.Contains(d.stdout.String(), `"my-real-project"`) {
		t.Errorf("stdout does not name the project: %s", d.stdout)
	}
	d.stop(t)
}

func TestBinaryDemoEmulatorMode(t *testing.T) {
	bin := buildDemo(t)
	d := startDemo(t, bin, nil, "--emulator")
	d.waitHealthy(t)
	status, body := call(t, "POST", d.base+"/dev/token", `{"uid":"emu-user","kind":"emulator_token"}`, "")
	var tok struct{ Token string }
	if status != http.StatusOK || json.Unmarshal([]byte(body), &tok) != nil {
		t.Fatalf("/dev/token: %d %s", status, body)
	}
	if status, body := call(t, "GET", d.base+"/whoami", "", tok.Token); status != http.StatusOK || !strings.Contains(body, `"uid":"emu-user"`) {
		t.Fatalf("an emulator token with --emulator: %d %s", status, body)
	}
	if status, body := call(t, "GET", d.base+"/", "", ""); status != http.StatusOK || !strings.Contains(body, "Token inspector") {
		t.Fatalf("GET /: %d %s", status, body)
	}
	d.stop(t)
	if !strings.Contains(d.stderr.String(), "WARNING: --emulator accepts unsigned tokens that anyone can forge") {
		t.Errorf("no warning on stderr:\n%s", d.stderr)
	}
}

func TestBinaryDemoUsage(t *testing.T) {
	bin := buildDemo(t)
	for _, tt := range []struct {
		args []string
		code int
	}{{[]string{"--help"}, 0}, {[]string{"--nope"}, 2}, {[]string{"extra"}, 2}, {[]string{"--addr", "256.0.0.1:99999"}, 1}} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			out, err := cmd.CombinedOutput()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, out)
			}
			if tt.code == 0 && !strings.Contains(string(out), "Examples:") {
				t.Fatalf("help without examples: %s", out)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for the process's writes and the
// test's reads.
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
