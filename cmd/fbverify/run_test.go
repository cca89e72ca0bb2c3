package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const testProject = "fbverify-cli-test"

// fixedNow is the clock of the in-process tests.
var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// result is one invocation's outcome.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command in-process with the given seams.
func runCLI(t *testing.T, c *cli, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	c.stdin, c.stdout, c.stderr = strings.NewReader(stdin), &out, &errOut
	if c.getenv == nil {
		c.getenv = func(string) string { return "" }
	}
	if c.now == nil {
		c.now = func() time.Time { return fixedNow }
	}
	code := c.run(args)
	return result{code, out.String(), errOut.String()}
}

// verdicts decodes verify's output, one JSON object per line.
func verdicts(t *testing.T, stdout string) []verifyResult {
	t.Helper()
	var out []verifyResult
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		if line == "" {
			continue
		}
		var r verifyResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("output line %q is not JSON: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

// keyServer is a verifytest signer whose key server the CLI fetches from
// instead of Google's.
func keyServer(t *testing.T) (*verifytest.Signer, *cli) {
	t.Helper()
	s := verifytest.NewSigner(testProject, verifytest.WithClock(func() time.Time { return fixedNow }))
	t.Cleanup(s.Close)
	base := s.URL()
	c := &cli{keyURL: func(k verify.Kind) string {
		if k == verify.SessionCookie {
			return base + "/x509"
		}
		return base + "/jwks"
	}}
	return s, c
}

func TestVerifyUnsignedTokenFetchesNoKey(t *testing.T) {
	s, c := keyServer(t)
	r := runCLI(t, c, "", "verify", "--project", testProject, s.EmulatorIDToken("u1"))
	if r.code != exitInvalid {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, exitInvalid, r.stderr)
	}
	v := verdicts(t, r.stdout)
	if len(v) != 1 || v[0].Valid || v[0].Error != "unsupported_algorithm" {
		t.Fatalf("verdicts %+v, want one unsupported_algorithm", v)
	}
	if n := s.Requests(); n != 0 {
		t.Fatalf("the key server got %d requests for an unsigned token, want 0", n)
	}
	// The same seam does fetch for a signed token: the zero above is not
	// for want of a wire.
	r = runCLI(t, c, "", "verify", "--project", testProject, s.IDToken("u1"))
	if r.code != exitOK || s.Requests() == 0 {
		t.Fatalf("signed token: exit %d, %d key requests; stdout %s stderr %s", r.code, s.Requests(), r.stdout, r.stderr)
	}
}

func TestVerifyEmulatorMode(t *testing.T) {
	s, c := keyServer(t)
	r := runCLI(t, c, "", "verify", "--emulator", "--project", testProject, s.EmulatorIDToken("emu-user"))
	if r.code != exitOK {
		t.Fatalf("exit %d; stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
	if v := verdicts(t, r.stdout); len(v) != 1 || !v[0].Valid || v[0].UID != "emu-user" {
		t.Fatalf("verdicts %+v", v)
	}
	if !strings.Contains(r.stderr, "WARNING") {
		t.Fatalf("no warning on stderr: %q", r.stderr)
	}
	if s.Requests() != 0 {
		t.Fatalf("%d key requests for an unsigned token", s.Requests())
	}
	// Other rules still apply in emulator mode.
	r = runCLI(t, c, "", "verify", "--emulator", "--project", testProject,
		s.EmulatorIDToken("emu-user", verifytest.Project("other-project")))
	if v := verdicts(t, r.stdout); r.code != exitInvalid || len(v) != 1 || v[0].Error != "invalid_audience" {
		t.Fatalf("other project in emulator mode: exit %d, verdicts %+v", r.code, v)
	}
}

func TestVerifyFlags(t *testing.T) {
	s, c := keyServer(t)
	tests := []struct {
		name  string
		args  []string
		token string
		code  int
		err   string
	}{
		{"session cookie accepted with --session-cookie", []string{"--session-cookie"}, s.SessionCookie("u1"), exitOK, ""},
		{"session cookie refused as ID token", nil, s.SessionCookie("u1"), exitInvalid, "invalid_issuer"},
		{"ID token refused as session cookie", []string{"--session-cookie"}, s.IDToken("u1"), exitInvalid, "invalid_issuer"},
		{"tenant matches", []string{"--tenant", "t-1"}, s.IDToken("u1", verifytest.Tenant("t-1")), exitOK, ""},
		{"one of several tenants", []string{"--tenant", "t-0,t-1"}, s.IDToken("u1", verifytest.Tenant("t-1")), exitOK, ""},
		{"tenant missing", []string{"--tenant", "t-1"}, s.IDToken("u1"), exitInvalid, "invalid_tenant"},
		{"leeway covers 2m of skew", []string{"--leeway", "3m"}, s.IDToken("u1", verifytest.IssuedAt(fixedNow.Add(2*time.Minute))), exitOK, ""},
		{"default leeway does not", nil, s.IDToken("u1", verifytest.IssuedAt(fixedNow.Add(2*time.Minute))), exitInvalid, "issued_in_future"},
		{"flag after the token", nil, s.IDToken("u1"), exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", "--project", testProject}, tt.args...)
			args = append(args, tt.token)
			if tt.name == "flag after the token" {
				args = []string{"verify", tt.token, "--project", testProject}
			}
			r := runCLI(t, c, "", args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
			v := verdicts(t, r.stdout)
			if len(v) != 1 || v[0].Error != tt.err {
				t.Fatalf("verdicts %+v, want error %q", v, tt.err)
			}
		})
	}
}

func TestVerifyProjectFromEnvironment(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		code int
	}{
		{"FIREBASE_PROJECT_ID", map[string]string{"FIREBASE_PROJECT_ID": testProject}, exitOK},
		{"GOOGLE_CLOUD_PROJECT", map[string]string{"GOOGLE_CLOUD_PROJECT": testProject}, exitOK},
		{"FIREBASE_PROJECT_ID wins", map[string]string{"FIREBASE_PROJECT_ID": testProject, "GOOGLE_CLOUD_PROJECT": "other-project"}, exitOK},
		{"wrong project", map[string]string{"FIREBASE_PROJECT_ID": "other-project"}, exitInvalid},
		{"none", nil, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := keyServer(t)
			c.getenv = func(k string) string { return tt.env[k] }
			if r := runCLI(t, c, "", "verify", s.IDToken("u1")); r.code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
		})
	}
}

func TestVerifyKeysUnavailableIsSetUpError(t *testing.T) {
	s := verifytest.NewSigner(testProject, verifytest.WithClock(func() time.Time { return fixedNow }))
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	c := &cli{keyURL: func(verify.Kind) string { return down.URL }}
	r := runCLI(t, c, "", "verify", "--project", testProject, s.IDToken("u1"))
	v := verdicts(t, r.stdout)
	if r.code != exitUsage || len(v) != 1 || v[0].Error != "keys_unavailable" {
		t.Fatalf("exit %d verdicts %+v, want 2 and keys_unavailable", r.code, v)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", []string{"verify", "--project", "my-project", "--bogus", "x"}, "flag provided but not defined"},
		{"no project", []string{"verify", "x"}, "no project"},
		{"missing key file", []string{"verify", "--project", "my-project", "--keys", "/nonexistent/keys.json", "x"}, "no such file"},
		{"bad --at", []string{"verify", "--project", "my-project", "--at", "yesterday", "x"}, "RFC 3339"},
		{"leeway too large", []string{"verify", "--project", "my-project", "--leeway", "1h", "x"}, "WithLeeway"},
		{"decode two tokens", []string{"decode", "a", "b"}, "want one token"},
		{"mint without key", []string{"mint", "--project", "my-project", "--uid", "u"}, "--key is required"},
		{"mint without uid", []string{"mint", "--project", "my-project", "--key", "k.pem"}, "--uid is required"},
		{"mint bad claims", []string{"mint", "--project", "my-project", "--uid", "u", "--key", "k.pem", "--claims", "[1]"}, "JSON object"},
		{"jwks without key", []string{"jwks"}, "--key is required"},
		{"keys without fetch", []string{"keys"}, `want "fetch"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, &cli{}, "", tt.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr %s", r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("stderr %q does not mention %q", r.stderr, tt.want)
			}
		})
	}
}

func TestVerifyEmptyInputIsUsageError(t *testing.T) {
	r := runCLI(t, &cli{}, "\n  \n", "verify", "--project", testProject)
	if r.code != exitUsage || r.stdout != "" {
		t.Fatalf("exit %d stdout %q, want 2 and nothing", r.code, r.stdout)
	}
}

func TestVerifyLongLine(t *testing.T) {
	s, c := keyServer(t)
	long := strings.Repeat("a", verify.DefaultMaxTokenBytes+10)
	in := s.IDToken("first") + "\n" + long + "\n" + s.IDToken("third") + "\n"
	r := runCLI(t, c, in, "verify", "--project", testProject)
	v := verdicts(t, r.stdout)
	if len(v) != 3 || !v[0].Valid || v[1].Error != "token_too_large" || !v[2].Valid || v[2].UID != "third" {
		t.Fatalf("verdicts %+v", v)
	}
	if !strings.Contains(v[1].Message, strconv.Itoa(verify.DefaultMaxTokenBytes+10)+" bytes") {
		t.Fatalf("message %q does not give the line's length", v[1].Message)
	}
}

func TestEachLine(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"CRLF", "a\r\nb\r\n", []string{"a", "b"}},
		{"blank lines kept for the caller", "a\n\nb\n", []string{"a", "", "b"}},
		{"too long", "abc\n" + strings.Repeat("x", 20) + "\nd", []string{"abc", "<20>", "d"}},
		{"exactly the limit", "12345678\r\n123456789", []string{"12345678", "<9>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			_, err := eachLine(strings.NewReader(tt.in), 8, func(line string, tooLong int) error {
				if tooLong > 0 {
					line = "<" + strconv.Itoa(tooLong) + ">"
				}
				got = append(got, line)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("lines %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-11-25T12:00:00Z", fixedNow, true},
		{"2026-11-25T13:00:00+01:00", fixedNow, true},
		{"1795608000", fixedNow, true},
		{"0", time.Time{}, false},
		{"-5", time.Time{}, false},
		{"2026-11-25", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime(tt.in)
			if (err == nil) != tt.ok || (tt.ok && !got.Equal(tt.want)) {
				t.Fatalf("parseTime(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}

func TestKeysFetch(t *testing.T) {
	s, c := keyServer(t)
	tests := []struct {
		name string
		args []string
		want []byte
	}{
		{"ID token keys as JWKS", nil, s.JWKS()},
		{"session cookie keys as X.509 map", []string{"--session-cookie"}, s.X509()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, c, "", append([]string{"keys", "fetch"}, tt.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d; stderr %s", r.code, r.stderr)
			}
			if r.stdout != string(tt.want) {
				t.Fatalf("stdout\n%s\nwant\n%s", r.stdout, tt.want)
			}
			if !strings.Contains(r.stderr, s.Key().ID) {
				t.Fatalf("stderr %q does not list the kid", r.stderr)
			}
		})
	}
}

func TestKeysFetchRefusesBadResponses(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"status 500", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", 500) }, "status 500"},
		{"not a key set", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"hello":"world"}`)) }, "invalid key set"},
		{"too large", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(bytes.Repeat([]byte(" "), maxKeySetResponse+1))
		}, "larger than"},
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/elsewhere", http.StatusFound)
		}, "status 302"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := &cli{keyURL: func(verify.Kind) string { return srv.URL }}
			r := runCLI(t, c, "", "keys", "fetch")
			if r.code != exitUsage || r.stdout != "" {
				t.Fatalf("exit %d stdout %q, want 2 and nothing", r.code, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("stderr %q does not mention %q", r.stderr, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	good := s.IDToken("u1", verifytest.Claim("admin", true))
	forged := verifytest.SignWith(verifytest.GenerateKey().Private, []byte(`{"alg":"RS256","kid":"x"}`), []byte(`{"sub":"mallory","exp":1}`))
	tests := []struct {
		name, token string
		code        int
		uid         string
		err         string
	}{
		{"genuine", good, exitOK, "u1", ""},
		{"bad signature still decodes", forged, exitOK, "mallory", ""},
		{"unsigned", s.EmulatorIDToken("emu"), exitOK, "emu", ""},
		{"two segments", "abc.def", exitInvalid, "", "3 dot-separated segments"},
		{"not base64", "a*b.c.d", exitInvalid, "", "not base64url"},
		{"header not an object", "WzFd.e30.", exitInvalid, "", "header is not a JSON object"},
		{"empty", "", exitInvalid, "", "empty token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, &cli{}, tt.token+"\n", "decode")
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", r.code, tt.code, r.stderr)
			}
			if tt.code != exitOK {
				if !strings.Contains(r.stderr, tt.err) {
					t.Fatalf("stderr %q does not mention %q", r.stderr, tt.err)
				}
				return
			}
			var out struct {
				Verified *bool `json:"verified"`
				Header   map[string]any
				Claims   map[string]any
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatal(err)
			}
			if out.Verified == nil || *out.Verified {
				t.Fatalf("output not marked unverified: %s", r.stdout)
			}
			if out.Claims["sub"] != tt.uid || out.Header["alg"] == nil {
				t.Fatalf("output %s", r.stdout)
			}
		})
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"verify", "--help"}, {"decode", "-h"}, {"mint", "--help"},
		{"jwks", "--help"}, {"keys", "--help"}, {"keys", "fetch", "--help"}, {"explain", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runCLI(t, &cli{}, "", args...)
			if r.code != exitOK || !strings.Contains(r.stdout, "fbverify") {
				t.Fatalf("exit %d stdout %q", r.code, r.stdout)
			}
			if args[0] != "--help" && args[0] != "help" && !strings.Contains(r.stdout, "Examples:") {
				t.Fatalf("no examples in %q", r.stdout)
			}
		})
	}
}

