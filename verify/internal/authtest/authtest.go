// Package authtest is the fixture of the framework tests: a fake Firebase
// issuer on a fixed clock, a Verifier that fetches its keys over loopback
// HTTP, one that cannot reach any key, the tokens every test sends (valid,
// none, tampered, expired), and helpers to call an HTTP server and check
// its answer. It serves the tests of every adapter module under verify/
// (ginauth, fiberauth, grpcauth, connectauth) and of the routers that
// need no adapter (verify/internal/frameworks: net/http, chi, gorilla/mux,
// echo), which all live below verify/: the internal rule goes by import
// path, not by module, so each of those modules may import it.
package authtest

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// ProjectID is the Firebase project of every fixture.
const ProjectID = "adapter-test"

// UID is the user of the valid token; handlers answer "hello <uid>".
const UID = "user-42"

// Now is the fixed time of the issuer's and the verifiers' clocks.
var Now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Fixture holds an issuer, verifiers wired to it, and the tokens.
type Fixture struct {
	// Signer is the fake issuer; its keys are served on loopback.
	Signer *verifytest.Signer
	// Verifier fetches the Signer's keys over loopback HTTP.
	Verifier *verify.Verifier
	// Unavailable is a verifier whose key source always fails, so every
	// token it judges gets an error for which verify.IsServerSide is true.
	Unavailable *verify.Verifier
	// Valid is an ID token for UID, valid at Now.
	Valid string
	// Tampered is Valid with its payload's uid changed and the original
	// signature kept.
	Tampered string
	// Expired was issued two hours before Now (it expired one hour ago).
	Expired string
}

// New builds a Fixture whose servers and verifiers close when t ends.
func New(t testing.TB) *Fixture {
	t.Helper()
	clock := func() time.Time { return Now }
	signer := verifytest.NewSigner(ProjectID, verifytest.WithClock(clock))
	t.Cleanup(signer.Close)
	v, err := signer.Verifier(verify.WithClock(clock))
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })
	down, err := verify.New(ProjectID, verify.WithKeySource(failingKeys{}), verify.WithClock(clock))
	if err != nil {
		t.Fatalf("verifier without keys: %v", err)
	}
	t.Cleanup(func() { _ = down.Close() })
	valid := signer.IDToken(UID, verifytest.Email("ada@example.com", true))
	return &Fixture{
		Signer:      signer,
		Verifier:    v,
		Unavailable: down,
		Valid:       valid,
		Tampered:    tamper(t, valid, UID, "admin"),
		Expired:     signer.IDToken(UID, verifytest.IssuedAt(Now.Add(-2*time.Hour))),
	}
}

// failingKeys is a key source that cannot reach its keys.
type failingKeys struct{}

func (failingKeys) PublicKey(context.Context, string) (*rsa.PublicKey, error) {
	return nil, fmt.Errorf("%w: authtest: key server down", jwks.ErrKeysUnavailable)
}

// tamper replaces from with to in token's payload and keeps the signature.
func tamper(t testing.TB, token, from, to string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("tamper: %d segments", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
	changed := strings.ReplaceAll(string(payload), `"`+from+`"`, `"`+to+`"`)
	if changed == string(payload) {
		t.Fatalf("tamper: %q not in the payload", from)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(changed))
	return strings.Join(parts, ".")
}

// Case is one request of the table every framework test runs.
type Case struct {
	// Name names the case.
	Name string
	// Token is sent as "Bearer <Token>"; empty means no Authorization.
	Token string
	// WantUID is the uid the handler must see; empty when refused.
	WantUID string
	// WantCode is the verify.ErrorCode of the refusal; empty when accepted.
	WantCode string
}

// Cases returns the four requests: valid, no token, tampered, expired.
func (f *Fixture) Cases() []Case {
	return []Case{
		{Name: "valid token", Token: f.Valid, WantUID: UID},
		{Name: "no token", WantCode: "no_token"},
		{Name: "tampered token", Token: f.Tampered, WantCode: "invalid_signature"},
		{Name: "expired token", Token: f.Expired, WantCode: "token_expired"},
	}
}

// Response is what an HTTP call returned.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header is the response's header.
	Header http.Header
	// Body is the whole body.
	Body string
}

// Get calls GET url with "Authorization: Bearer <token>" unless token is
// empty, and returns the answer.
func Get(t testing.TB, url, token string) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return Do(t, req)
}

// Do sends req with a client that gives up after ten seconds, and returns
// the answer.
func Do(t testing.TB, req *http.Request) Response {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

// CheckHTTP checks the answer to c of an HTTP server whose protected
// handler writes "hello <uid>": 200 and the uid for an accepted token,
// else 401 with a Bearer challenge and a JSON body naming c.WantCode.
func CheckHTTP(t testing.TB, c Case, got Response) {
	t.Helper()
	if c.WantUID != "" {
		if got.Status != http.StatusOK || got.Body != "hello "+c.WantUID {
			t.Fatalf("got %d %q, want 200 %q", got.Status, got.Body, "hello "+c.WantUID)
		}
		return
	}
	if got.Status != http.StatusUnauthorized {
		t.Fatalf("got %d %q, want 401", got.Status, got.Body)
	}
	if ch := got.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer") {
		t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", ch)
	}
	if code := BodyCode(t, got); code != c.WantCode {
		t.Errorf("code = %q, want %q (body %q)", code, c.WantCode, got.Body)
	}
	if strings.Contains(got.Body, "hello") {
		t.Errorf("the protected handler ran: %q", got.Body)
	}
}

// CheckUnavailable checks the answer of an HTTP server whose verifier
// cannot reach its keys: 503 with Retry-After and the code
// keys_unavailable, and the protected handler did not run.
func CheckUnavailable(t testing.TB, got Response) {
	t.Helper()
	if got.Status != http.StatusServiceUnavailable || got.Header.Get("Retry-After") == "" {
		t.Fatalf("got %d %v %q, want 503 with Retry-After", got.Status, got.Header, got.Body)
	}
	if code := BodyCode(t, got); code != "keys_unavailable" {
		t.Errorf("code = %q, want keys_unavailable (body %q)", code, got.Body)
	}
}

// BodyCode returns the "code" field of got's JSON body.
func BodyCode(t testing.TB, got Response) string {
	t.Helper()
	var body struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal([]byte(got.Body), &body); err != nil {
		t.Fatalf("body %q is not JSON: %v", got.Body, err)
	}
	return body.Code
}
