// End-to-end tests of the whole path, through the public API only: the fake
// signer mints a token, serves its keys on loopback, a jwks.Remote fetches
// them, the Verifier checks the token, and the middleware hands the
// verified user to a handler.
package fbverify_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const project = "fbverify-e2e"

// testClock is a fixed, settable clock shared by the signer and verifier.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// e2e is the whole path on loopback.
type e2e struct {
	clock    *testClock
	signer   *verifytest.Signer
	verifier *verify.Verifier
	server   *httptest.Server // the app: middleware in front of whoami
}

func newE2E(t *testing.T, opts ...verify.Option) *e2e {
	t.Helper()
	clock := newTestClock()
	signer := verifytest.NewSigner(project, verifytest.WithClock(clock.Now))
	t.Cleanup(signer.Close)
	v, err := signer.Verifier(opts...)
	if err != nil {
		t.Fatal(err)
	}
	whoami := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := verify.TokenFromContext(r.Context())
		if !ok {
			http.Error(w, "no token in context", http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"uid": tok.UID, "email": tok.Email})
	})
	app := httptest.NewServer(v.Middleware()(whoami))
	t.Cleanup(app.Close)
	return &e2e{clock: clock, signer: signer, verifier: v, server: app}
}

// get calls the app with token as a Bearer token ("" sends none).
func (e *e2e) get(t *testing.T, token string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.server.URL+"/whoami", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func TestEndToEndValidTokenReachesTheHandler(t *testing.T) {
	e := newE2E(t)
	token := e.signer.IDToken("user-42", verifytest.Email("ada@example.com", true))
	status, _, body := e.get(t, token)
	if status != http.StatusOK {
		t.Fatalf("status = %d, body %s", status, body)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got["uid"] != "user-42" || got["email"] != "ada@example.com" {
		t.Fatalf("handler saw %v", got)
	}
	if n := e.signer.Requests(); n != 1 {
		t.Fatalf("key endpoint requests = %d, want 1", n)
	}
}

// TestEndToEndEachRuleRejectsOnItsOwn breaks one rule per token, leaving
// every other one intact, and checks the rule's own error and code both
// from Verify and at the HTTP boundary.
func TestEndToEndEachRuleRejectsOnItsOwn(t *testing.T) {
	e := newE2E(t)
	now := e.clock.Now()
	stranger := verifytest.GenerateKey()
	s := e.signer
	kid := s.Key().ID
	validPayload := func(extra string) []byte {
		return []byte(`{"iss":"https://securetoken.google.com/` + project + `","aud":"` + project +
			`","sub":"u1","iat":` + unix(now) + `,"auth_time":` + unix(now) + `,"exp":` + unix(now.Add(time.Hour)) + extra + `}`)
	}
	rs256 := []byte(`{"alg":"RS256","kid":"` + kid + `","typ":"JWT"}`)
	valid := s.IDToken("u1")
	cases := []struct {
		name  string
		token string
		want  error
		code  string
	}{
		{"too large", s.IDToken("u1", verifytest.Claim("pad", strings.Repeat("x", 9000))), verify.ErrTooLarge, "token_too_large"},
		{"two segments", valid[:strings.LastIndexByte(valid, '.')], verify.ErrMalformed, "malformed_token"},
		{"not base64", valid + "!", verify.ErrMalformed, "malformed_token"},
		{"alg HS256", s.IDToken("u1", verifytest.Header("alg", "HS256")), verify.ErrUnsupportedAlgorithm, "unsupported_algorithm"},
		{"alg none", s.EmulatorIDToken("u1"), verify.ErrUnsupportedAlgorithm, "unsupported_algorithm"},
		{"no kid", s.IDToken("u1", verifytest.WithoutHeader("kid")), verify.ErrInvalidKeyID, "invalid_key_id"},
		{"crit header", s.IDToken("u1", verifytest.Header("crit", []string{"exp"})), verify.ErrCriticalHeader, "critical_header"},
		{"unknown kid", s.IDToken("u1", verifytest.Header("kid", "not-a-key")), jwks.ErrUnknownKey, "unknown_key"},
		{"key not in the set", s.IDToken("u1", verifytest.SignedBy(stranger)), jwks.ErrUnknownKey, "unknown_key"},
		{"stranger's signature under a real kid", verifytest.SignWith(stranger.Private, rs256, validPayload("")), verify.ErrInvalidSignature, "invalid_signature"},
		{"tampered payload", tamper(t, valid), verify.ErrInvalidSignature, "invalid_signature"},
		{"wrong audience", s.IDToken("u1", verifytest.Claim("aud", "other-project")), verify.ErrInvalidAudience, "invalid_audience"},
		{"wrong issuer", s.IDToken("u1", verifytest.Claim("iss", "https://evil.example.com/"+project)), verify.ErrInvalidIssuer, "invalid_issuer"},
		{"session cookie as ID token", s.SessionCookie("u1"), verify.ErrInvalidIssuer, "invalid_issuer"},
		{"missing sub", s.IDToken("u1", verifytest.WithoutClaim("sub")), verify.ErrInvalidSubject, "invalid_subject"},
		{"empty sub", s.IDToken(""), verify.ErrInvalidSubject, "invalid_subject"},
		{"sub of 129 bytes", s.IDToken(strings.Repeat("a", 129)), verify.ErrInvalidSubject, "invalid_subject"},
		{"sub a number", s.IDToken("u1", verifytest.Claim("sub", 42)), verify.ErrInvalidSubject, "invalid_subject"},
		{"missing exp", s.IDToken("u1", verifytest.WithoutClaim("exp")), verify.ErrInvalidExpiry, "invalid_expiry"},
		{"exp a string", s.IDToken("u1", verifytest.Claim("exp", unix(now.Add(time.Hour)))), verify.ErrInvalidExpiry, "invalid_expiry"},
		{"expired", s.IDToken("u1", verifytest.IssuedAt(now.Add(-2*time.Hour))), verify.ErrExpired, "token_expired"},
		{"missing iat", s.IDToken("u1", verifytest.WithoutClaim("iat")), verify.ErrInvalidIssuedAt, "invalid_issued_at"},
		{"iat in the future", s.IDToken("u1", verifytest.Claim("iat", now.Add(10*time.Minute).Unix()), verifytest.ExpiresAt(now.Add(time.Hour))), verify.ErrIssuedInFuture, "issued_in_future"},
		{"missing auth_time", s.IDToken("u1", verifytest.WithoutClaim("auth_time")), verify.ErrInvalidAuthTime, "invalid_auth_time"},
		{"auth_time in the future", s.IDToken("u1", verifytest.AuthTime(now.Add(10*time.Minute))), verify.ErrAuthTimeInFuture, "auth_time_in_future"},
		{"duplicate aud", s.Sign(rs256, validPayload(`,"aud":"`+project+`"`)), verify.ErrMalformed, "malformed_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.verifier.Verify(context.Background(), c.token)
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify: err = %v, want %v", err, c.want)
			}
			if code := verify.ErrorCode(err); code != c.code {
				t.Fatalf("ErrorCode = %q, want %q", code, c.code)
			}
			status, header, body := e.get(t, c.token)
			if status != http.StatusUnauthorized {
				t.Fatalf("HTTP status = %d, want 401; body %s", status, body)
			}
			if wa := header.Get("WWW-Authenticate"); !strings.HasPrefix(wa, `Bearer error="invalid_token"`) {
				t.Fatalf("WWW-Authenticate = %q", wa)
			}
			checkRefusalHeaders(t, header, false)
			if !strings.Contains(body, `"code":"`+c.code+`"`) {
				t.Fatalf("body %s lacks code %q", body, c.code)
			}
			if len(c.token) > 20 && strings.Contains(body, c.token[:20]) {
				t.Fatal("the response echoes the token")
			}
		})
	}
	// The broken tokens above were judged without fetching keys more than
	// the first fetch and the one refresh the unknown kids may trigger.
	if n := e.signer.Requests(); n > 2 {
		t.Errorf("key endpoint requests = %d, want at most 2", n)
	}
}

