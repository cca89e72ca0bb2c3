package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// keyFiles writes the signer's public keys as a JWK Set and its private
// key as PEM, the two files people mix up, and returns their paths.
func keyFiles(t *testing.T, s *verifytest.Signer) (public, private string) {
	t.Helper()
	dir := t.TempDir()
	public, private = filepath.Join(dir, "keys.json"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(public, s.JWKS(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(private, verifytest.EncodeKey(s.Key().Private), 0o600); err != nil {
		t.Fatal(err)
	}
	return public, private
}

func TestVerifyPrivateKeyFileIsNamed(t *testing.T) {
	s, _ := keyServer(t)
	_, private := keyFiles(t, s)
	r := runCLI(t, &cli{}, "", "verify", "--project", testProject, "--keys", private, s.IDToken("u1"))
	if r.code != exitUsage {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, exitUsage, r.stderr)
	}
	for _, want := range []string{"is a private key", "fbverify jwks --key " + private} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q does not say %q", r.stderr, want)
		}
	}
}

func TestVerifyUnknownKeyFromFileSaysWhy(t *testing.T) {
	s, _ := keyServer(t)
	public, _ := keyFiles(t, s)
	other := verifytest.NewSigner(testProject, verifytest.WithClock(func() time.Time { return fixedNow })) // a key the file does not hold
	defer other.Close()
	r := runCLI(t, &cli{}, "", "verify", "--project", testProject, "--keys", public, other.IDToken("u1"))
	v := verdicts(t, r.stdout)
	if r.code != exitInvalid || len(v) != 1 || v[0].Error != "unknown_key" {
		t.Fatalf("exit %d verdicts %+v, want 1 and unknown_key", r.code, v)
	}
	for _, want := range []string{"may be old", "other tokens", "fbverify keys fetch"} {
		if !strings.Contains(v[0].Message, want) {
			t.Errorf("message %q does not say %q", v[0].Message, want)
		}
	}
}

func TestVerifyNamesPastedBearerScheme(t *testing.T) {
	s, c := keyServer(t)
	for _, prefix := range []string{"Bearer ", "bearer "} {
		r := runCLI(t, c, "", "verify", "--project", testProject, prefix+s.IDToken("u1"))
		v := verdicts(t, r.stdout)
		if r.code != exitInvalid || len(v) != 1 || v[0].Error != "malformed_token" {
			t.Fatalf("%q: exit %d verdicts %+v, want 1 and malformed_token", prefix, r.code, v)
		}
		if !strings.Contains(v[0].Message, `starts with "`+prefix+`"`) || !strings.Contains(v[0].Message, "pass the token alone") {
			t.Fatalf("%q: message %q does not name the scheme", prefix, v[0].Message)
		}
	}
}

func TestVerifyNamesPastedAuthorizationLine(t *testing.T) {
	s, c := keyServer(t)
	r := runCLI(t, c, "", "verify", "--project", testProject, "Authorization: Bearer "+s.IDToken("u1"))
	v := verdicts(t, r.stdout)
	if r.code != exitInvalid || len(v) != 1 || v[0].Error != "malformed_token" || !strings.Contains(v[0].Message, "whole Authorization header line") {
		t.Fatalf("exit %d verdicts %+v, want malformed_token naming the Authorization line", r.code, v)
	}
}

// The CLI trims the whitespace a shell or a file puts around a token (as
// HTTP trims a header value); whitespace inside is refused.
func TestVerifyTrimsSurroundingWhitespaceOnly(t *testing.T) {
	s, c := keyServer(t)
	tok := s.IDToken("u1")
	r := runCLI(t, c, "", "verify", "--project", testProject, "  "+tok+"\t\n")
	if v := verdicts(t, r.stdout); r.code != exitOK || len(v) != 1 || !v[0].Valid {
		t.Fatalf("surrounding whitespace: exit %d verdicts %+v, want valid", r.code, v)
	}
	inner := tok[:10] + " " + tok[10:]
	r = runCLI(t, c, "", "verify", "--project", testProject, inner)
	if v := verdicts(t, r.stdout); r.code != exitInvalid || len(v) != 1 || v[0].Error != "malformed_token" {
		t.Fatalf("inner whitespace: exit %d verdicts %+v, want malformed_token", r.code, v)
	}
}

