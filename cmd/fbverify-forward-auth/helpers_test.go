package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const testProject = "fwd-project"

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// authServer is a forward-auth server running in the test's process, on
// a free loopback port, through the same run function as the binary.
type authServer struct {
	addr   string // host:port
	url    string // http://host:port
	stdout *lockedBuffer
	stderr *lockedBuffer // the JSON log
}

// keyFile writes the signer's keys as a JWK Set file for --keys.
func keyFile(t testing.TB, s *verifytest.Signer) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, s.JWKS(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startAuth runs the server with args (and --addr 127.0.0.1:0) until the
// test ends. keysURL, if not nil, stands in for Google's endpoint.
func startAuth(t testing.TB, keysURL func(verify.Kind) string, args ...string) *authServer {
	t.Helper()
	a := &authServer{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	listening := make(chan net.Addr, 1)
	p := &program{
		stdout: a.stdout, stderr: a.stderr,
		getenv:    func(string) string { return "" },
		keysURL:   keysURL,
		listening: func(addr net.Addr) { listening <- addr },
	}
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	go func() { exited <- p.run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exited:
			if code != 0 {
				t.Errorf("server exited with %d after shutdown; stderr:\n%s", code, a.stderr)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("server did not shut down")
		}
	})
	select {
	case addr := <-listening:
		a.addr = addr.String()
		a.url = "http://" + a.addr
	case code := <-exited:
		t.Fatalf("server exited with %d; stderr:\n%s", code, a.stderr)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	return a
}

// deadKeys is a key endpoint on loopback where nothing listens.
func deadKeys(verify.Kind) string { return "http://127.0.0.1:1/jwks" }

// do sends one request with a client that keeps no connections.
func do(t testing.TB, req *http.Request) (*http.Response, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

// newRequest builds a request; a non-empty token goes in Authorization.
func newRequest(t testing.TB, method, url, token string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// waitFor polls cond every 20ms for up to limit.
func waitFor(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// contextDone returns a context that is already cancelled: run starts,
// listens, and shuts down at once.
func contextDone() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx, cancel
}