func TestEndToEndNoTokenIsChallenged(t *testing.T) {
	e := newE2E(t)
	status, header, body := e.get(t, "")
	if status != http.StatusUnauthorized || header.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("status %d, WWW-Authenticate %q, body %s", status, header.Get("WWW-Authenticate"), body)
	}
	if !strings.Contains(body, `"code":"no_token"`) {
		t.Fatalf("body %s", body)
	}
	checkRefusalHeaders(t, header, false)
}

// checkRefusalHeaders asserts what every refusal must carry: no cache may
// keep it (Cache-Control: no-store), it is JSON, and only an answer that
// could not judge the token (503) tells the client when to retry.
func checkRefusalHeaders(t *testing.T, header http.Header, unavailable bool) {
	t.Helper()
	if got := header.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
		t.Errorf("Cache-Control = %q, want exactly no-store", got)
	}
	if got := header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	retry := header.Get("Retry-After")
	switch {
	case unavailable && retry != "5":
		t.Errorf("Retry-After = %q on a 503, want 5", retry)
	case !unavailable && retry != "":
		t.Errorf("Retry-After = %q on a refusal of the token itself, want none", retry)
	}
}

// TestEndToEndUnavailableIs503 answers 503 with Retry-After and no-store
// when the token cannot be judged: the key endpoint fails, or the
// revocation check does. Neither is the client's fault, so no Bearer
// challenge is sent.
func TestEndToEndUnavailableIs503(t *testing.T) {
	var keyRequests atomic.Int64
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keyRequests.Add(1)
		http.Error(w, "backend error", http.StatusInternalServerError)
	}))
	t.Cleanup(broken.Close)
	clock := newTestClock()
	signer := verifytest.NewSigner(project, verifytest.WithClock(clock.Now))
	remote, err := jwks.NewRemote(broken.URL+"/jwks", jwks.RemoteOptions{Now: clock.Now, FetchTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { remote.Close() })
	keysDown, err := verify.New(project, verify.WithKeySource(remote), verify.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	revocationDown, err := verify.New(project, verify.WithKeySource(signer.KeySource()), verify.WithClock(clock.Now),
		verify.WithRevocationCheck(func(context.Context, string) (verify.UserStatus, error) {
			return verify.UserStatus{}, errors.New("user store timed out")
		}))
	if err != nil {
		t.Fatal(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("reached")) })
	token := signer.IDToken("u1")
	for _, c := range []struct {
		name string
		v    *verify.Verifier
		code string
	}{
		{"keys unavailable", keysDown, "keys_unavailable"},
		{"revocation check failed", revocationDown, "revocation_check_failed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := httptest.NewServer(c.v.Middleware()(handler))
			defer app.Close()
			req, err := http.NewRequest(http.MethodGet, app.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status = %d, want 503; body %s", resp.StatusCode, body)
			}
			checkRefusalHeaders(t, resp.Header, true)
			if wa := resp.Header.Get("WWW-Authenticate"); wa != "" {
				t.Errorf("WWW-Authenticate = %q on a 503, want none", wa)
			}
			if !strings.Contains(string(body), `"code":"`+c.code+`"`) || !strings.Contains(string(body), `"error":"temporarily_unavailable"`) {
				t.Errorf("body %s, want code %s and error temporarily_unavailable", body, c.code)
			}
			for _, leak := range []string{"backend error", "user store timed out", token[:20]} {
				if strings.Contains(string(body), leak) {
					t.Errorf("body %s leaks %q", body, leak)
				}
			}
		})
	}
	if keyRequests.Load() == 0 {
		t.Error("the broken key endpoint was never asked")
	}
}

