package main

import (
	"bufio"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// buildBinary builds the real program into a temporary directory.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fbverify-forward-auth")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listeningLine = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// TestBinaryServesAndShutsDownOnSIGTERM runs the built program as an
// operator would: project from FIREBASE_PROJECT_ID, keys from a file; it
// answers, then exits 0 on SIGTERM.
func TestBinaryServesAndShutsDownOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	s := verifytest.NewSigner(testProject)
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--keys", keyFile(t, s))
	cmd.Env = []string{"FIREBASE_PROJECT_ID=" + testProject}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	base := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				base <- m[1]
			}
		}
	}()
	var url string
	select {
	case url = <-base:
	case <-time.After(20 * time.Second):
		t.Fatalf("no listening line; stderr:\n%s", stderr)
	}
	resp, _ := do(t, newRequest(t, http.MethodGet, url+"/anything", s.IDToken("alice")))
	if resp.StatusCode != 200 || resp.Header.Get(headerUID) != "alice" {
		t.Errorf("status %d uid %q", resp.StatusCode, resp.Header.Get(headerUID))
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("exit after SIGTERM: %v; stderr:\n%s", waitErr, stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if !regexpMatch(`"msg":"shutting down"`, stderr.String()) {
		t.Errorf("no shutdown log line:\n%s", stderr)
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