// writeKeys saves a signer's JWK Set to a file for --keys.
func writeKeys(t *testing.T, s *verifytest.Signer) string {
	t.Helper()
	path := t.TempDir() + "/keys.json"
	if err := os.WriteFile(path, s.JWKS(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerifyAcceptsSeveralProjects(t *testing.T) {
	s := verifytest.NewSigner(testProject, verifytest.WithClock(func() time.Time { return fixedNow }))
	keys := writeKeys(t, s)
	staging := s.IDToken("u1", verifytest.Project("staging"))
	other := s.IDToken("u1", verifytest.Project("elsewhere"))
	r := runCLI(t, &cli{}, "", "verify", "--keys", keys, "--project", testProject, "--project", "staging", s.IDToken("u1"), staging, other)
	got := verdicts(t, r.stdout)
	if r.code != exitInvalid || len(got) != 3 || !got[0].Valid || !got[1].Valid || got[2].Error != "invalid_audience" {
		t.Fatalf("exit %d, verdicts %+v, stderr %s", r.code, got, r.stderr)
	}
}

func TestVerifyAppCheckTokens(t *testing.T) {
	s := verifytest.NewSigner(testProject, verifytest.WithClock(func() time.Time { return fixedNow }))
	keys := writeKeys(t, s)
	good := s.AppCheckToken("4242", "1:4242:web:abc")
	r := runCLI(t, &cli{}, "", "verify", "--keys", keys, "--app-check", "4242", good, s.IDToken("u1"))
	got := verdicts(t, r.stdout)
	if r.code != exitInvalid || len(got) != 2 {
		t.Fatalf("exit %d, verdicts %+v, stderr %s", r.code, got, r.stderr)
	}
	if !got[0].Valid || got[0].AppID != "1:4242:web:abc" || got[0].Claims["iss"] != "https://firebaseappcheck.googleapis.com/4242" {
		t.Fatalf("App Check verdict %+v", got[0])
	}
	if got[1].Valid || got[1].Error != "invalid_audience" {
		t.Fatalf("an ID token as App Check: %+v", got[1])
	}
	if r := runCLI(t, &cli{}, "", "verify", "--keys", keys, "--app-check", "not-a-number", good); r.code != exitUsage {
		t.Fatalf("bad project number: exit %d", r.code)
	}
}

func TestMintEmulatorTokensVerifyOnlyInEmulatorMode(t *testing.T) {
	minted := runCLI(t, &cli{}, "", "mint", "--emulator", "--project", testProject, "--uid", "emu-user")
	if minted.code != exitOK || !strings.HasSuffix(strings.TrimSpace(minted.stdout), ".") {
		t.Fatalf("mint --emulator: exit %d, stdout %q, stderr %s", minted.code, minted.stdout, minted.stderr)
	}
	token := strings.TrimSpace(minted.stdout)
	keys := writeKeys(t, verifytest.NewSigner(testProject))
	refused := runCLI(t, &cli{}, "", "verify", "--project", testProject, "--keys", keys, token)
	if got := verdicts(t, refused.stdout); refused.code != exitInvalid || len(got) != 1 || got[0].Error != "unsupported_algorithm" {
		t.Fatalf("without --emulator: exit %d, verdicts %+v", refused.code, got)
	}
	accepted := runCLI(t, &cli{}, "", "verify", "--project", testProject, "--keys", keys, "--emulator", token)
	if got := verdicts(t, accepted.stdout); accepted.code != exitOK || len(got) != 1 || got[0].UID != "emu-user" {
		t.Fatalf("with --emulator: exit %d, verdicts %+v, stderr %s", accepted.code, got, accepted.stderr)
	}
	if r := runCLI(t, &cli{}, "", "mint", "--emulator", "--session-cookie", "--project", testProject, "--uid", "u"); r.code != exitUsage {
		t.Fatalf("--emulator with --session-cookie: exit %d, want 2", r.code)
	}
}
