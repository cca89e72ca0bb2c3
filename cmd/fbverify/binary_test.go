package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests build the real fbverify binary and run it as a user would:
// arguments, standard input, standard output, exit status.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// binary builds cmd/fbverify once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "fbverify-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "fbverify")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// sh runs the binary in dir with stdin and a bare environment plus env.
func sh(t *testing.T, dir, stdin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running fbverify %v: %v", args, err)
	}
	return result{code, out.String(), errOut.String()}
}

// mustSh is sh that requires exit status 0 and returns stdout.
func mustSh(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := sh(t, dir, "", nil, args...)
	if r.code != 0 {
		t.Fatalf("fbverify %v: exit %d\nstderr: %s", args, r.code, r.stderr)
	}
	return r.stdout
}

func TestBinaryMintVerifyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	token := strings.TrimSpace(mustSh(t, dir, "mint", "--key", "test-key.pem", "--project", "demo-p", "--uid", "alice",
		"--claims", `{"admin":true,"tier":3}`))
	fi, err := os.Stat(filepath.Join(dir, "test-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("generated key has mode %v, want 0600", fi.Mode().Perm())
	}
	if err := os.WriteFile(filepath.Join(dir, "keys.json"), []byte(mustSh(t, dir, "jwks", "--key", "test-key.pem")), 0o644); err != nil {
		t.Fatal(err)
	}

	r := sh(t, dir, "", nil, "verify", "--project", "demo-p", "--keys", "keys.json", token)
	if r.code != 0 {
		t.Fatalf("verify: exit %d, stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
	var ok struct {
		Valid  bool           `json:"valid"`
		UID    string         `json:"uid"`
		Claims map[string]any `json:"claims"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ok); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	if !ok.Valid || ok.UID != "alice" || ok.Claims["admin"] != true || ok.Claims["tier"] != float64(3) || ok.Claims["aud"] != "demo-p" {
		t.Fatalf("verify output %s", r.stdout)
	}

	// The same key minted again gets the same kid: it is derived, not random.
	again := strings.TrimSpace(mustSh(t, dir, "mint", "--key", "test-key.pem", "--project", "demo-p", "--uid", "bob"))
	if r := sh(t, dir, "", nil, "verify", "--project", "demo-p", "--keys", "keys.json", again); r.code != 0 {
		t.Fatalf("second token from the saved key: exit %d, %s", r.code, r.stdout)
	}

	tests := []struct {
		name string
		env  []string
		args []string
		code int
		err  string // error code in the output line, if one is printed
	}{
		{"project from FIREBASE_PROJECT_ID", []string{"FIREBASE_PROJECT_ID=demo-p"}, []string{"--keys", "keys.json", token}, 0, ""},
		{"wrong project", nil, []string{"--project", "other-p", "--keys", "keys.json", token}, 1, "invalid_audience"},
		{"tampered signature", nil, []string{"--project", "demo-p", "--keys", "keys.json", token[:len(token)-4] + "AAAA"}, 1, "invalid_signature"},
		{"key not in the file", nil, []string{"--project", "demo-p", "--keys", "keys.json", mintWithKid(t, dir, "other-kid")}, 1, "unknown_key"},
		{"no project", nil, []string{"--keys", "keys.json", token}, 2, ""},
		{"unknown flag", nil, []string{"--project", "demo-p", "--nope", token}, 2, ""},
		{"keys file missing", nil, []string{"--project", "demo-p", "--keys", "missing.json", token}, 2, ""},
		{"keys file not a key set", nil, []string{"--project", "demo-p", "--keys", "test-key.pem", token}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sh(t, dir, "", tt.env, append([]string{"verify"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.code == 2 {
				if r.stdout != "" || r.stderr == "" {
					t.Fatalf("set-up error: stdout %q stderr %q", r.stdout, r.stderr)
				}
				return
			}
			checkVerifyLine(t, r.stdout, tt.err)
		})
	}
}

// checkVerifyLine checks the output line of fbverify verify: the error
// code wantErr ("" for a valid token) and, with it, a message.
func checkVerifyLine(t *testing.T, stdout, wantErr string) {
	t.Helper()
	var line struct {
		Valid   bool   `json:"valid"`
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(stdout), &line); err != nil {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	if line.Error != wantErr || (wantErr != "" && line.Message == "") {
		t.Fatalf("output %s, want error %q", stdout, wantErr)
	}
}

// mintWithKid mints a token in dir signed by dir's key but naming kid.
func mintWithKid(t *testing.T, dir, kid string) string {
	t.Helper()
	return strings.TrimSpace(mustSh(t, dir, "mint", "--key", "test-key.pem", "--kid", kid, "--project", "demo-p", "--uid", "x"))
}

func TestBinaryStdinBatch(t *testing.T) {
	dir := t.TempDir()
	mint := func(args ...string) string {
		return strings.TrimSpace(mustSh(t, dir, append([]string{"mint", "--key", "k.pem", "--project", "batch-p"}, args...)...))
	}
	good1 := mint("--uid", "u1")
	expired := mint("--uid", "u2", "--at", "2020-01-01T00:00:00Z")
	good3 := mint("--uid", "u3")
	otherProject := strings.TrimSpace(mustSh(t, dir, "mint", "--key", "k.pem", "--project", "elsewhere", "--uid", "u4"))
	if err := os.WriteFile(filepath.Join(dir, "keys.json"), []byte(mustSh(t, dir, "jwks", "--key", "k.pem")), 0o644); err != nil {
		t.Fatal(err)
	}
	stdin := good1 + "\n\n" + expired + "\r\n" + "not-a-token\n   \n" + good3 + "\n" + otherProject // no final newline
	r := sh(t, dir, stdin, nil, "verify", "--project", "batch-p", "--keys", "keys.json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	want := []struct {
		valid bool
		uid   string
		err   string
	}{
		{true, "u1", ""},
		{false, "", "token_expired"},
		{false, "", "malformed_token"},
		{true, "u3", ""},
		{false, "", "invalid_audience"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d output lines, want %d:\n%s", len(lines), len(want), r.stdout)
	}
	for i, w := range want {
		var got verifyResult
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatalf("line %d %q: %v", i, lines[i], err)
		}
		if got.Valid != w.valid || got.UID != w.uid || got.Error != w.err {
			t.Errorf("line %d = %s, want valid=%v uid=%q error=%q", i, lines[i], w.valid, w.uid, w.err)
		}
	}

	// All valid: exit 0.
	if r := sh(t, dir, good1+"\n"+good3+"\n", nil, "verify", "--project", "batch-p", "--keys", "keys.json"); r.code != 0 {
		t.Fatalf("all valid: exit %d, %s", r.code, r.stdout)
	}
}

func TestBinaryFixtureKeyFiles(t *testing.T) {
	dir := t.TempDir()
	fixtures, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	kidBytes, err := os.ReadFile(filepath.Join(fixtures, "signing-key.kid"))
	if err != nil {
		t.Fatal(err)
	}
	kid := strings.TrimSpace(string(kidBytes))
	token := strings.TrimSpace(mustSh(t, dir, "mint", "--key", filepath.Join(fixtures, "signing-key.pem"), "--kid", kid,
		"--project", "fixture-p", "--uid", "fixture-user"))
	withoutKid := strings.TrimSpace(mustSh(t, dir, "mint", "--key", filepath.Join(fixtures, "signing-key.pem"),
		"--project", "fixture-p", "--uid", "fixture-user"))

	// Mint's own key files in both shapes too.
	mustSh(t, dir, "mint", "--key", "own.pem", "--project", "fixture-p", "--uid", "own-user")
	for name, args := range map[string][]string{"own-jwks.json": {"jwks", "--key", "own.pem"}, "own-x509.json": {"jwks", "--key", "own.pem", "--x509"}} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(mustSh(t, dir, args...)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ownToken := strings.TrimSpace(mustSh(t, dir, "mint", "--key", "own.pem", "--project", "fixture-p", "--uid", "own-user"))

	tests := []struct {
		name, keys, token string
		code              int
	}{
		{"fixture JWKS", filepath.Join(fixtures, "jwks.json"), token, 0},
		{"fixture X.509 map", filepath.Join(fixtures, "x509.json"), token, 0},
		{"fixture key under a derived kid is unknown", filepath.Join(fixtures, "jwks.json"), withoutKid, 1},
		{"mint's JWKS", "own-jwks.json", ownToken, 0},
		{"mint's X.509 map", "own-x509.json", ownToken, 0},
		{"another key's set", "own-jwks.json", token, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sh(t, dir, "", nil, "verify", "--project", "fixture-p", "--keys", tt.keys, tt.token)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
		})
	}
}

func TestBinaryVerifyAt(t *testing.T) {
	dir := t.TempDir()
	issued := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	old := strings.TrimSpace(mustSh(t, dir, "mint", "--key", "k.pem", "--project", "at-project", "--uid", "u", "--at", issued.Format(time.RFC3339)))
	fresh := strings.TrimSpace(mustSh(t, dir, "mint", "--key", "k.pem", "--project", "at-project", "--uid", "u"))
	if err := os.WriteFile(filepath.Join(dir, "keys.json"), []byte(mustSh(t, dir, "jwks", "--key", "k.pem")), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token string
		at          []string
		code        int
		err         string
	}{
		{"old token now", old, nil, 1, "token_expired"},
		{"old token at its issue time + 30m", old, []string{"--at", issued.Add(30 * time.Minute).Format(time.RFC3339)}, 0, ""},
		{"old token at Unix seconds", old, []string{"--at", strconv.FormatInt(issued.Add(59*time.Minute).Unix(), 10)}, 0, ""},
		{"old token before it was issued", old, []string{"--at", issued.Add(-time.Hour).Format(time.RFC3339)}, 1, "issued_in_future"},
		{"fresh token now", fresh, nil, 0, ""},
		{"fresh token two hours on", fresh, []string{"--at", time.Now().Add(2 * time.Hour).Format(time.RFC3339)}, 1, "token_expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", "--project", "at-project", "--keys", "keys.json"}, tt.at...)
			r := sh(t, dir, "", nil, append(args, tt.token)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.err != "" && !strings.Contains(r.stdout, `"error":"`+tt.err+`"`) {
				t.Fatalf("stdout %s, want error %s", r.stdout, tt.err)
			}
		})
	}
}

func TestBinaryDecodeAndHelp(t *testing.T) {
	dir := t.TempDir()
	token := strings.TrimSpace(mustSh(t, dir, "mint", "--key", "k.pem", "--project", "decode-project", "--uid", "dee"))
	tampered := token[:len(token)-4] + "AAAA"
	r := sh(t, dir, "", nil, "decode", tampered)
	if r.code != 0 || !strings.Contains(r.stdout, `"verified": false`) || !strings.Contains(r.stdout, `"sub": "dee"`) {
		t.Fatalf("decode of a tampered token: exit %d stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
	if r := sh(t, dir, "", nil, "decode", "hello"); r.code != 1 || !strings.Contains(r.stderr, "segments") {
		t.Fatalf("decode of garbage: exit %d stderr %q", r.code, r.stderr)
	}
	for _, sub := range []string{"verify", "decode", "mint", "jwks", "keys"} {
		r := sh(t, dir, "", nil, sub, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: fbverify "+sub) || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%s --help: exit %d stdout %q", sub, r.code, r.stdout)
		}
	}
}
