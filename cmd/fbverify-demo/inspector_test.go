package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// explainBody is what the page reads from POST /explain.
type explainBody struct {
	Kind    string `json:"kind"`
	Valid   bool   `json:"valid"`
	UID     string `json:"uid"`
	Error   string `json:"error"`
	Project string `json:"project"`
	Instead string `json:"send_instead"`
	Now     string `json:"now"`
	Rules   []struct {
		Rule    string `json:"rule"`
		Outcome string `json:"outcome"`
		First   bool   `json:"first"`
		Fix     string `json:"fix"`
	} `json:"rules"`
}

// firstFailure is the rule the report marks first, or "".
func (b explainBody) firstFailure() string {
	for _, r := range b.Rules {
		if r.First {
			return r.Rule
		}
	}
	return ""
}

func explainToken(t *testing.T, h http.Handler, token string) explainBody {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"token": token})
	rec := do(t, h, "POST", "/explain", string(body), "")
	if rec.Code != http.StatusOK {
		t.Fatalf("/explain: %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("/explain Cache-Control %q", rec.Header().Get("Cache-Control"))
	}
	var out explainBody
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestInspectorPageAndAssets(t *testing.T) {
	s, _ := offlineServer(t)
	for path, want := range map[string]string{
		"/":              "text/html",
		"/inspector.js":  "text/javascript",
		"/inspector.css": "text/css",
	} {
		rec := do(t, s, "GET", path, "", "")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), want) {
			t.Fatalf("GET %s: %d %q", path, rec.Code, rec.Header().Get("Content-Type"))
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") {
			t.Fatalf("GET %s: CSP %q allows more than the demo itself", path, csp)
		}
	}
	page := do(t, s, "GET", "/", "", "").Body.String()
	for _, forbidden := range []string{"http://", "https://", "<script>", "style=", "onclick"} {
		if strings.Contains(page, forbidden) {
			t.Errorf("the page holds %q: it must load nothing from elsewhere and run no inline code", forbidden)
		}
	}
	if rec := do(t, s, "GET", "/nothing-here", "", ""); rec.Code != http.StatusNotFound {
		t.Fatalf("GET /nothing-here: %d, want 404", rec.Code)
	}
}

func TestInspectorExplainsEveryMintedKind(t *testing.T) {
	s, logs := offlineServer(t)
	cases := []struct {
		kind, wantKind, first string
	}{
		{mintIDToken, "firebase_id_token", ""},
		{mintExpired, "firebase_id_token", "exp"},
		{mintOtherProject, "firebase_id_token", "aud"},
		{mintCustomToken, "firebase_custom_token", "kid"},
		{mintEmulatorToken, "firebase_emulator_token", "alg"},
		{mintSessionCookie, "firebase_session_cookie", "iss"},
	}
	var tokens []string
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			token := devToken(t, s, `{"uid":"alice","kind":"`+c.kind+`"}`)
			tokens = append(tokens, token)
			rep := explainToken(t, s, token)
			if rep.Kind != c.wantKind || rep.Valid != (c.first == "") || rep.firstFailure() != c.first {
				t.Fatalf("report %+v; want kind %s, first failure %q", rep, c.wantKind, c.first)
			}
			if rep.Valid && rep.UID != "alice" {
				t.Fatalf("uid %q", rep.UID)
			}
			if _, err := time.Parse(time.RFC3339, rep.Now); err != nil {
				t.Fatalf("now %q: %v", rep.Now, err)
			}
		})
	}
	if rec := do(t, s, "POST", "/dev/token", `{"uid":"alice","kind":"nonsense"}`, ""); rec.Code != http.StatusBadRequest {
		t.Fatalf("unknown kind: %d", rec.Code)
	}
	if rec := do(t, s, "POST", "/explain", `{"tok":"x"}`, ""); rec.Code != http.StatusBadRequest {
		t.Fatalf("bad body: %d", rec.Code)
	}
	if rec := do(t, s, "POST", "/explain", `{"token":"`+strings.Repeat("a", maxExplainRequestBytes)+`"}`, ""); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("huge body: %d", rec.Code)
	}
	log := logs.String()
	if !strings.Contains(log, "path=/explain status=200") || !strings.Contains(log, "code=token_expired") {
		t.Errorf("log lacks the explain lines:\n%s", log)
	}
	for _, token := range tokens {
		if strings.Contains(log, token[len(token)-30:]) {
			t.Fatalf("the log holds a token:\n%s", log)
		}
	}
}

func TestEmulatorModeAcceptsEmulatorTokens(t *testing.T) {
	signer := verifytest.NewSigner("demo-project")
	emulatorToken := signer.EmulatorIDToken("emu-user")
	for _, emulator := range []bool{false, true} {
		s, err := newServer(config{projectID: "demo-project", keys: signer.KeySource(), emulator: emulator})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		rec := do(t, s, "GET", "/whoami", "", emulatorToken)
		if want := map[bool]int{false: http.StatusUnauthorized, true: http.StatusOK}[emulator]; rec.Code != want {
			t.Fatalf("emulator=%v: /whoami %d %s, want %d", emulator, rec.Code, rec.Body, want)
		}
		if rep := explainToken(t, s, emulatorToken); rep.Valid != emulator || rep.Kind != "firebase_emulator_token" {
			t.Fatalf("emulator=%v: report %+v", emulator, rep)
		}
		// Signed tokens still need a valid signature.
		if rec := do(t, s, "GET", "/whoami", "", signer.IDToken("alice")); rec.Code != http.StatusOK {
			t.Fatalf("emulator=%v: signed token refused: %d", emulator, rec.Code)
		}
	}
}