func TestVerifyBatchCarriesLineNumbers(t *testing.T) {
	s, c := keyServer(t)
	in := s.IDToken("first") + "\n\n" + "not-a-token\n" + s.IDToken("fourth") + "\n"
	r := runCLI(t, c, in, "verify", "--project", testProject)
	v := verdicts(t, r.stdout)
	if len(v) != 3 {
		t.Fatalf("%d verdicts, want 3: %s", len(v), r.stdout)
	}
	for i, want := range []struct {
		line  int
		valid bool
	}{{1, true}, {3, false}, {4, true}} {
		if v[i].Line != want.line || v[i].Valid != want.valid {
			t.Errorf("verdict %d: line %d valid %v, want line %d valid %v", i, v[i].Line, v[i].Valid, want.line, want.valid)
		}
	}
	// Tokens given as arguments have no line.
	r = runCLI(t, c, "", "verify", "--project", testProject, s.IDToken("arg"))
	if strings.Contains(r.stdout, `"line"`) {
		t.Fatalf("argument verdict carries a line: %s", r.stdout)
	}
}

func TestVerifyMaxTokenBytes(t *testing.T) {
	s, c := keyServer(t)
	big := s.IDToken("u1", verifytest.Claim("pad", strings.Repeat("x", 9000)))
	r := runCLI(t, c, "", "verify", "--project", testProject, big)
	if v := verdicts(t, r.stdout); r.code != exitInvalid || len(v) != 1 || v[0].Error != "token_too_large" {
		t.Fatalf("default limit: exit %d verdicts %+v, want token_too_large", r.code, v)
	}
	r = runCLI(t, c, "", "verify", "--project", testProject, "--max-token-bytes", "16384", big)
	if v := verdicts(t, r.stdout); r.code != exitOK || len(v) != 1 || !v[0].Valid {
		t.Fatalf("--max-token-bytes 16384: exit %d verdicts %+v stderr %s, want valid", r.code, v, r.stderr)
	}
	// The same limit applies to a line of standard input.
	r = runCLI(t, c, big+"\n", "verify", "--project", testProject, "--max-token-bytes", "16384")
	if v := verdicts(t, r.stdout); r.code != exitOK || len(v) != 1 || !v[0].Valid {
		t.Fatalf("stdin with --max-token-bytes 16384: exit %d verdicts %+v", r.code, v)
	}
	r = runCLI(t, c, "", "verify", "--project", testProject, "--max-token-bytes", "10", big)
	if r.code != exitUsage || !strings.Contains(r.stderr, "too small") {
		t.Fatalf("--max-token-bytes 10: exit %d stderr %q, want 2 and too small", r.code, r.stderr)
	}
}

func TestMessagesHaveNoPackagePrefixes(t *testing.T) {
	s, c := keyServer(t)
	r := runCLI(t, c, "", "verify", "--project", "other-project", s.IDToken("u1"))
	v := verdicts(t, r.stdout)
	if len(v) != 1 || v[0].Error != "invalid_audience" {
		t.Fatalf("verdicts %+v", v)
	}
	r2 := runCLI(t, c, "", "verify", "--project", testProject, "--leeway", "1h", "x")
	for _, msg := range []string{v[0].Message, strings.TrimPrefix(r2.stderr, "fbverify verify: ")} {
		for _, p := range []string{"verify: ", "claims: ", "jwks: "} {
			if strings.Contains(msg, p) {
				t.Errorf("message %q carries the package prefix %q", msg, p)
			}
		}
	}
	if !strings.HasPrefix(v[0].Message, "aud: wrong audience") {
		t.Errorf("message %q, want it to start with the claim", v[0].Message)
	}
}