func TestEndToEndClockDecidesExpiry(t *testing.T) {
	e := newE2E(t)
	token := e.signer.IDToken("u1")
	if status, _, body := e.get(t, token); status != http.StatusOK {
		t.Fatalf("fresh token: status %d, body %s", status, body)
	}
	e.clock.Advance(time.Hour + verify.DefaultLeeway - time.Second)
	if status, _, _ := e.get(t, token); status != http.StatusOK {
		t.Fatalf("within the leeway after exp: status %d, want 200", status)
	}
	e.clock.Advance(time.Second)
	if _, err := e.verifier.Verify(context.Background(), token); !errors.Is(err, verify.ErrExpired) {
		t.Fatalf("at exp+leeway: err = %v, want ErrExpired", err)
	}
}

func TestEndToEndKeyRotation(t *testing.T) {
	e := newE2E(t)
	old := e.signer.IDToken("u1")
	if status, _, _ := e.get(t, old); status != http.StatusOK {
		t.Fatal("token of the first key refused")
	}
	e.signer.Rotate()
	e.clock.Advance(time.Minute) // past the refresh limit
	fresh := e.signer.IDToken("u1")
	if status, _, body := e.get(t, fresh); status != http.StatusOK {
		t.Fatalf("token of the rotated key: status %d, body %s", status, body)
	}
	if status, _, _ := e.get(t, old); status != http.StatusOK {
		t.Fatal("token of the old key refused while the key is still published")
	}
}

func TestEndToEndTokenIsDecodedOnce(t *testing.T) {
	e := newE2E(t)
	token := e.signer.IDToken("u1", verifytest.Claim("admin", true), verifytest.Tenant("t-1"),
		verifytest.Email("ada@example.com", true))
	tok, err := e.verifier.Verify(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	var custom struct {
		Admin bool `json:"admin"`
	}
	if err := tok.Decode(&custom); err != nil || !custom.Admin {
		t.Fatalf("Decode: %v, admin=%v", err, custom.Admin)
	}
	want := claims.Token{UID: "u1", Audience: project, Email: "ada@example.com", EmailVerified: true}
	if tok.UID != want.UID || tok.Audience != want.Audience || tok.Email != want.Email || !tok.EmailVerified ||
		tok.Firebase.Tenant != "t-1" || tok.Firebase.SignInProvider != "password" ||
		tok.Identities()["email"][0] != "ada@example.com" {
		t.Fatalf("token = %+v", tok)
	}
	if !tok.IssuedAt.Equal(e.clock.Now().Truncate(time.Second)) {
		t.Fatalf("IssuedAt = %v, want %v", tok.IssuedAt, e.clock.Now())
	}
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func decodeSegment(seg string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(seg) }

func encodeSegment(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// tamper flips the payload's uid while keeping the signature.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := decodeSegment(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(raw), `"sub":"u1"`, `"sub":"u2"`, 1)
	if changed == string(raw) {
		t.Fatal("tamper: sub not found")
	}
	parts[1] = encodeSegment([]byte(changed))
	return strings.Join(parts, ".")
}

func TestEndToEndConcurrentFirstVerificationsShareOneFetch(t *testing.T) {
	e := newE2E(t)
	token := e.signer.IDToken("u1")
	const callers = 100
	errs := make(chan error, callers)
	start := make(chan struct{})
	for i := 0; i < callers; i++ {
		go func() {
			<-start
			_, err := e.verifier.Verify(context.Background(), token)
			errs <- err
		}()
	}
	close(start)
	for i := 0; i < callers; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := e.signer.Requests(); n != 1 {
		t.Fatalf("%d concurrent first verifications made %d key requests, want 1", callers, n)
	}
}
