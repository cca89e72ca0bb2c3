package main

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// inspectorFiles are the token inspector page at / and its script and
// style sheet, served from the binary: the page loads nothing from
// anywhere else.
//
//go:embed inspector/index.html inspector/inspector.js inspector/inspector.css
var inspectorFiles embed.FS

// inspectorCSP allows the page its own script, style sheet and API calls,
// and nothing else: no inline script, no other origin, no frames.
const inspectorCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// maxExplainRequestBytes bounds the body of POST /explain: room for a
// token well over the verifier's limit, so the page can say it is too long.
const maxExplainRequestBytes = 64 << 10

// inspectorAsset serves one embedded file with the inspector's headers.
func inspectorAsset(name, contentType string) http.HandlerFunc {
	body, err := inspectorFiles.ReadFile("inspector/" + name)
	if err != nil {
		panic("fbverify-demo: embedded " + name + ": " + err.Error()) // cannot happen: go:embed checked it
	}
	return func(w http.ResponseWriter, r *http.Request) {
		setInspectorHeaders(w)
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}
}

// setInspectorHeaders sets the headers every inspector response carries:
// the CSP, and nothing cached, sniffed, framed or sent as a referrer.
func setInspectorHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", inspectorCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

// explainRequest is the body of POST /explain.
type explainRequest struct {
	Token string `json:"token"`
}

// explain answers POST /explain with the verifier's report on the token:
// the page's API. The token is neither logged nor kept; the log notes
// the verdict's code only.
func (s *server) explain(w http.ResponseWriter, r *http.Request) {
	setInspectorHeaders(w)
	var req explainRequest
	if !decodeBody(w, r, maxExplainRequestBytes, &req, `{"token":"eyJ..."}`) {
		return
	}
	rep := s.verifier.Explain(r.Context(), strings.TrimSpace(req.Token))
	note(r, func(i *requestInfo) { i.code = rep.Code })
	writeJSON(w, http.StatusOK, explainResponse{Report: rep, Now: s.now().UTC().Truncate(time.Second)})
}

// explainResponse is the body of POST /explain: the report, and the
// server's time it was judged at.
type explainResponse struct {
	*verify.Report
	Now time.Time `json:"now"`
}

// Kinds of token POST /dev/token mints, for the inspector's buttons.
const (
	mintIDToken       = "id_token"
	mintExpired       = "expired"
	mintOtherProject  = "other_project"
	mintCustomToken   = "custom_token"
	mintEmulatorToken = "emulator_token"
	mintSessionCookie = "session_cookie"
)

// mintKind mints a token of kind for uid with the embedded issuer. opts
// are the custom claims (the custom token carries them in its claims
// claim, as the Admin SDK puts them).
func (s *server) mintKind(kind, uid string, custom map[string]any, opts []verifytest.TokenOption) (string, error) {
	switch kind {
	case "", mintIDToken:
		return s.signer.IDToken(uid, opts...), nil
	case mintExpired:
		return s.signer.IDToken(uid, append(opts, verifytest.IssuedAt(s.now().Add(-3*time.Hour)))...), nil
	case mintOtherProject:
		return s.signer.IDToken(uid, append(opts, verifytest.Project("other-project"))...), nil
	case mintEmulatorToken:
		return s.signer.EmulatorIDToken(uid, opts...), nil
	case mintSessionCookie:
		return s.signer.SessionCookie(uid, opts...), nil
	case mintCustomToken:
		return s.customToken(uid, custom)
	}
	return "", fmt.Errorf("kind %q is none of %s", kind, strings.Join([]string{mintIDToken, mintExpired, mintOtherProject, mintCustomToken, mintEmulatorToken, mintSessionCookie}, ", "))
}

// customToken mints a custom token as the Admin SDK's createCustomToken
// does: signed by the project's service account (here, the issuer's key),
// for the Identity Toolkit audience, valid one hour.
func (s *server) customToken(uid string, custom map[string]any) (string, error) {
	account := "firebase-adminsdk-demo@" + demoProject + ".iam.gserviceaccount.com"
	now := s.now()
	payload := map[string]any{
		"iss": account, "sub": account, "aud": verify.CustomTokenAudience,
		"uid": uid, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if len(custom) > 0 {
		payload["claims"] = custom
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	return s.signer.Sign([]byte(`{"alg":"RS256","typ":"JWT"}`), body), nil
}