func TestBadFlagGivesShortUsage(t *testing.T) {
	r := runCLI(t, &cli{}, "", "verify", "--bogus")
	if r.code != exitUsage {
		t.Fatalf("exit %d, want %d", r.code, exitUsage)
	}
	want := "fbverify verify: flag provided but not defined: -bogus\nRun \"fbverify verify --help\" for usage.\n"
	if r.stderr != want {
		t.Fatalf("stderr %q, want %q", r.stderr, want)
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		r := runCLI(t, &cli{}, "", arg)
		if r.code != exitOK || !strings.HasPrefix(r.stdout, "fbverify ") || !strings.Contains(r.stdout, " go1.") {
			t.Fatalf("%s: exit %d stdout %q, want \"fbverify <version> go1...\"", arg, r.code, r.stdout)
		}
	}
}

func TestDecodeDashReadsStdin(t *testing.T) {
	s, _ := keyServer(t)
	r := runCLI(t, &cli{}, s.IDToken("from-stdin")+"\n", "decode", "-")
	if r.code != exitOK || !strings.Contains(r.stdout, `"sub": "from-stdin"`) {
		t.Fatalf("exit %d stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestKeysHelpListsItsFlag(t *testing.T) {
	for _, args := range [][]string{{"keys", "--help"}, {"keys", "fetch", "--help"}} {
		r := runCLI(t, &cli{}, "", args...)
		flags, _, _ := strings.Cut(r.stdout[strings.Index(r.stdout, "Flags:")+len("Flags:"):], "Examples:")
		if r.code != exitOK || !strings.Contains(flags, "--session-cookie") {
			t.Errorf("%v: exit %d, Flags section %q, want --session-cookie in it", args, r.code, flags)
		}
	}
}

func TestDecodeNamesWhatIsPastedAroundTheToken(t *testing.T) {
	s, _ := keyServer(t)
	token := s.IDToken("alice")
	for _, c := range []struct{ in, says string }{
		{"Bearer " + token, `starts with "Bearer "`},
		{"bearer " + token, `starts with "bearer "`},
		{"Authorization: Bearer " + token, "whole Authorization header line"},
		{"authorization:Bearer " + token, "whole Authorization header line"},
	} {
		r := runCLI(t, &cli{}, "", "decode", c.in)
		if r.code != exitInvalid || !strings.Contains(r.stderr, c.says) || strings.Contains(r.stderr, "base64") {
			t.Errorf("decode %.30q...: exit %d stderr %q, want it to say %q", c.in, r.code, r.stderr, c.says)
		}
	}
}

func TestMintRefusesProjectIDsVerifyRefuses(t *testing.T) {
	for _, project := range []string{"123456789012", "My-Project", "https://securetoken.google.com/my-project"} {
		r := runCLI(t, &cli{}, "", "mint", "--emulator", "--project", project, "--uid", "alice")
		if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "invalid project ID") {
			t.Errorf("mint --project %q: exit %d stdout %q stderr %q, want a refusal", project, r.code, r.stdout, r.stderr)
		}
		// verify refuses the same ID the same way.
		v := runCLI(t, &cli{}, "", "verify", "--project", project, "x.y.z")
		if v.code != exitUsage || !strings.Contains(v.stderr, "invalid project ID") {
			t.Errorf("verify --project %q: exit %d stderr %q", project, v.code, v.stderr)
		}
	}
	if r := runCLI(t, &cli{}, "", "mint", "--emulator", "--project", "my-project", "--uid", "alice"); r.code != exitOK {
		t.Errorf("mint --project my-project: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestMistypedFlagGetsASuggestion(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "-projet", "p"}, "(did you mean --project?)"},
		{[]string{"verify", "--sesion-cookie"}, "(did you mean --session-cookie?)"},
		{[]string{"mint", "--claim", "{}"}, "(did you mean --claims?)"},
		{[]string{"explain", "--txt"}, "(did you mean --text?)"},
		{[]string{"keys", "fetch", "--session"}, "(did you mean --session-cookie?)"},
	} {
		r := runCLI(t, &cli{}, "", c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d stderr %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if r := runCLI(t, &cli{}, "", "verify", "--bogus"); strings.Contains(r.stderr, "did you mean") {
		t.Errorf("--bogus is near no flag, yet: %q", r.stderr)
	}
}
