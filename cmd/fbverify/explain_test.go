package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// reports decodes explain's output, one JSON object per line.
func reports(t *testing.T, stdout string) []explainLine {
	t.Helper()
	var out []explainLine
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var r explainLine
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("output line %q is not JSON: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

// explainLine is explain's JSON as a script reads it: the contract's
// fields, by name.
type explainLine struct {
	Kind    string `json:"kind"`
	Valid   bool   `json:"valid"`
	UID     string `json:"uid"`
	Error   string `json:"error"`
	Project string `json:"project"`
	Instead string `json:"send_instead"`
	Line    int    `json:"line"`
	Rules   []struct {
		Rule     string `json:"rule"`
		OK       bool   `json:"ok"`
		First    bool   `json:"first"`
		Expected string `json:"expected"`
		Found    string `json:"found"`
		When     string `json:"when"`
		Fix      string `json:"fix"`
	} `json:"rules"`
}

// failing returns the names of the rules that failed, the first one
// marked with a star.
func (e explainLine) failing() string {
	var names []string
	for _, r := range e.Rules {
		if r.OK || r.Fix == "" {
			continue
		}
		if r.First {
			names = append(names, r.Rule+"*")
		} else {
			names = append(names, r.Rule)
		}
	}
	return strings.Join(names, ",")
}

func TestExplain(t *testing.T) {
	s, c := keyServer(t)
	custom := s.Sign([]byte(`{"alg":"RS256","typ":"JWT"}`), []byte(`{"iss":"sa@`+testProject+`.iam.gserviceaccount.com","sub":"sa@`+testProject+`.iam.gserviceaccount.com","aud":"`+verify.CustomTokenAudience+`","uid":"alice","iat":`+strconv.FormatInt(fixedNow.Unix(), 10)+`,"exp":`+strconv.FormatInt(fixedNow.Unix()+3600, 10)+`}`))
	cases := []struct {
		name, token string
		code        int
		kind        string
		failing     string
	}{
		{"valid", s.IDToken("alice"), exitOK, "firebase_id_token", ""},
		{"expired", s.IDToken("alice", verifytest.IssuedAt(fixedNow.Add(-3*time.Hour))), exitInvalid, "firebase_id_token", "exp*"},
		{"expired of another project", s.IDToken("alice", verifytest.Project("other-project"), verifytest.IssuedAt(fixedNow.Add(-3*time.Hour))), exitInvalid, "firebase_id_token", "aud*,exp"},
		{"session cookie", s.SessionCookie("alice"), exitInvalid, "firebase_session_cookie", "iss*,exp"},
		{"custom token", custom, exitInvalid, "firebase_custom_token", "kid*,aud,iss,auth_time"},
		{"emulator token", s.EmulatorIDToken("alice"), exitInvalid, "firebase_emulator_token", "alg*"},
		{"access token", "ya29.a0AfB_byC1x2y3z4", exitInvalid, "google_access_token", "format*"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, c, "", "explain", "--project", testProject, tc.token)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", r.code, tc.code, r.stdout, r.stderr)
			}
			rep := reports(t, r.stdout)
			if len(rep) != 1 || rep[0].Kind != tc.kind || rep[0].Valid != (tc.code == exitOK) || rep[0].failing() != tc.failing {
				t.Fatalf("got %+v; want kind %s, failing %q", rep, tc.kind, tc.failing)
			}
			if tc.code == exitOK && rep[0].UID != "alice" {
				t.Fatalf("uid %q", rep[0].UID)
			}
			if tc.kind != "firebase_id_token" && rep[0].Instead == "" {
				t.Fatal("a token of another kind does not say what to send instead")
			}
			if strings.Contains(r.stdout, tc.token[len(tc.token)-10:]) {
				t.Fatal("the report echoes the token")
			}
		})
	}
}

func TestExplainReadsStdinAndPrintsText(t *testing.T) {
	s, c := keyServer(t)
	in := s.IDToken("alice") + "\n\n" + s.IDToken("bob", verifytest.IssuedAt(fixedNow.Add(-3*time.Hour))) + "\n"
	r := runCLI(t, c, in, "explain", "--project", testProject, "-")
	rep := reports(t, r.stdout)
	if r.code != exitInvalid || len(rep) != 2 || rep[0].Line != 1 || rep[1].Line != 3 || !rep[0].Valid || rep[1].Valid {
		t.Fatalf("exit %d, reports %+v", r.code, rep)
	}
	if w := rep[1].Rules; w[8].Rule != "exp" || w[8].When != "expired 2 h ago" {
		t.Fatalf("exp rule %+v, want expired 2 h ago", w[8])
	}
	r = runCLI(t, c, in, "explain", "--project", testProject, "--text")
	for _, want := range []string{"line 1: VALID", "uid:      alice", "line 3: REFUSED (token_expired)", "RULE", "exp        FAIL (first)", "(expired 2 h ago)", "fixes:\n  exp: Get a fresh ID token"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--text output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestExplainExitStatuses(t *testing.T) {
	s, c := keyServer(t)
	if r := runCLI(t, c, "", "explain", s.IDToken("alice")); r.code != exitUsage || !strings.Contains(r.stderr, "no project") {
		t.Fatalf("no project: exit %d stderr %s", r.code, r.stderr)
	}
	if r := runCLI(t, c, "", "explain", "--project", testProject); r.code != exitUsage {
		t.Fatalf("no token: exit %d", r.code)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }))
	defer down.Close()
	c.keyURL = func(verify.Kind) string { return down.URL }
	r := runCLI(t, c, "", "explain", "--project", testProject, s.IDToken("alice"))
	if rep := reports(t, r.stdout); r.code != exitUsage || rep[0].Error != "keys_unavailable" {
		t.Fatalf("keys down: exit %d, %+v", r.code, rep)
	}
}

func TestExplainAppCheckTokens(t *testing.T) {
	s := verifytest.NewSigner(testProject, verifytest.WithClock(func() time.Time { return fixedNow }))
	keys := writeKeys(t, s)
	good := s.AppCheckToken("4242", "1:4242:web:abc")
	r := runCLI(t, &cli{}, "", "explain", "--keys", keys, "--app-check", "4242", good, s.IDToken("u1"))
	rep := reports(t, r.stdout)
	if r.code != exitInvalid || len(rep) != 2 {
		t.Fatalf("exit %d, reports %+v, stderr %s", r.code, rep, r.stderr)
	}
	if !rep[0].Valid || rep[0].Kind != "firebase_app_check_token" || rep[0].UID != "1:4242:web:abc" || rep[0].Project != "4242" {
		t.Fatalf("App Check report %+v", rep[0])
	}
	if rep[1].Valid || rep[1].Kind != "firebase_id_token" || rep[1].Error != "invalid_audience" || !strings.Contains(rep[1].Instead, "App Check") {
		t.Fatalf("an ID token to explain --app-check: %+v", rep[1])
	}
}
