package verify_test

// Tests that pin the exact edge of each rule, so that a one-edit change to
// the code (a prefix compare instead of equality, >= instead of >, a check
// moved after the key lookup) fails a test. Every expectation is a literal
// (8192, "my-project", 14 days) rather than read from the constant under
// test, so changing the constant changes the outcome too.

import (
	"context"
	"crypto/rsa"
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

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// guardProject is a project ID that any project ID rule accepts: 6 to 30
// lowercase letters, digits and hyphens, a letter first.
const guardProject = "my-project"

// guardNow is the fixed clock of these tests.
var guardNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func guardClock() time.Time { return guardNow }

// lookupCounter is a key source that counts the lookups made through it.
type lookupCounter struct {
	keys  jwks.KeySource
	calls atomic.Int64
}

func (c *lookupCounter) PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.calls.Add(1)
	return c.keys.PublicKey(ctx, kid)
}

// guardEnv is a signer for guardProject and a Verifier on its keys that
// counts key lookups.
type guardEnv struct {
	signer  *verifytest.Signer
	lookups *lookupCounter
	v       *verify.Verifier
}

func newGuardEnv(t *testing.T, opts ...verify.Option) *guardEnv {
	t.Helper()
	return newGuardEnvOf(t, verify.New, opts...)
}

// newCookieGuardEnv is newGuardEnv for session cookies.
func newCookieGuardEnv(t *testing.T, opts ...verify.Option) *guardEnv {
	t.Helper()
	return newGuardEnvOf(t, verify.NewSessionCookieVerifier, opts...)
}

func newGuardEnvOf(t *testing.T, newV func(string, ...verify.Option) (*verify.Verifier, error), opts ...verify.Option) *guardEnv {
	t.Helper()
	s := verifytest.NewSigner(guardProject, verifytest.WithClock(guardClock))
	lookups := &lookupCounter{keys: s.KeySource()}
	base := []verify.Option{verify.WithKeySource(lookups), verify.WithClock(guardClock)}
	v, err := newV(guardProject, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return &guardEnv{signer: s, lookups: lookups, v: v}
}

func wantErr(t *testing.T, err, want error, code string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	if got := verify.ErrorCode(err); got != code {
		t.Fatalf("ErrorCode = %q, want %q (err %v)", got, code, err)
	}
}

// TestAudienceIsComparedExactly refuses genuine, well-signed tokens whose
// aud is a near miss of the project: a longer project that starts with it,
// a shorter one it starts with, and the same letters in another case. Each
// token's iss matches its own aud, so only the audience rule can refuse it.
func TestAudienceIsComparedExactly(t *testing.T) {
	e := newGuardEnv(t)
	ctx := context.Background()
	if _, err := e.v.Verify(ctx, e.signer.IDToken("u1")); err != nil {
		t.Fatalf("genuine token of %s: %v", guardProject, err)
	}
	for _, aud := range []string{
		"my-project-evil", // the project as a prefix
		"my-projectx",
		"my-proj", // a prefix of the project
		"My-Project",
		"MY-PROJECT",
		"my-projecT",
		"my-project ",
		" my-project",
	} {
		t.Run(aud, func(t *testing.T) {
			_, err := e.v.Verify(ctx, e.signer.IDToken("u1", verifytest.Project(aud)))
			wantErr(t, err, verify.ErrInvalidAudience, "invalid_audience")
		})
	}
	// The same holds for every accepted project, not only the first.
	multi := newGuardEnv(t, verify.WithExtraProjects("my-staging"))
	if _, err := multi.v.Verify(ctx, multi.signer.IDToken("u1", verifytest.Project("my-staging"))); err != nil {
		t.Fatalf("genuine token of the extra project: %v", err)
	}
	for _, aud := range []string{"my-staging-evil", "My-Staging", "my-stag"} {
		_, err := multi.v.Verify(ctx, multi.signer.IDToken("u1", verifytest.Project(aud)))
		wantErr(t, err, verify.ErrInvalidAudience, "invalid_audience")
	}
}

// TestIssuerIsComparedWhole refuses an iss that differs from
// https://securetoken.google.com/my-project in one place only, most of
// them of the same length, so neither a length check nor a suffix compare
// suffices.
func TestIssuerIsComparedWhole(t *testing.T) {
	e := newGuardEnv(t)
	ctx := context.Background()
	for _, iss := range []string{
		"https://securetoken.google.org/my-project", // another host, same length
		"https://securetoken.goo9le.com/my-project",
		"http://securetoken.google.com/my-project",
		"https://SECURETOKEN.google.com/my-project",
		"hxxps://securetoken.google.com/my-project",
		"https://securetoken.google.com/my-projecx", // aud is my-project
		"https://securetoken.google.com/My-project",
		"https://securetoken.google.com/my-project/",
		"https://securetoken.google.com//my-project",
		"https://securetoken.google.com/",
		"https://session.firebase.google.com/my-project",
	} {
		t.Run(iss, func(t *testing.T) {
			_, err := e.v.Verify(ctx, e.signer.IDToken("u1", verifytest.Claim("iss", iss)))
			wantErr(t, err, verify.ErrInvalidIssuer, "invalid_issuer")
		})
	}
	cookies := newCookieGuardEnv(t)
	if _, err := cookies.v.Verify(ctx, cookies.signer.SessionCookie("u1")); err != nil {
		t.Fatalf("genuine session cookie: %v", err)
	}
	for _, iss := range []string{
		"https://session.firebase.google.org/my-project",
		"https://session.firebase.google.com/my-projecx",
		"https://securetoken.google.com/my-project",
	} {
		t.Run("cookie "+iss, func(t *testing.T) {
			_, err := cookies.v.Verify(ctx, cookies.signer.SessionCookie("u1", verifytest.Claim("iss", iss)))
			wantErr(t, err, verify.ErrInvalidIssuer, "invalid_issuer")
		})
	}
}

// exactLength mints tokens with mint, padding a custom claim (and, where
// base64 cannot reach a length by the payload alone, an unknown header
// parameter) until one is exactly n bytes long.
func exactLength(t *testing.T, n int, mint func(opts ...verifytest.TokenOption) string) string {
	t.Helper()
	base := len(mint(verifytest.Claim("pad", "")))
	// Each byte of payload adds about 4/3 of a byte to the token.
	estimate := (n - base) * 3 / 4
	for _, headerPad := range []string{"", "x", "xx", "xxx"} {
		for pad := max(estimate-4, 0); pad <= estimate+4; pad++ {
			opts := []verifytest.TokenOption{verifytest.Claim("pad", strings.Repeat("p", pad))}
			if headerPad != "" {
				opts = append(opts, verifytest.Header("pad", headerPad))
			}
			if tok := mint(opts...); len(tok) == n {
				return tok
			}
		}
	}
	t.Fatalf("could not mint a token of exactly %d bytes", n)
	return ""
}

// TestSizeLimitEdge accepts a genuine token of exactly 8192 bytes and
// refuses one of 8193, for ID tokens and App Check tokens alike, and
// follows WithMaxTokenBytes to its own edge.
func TestSizeLimitEdge(t *testing.T) {
	ctx := context.Background()
	e := newGuardEnv(t)
	idToken := func(opts ...verifytest.TokenOption) string { return e.signer.IDToken("u1", opts...) }

	fits := exactLength(t, 8192, idToken)
	if _, err := e.v.Verify(ctx, fits); err != nil {
		t.Fatalf("ID token of 8192 bytes: %v", err)
	}
	over := exactLength(t, 8193, idToken)
	before := e.lookups.calls.Load()
	_, err := e.v.Verify(ctx, over)
	wantErr(t, err, verify.ErrTooLarge, "token_too_large")
	if !strings.Contains(err.Error(), "8193 bytes, limit 8192") {
		t.Errorf("error does not say the size and the limit: %v", err)
	}
	if n := e.lookups.calls.Load() - before; n != 0 {
		t.Errorf("an oversized token caused %d key lookups", n)
	}

	raised := newGuardEnv(t, verify.WithMaxTokenBytes(10000))
	mint := func(opts ...verifytest.TokenOption) string { return raised.signer.IDToken("u1", opts...) }
	if _, err := raised.v.Verify(ctx, exactLength(t, 10000, mint)); err != nil {
		t.Fatalf("10000-byte token under a 10000-byte limit: %v", err)
	}
	_, err = raised.v.Verify(ctx, exactLength(t, 10001, mint))
	wantErr(t, err, verify.ErrTooLarge, "token_too_large")

	const number = "123456789012"
	s := verifytest.NewSigner(guardProject, verifytest.WithClock(guardClock))
	a, err := verify.NewAppCheck(verify.AppCheckProject{Number: number, ID: guardProject}, verify.WithKeySource(s.KeySource()), verify.WithClock(guardClock))
	if err != nil {
		t.Fatal(err)
	}
	appCheck := func(opts ...verifytest.TokenOption) string { return s.AppCheckToken(number, "1:123:web:abc", opts...) }
	if _, err := a.Verify(ctx, exactLength(t, 8192, appCheck)); err != nil {
		t.Fatalf("App Check token of 8192 bytes: %v", err)
	}
	_, err = a.Verify(ctx, exactLength(t, 8193, appCheck))
	wantErr(t, err, verify.ErrTooLarge, "token_too_large")

	small, err := verify.NewAppCheck(verify.AppCheckProject{Number: number, ID: guardProject}, verify.WithKeySource(s.KeySource()),
		verify.WithClock(guardClock), verify.WithMaxTokenBytes(1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := small.Verify(ctx, exactLength(t, 1000, appCheck)); err != nil {
		t.Fatalf("1000-byte App Check token under a 1000-byte limit: %v", err)
	}
	_, err = small.Verify(ctx, exactLength(t, 1001, appCheck))
	wantErr(t, err, verify.ErrTooLarge, "token_too_large")
}

// TestNoKeyLookupBeforeTheCheapRules shows the order of checks the README
// promises: a token refused for its algorithm, its header or any claim rule
// is refused without a key lookup (and so without RSA work), while a
// genuine token takes exactly one.
func TestNoKeyLookupBeforeTheCheapRules(t *testing.T) {
	e := newGuardEnv(t, verify.WithTenants("tenant-1"))
	ctx := context.Background()
	s := e.signer
	valid := []verifytest.TokenOption{verifytest.Tenant("tenant-1")}
	with := func(opts ...verifytest.TokenOption) []verifytest.TokenOption {
		return append(append([]verifytest.TokenOption(nil), valid...), opts...)
	}
	if _, err := e.v.Verify(ctx, s.IDToken("u1", valid...)); err != nil {
		t.Fatalf("genuine token: %v", err)
	}
	if n := e.lookups.calls.Load(); n != 1 {
		t.Fatalf("a genuine token made %d key lookups, want 1", n)
	}

	for _, alg := range []string{"none", "None", "NONE", "HS256", "HS384", "HS512", "RS384", "RS512",
		"PS256", "ES256", "EdDSA", "rs256", "Rs256", "RS256 ", " RS256", "RS2560", "RS25", ""} {
		t.Run("alg "+alg, func(t *testing.T) {
			before := e.lookups.calls.Load()
			_, err := e.v.Verify(ctx, s.IDToken("u1", with(verifytest.Header("alg", alg))...))
			wantErr(t, err, verify.ErrUnsupportedAlgorithm, "unsupported_algorithm")
			if n := e.lookups.calls.Load() - before; n != 0 {
				t.Fatalf("alg %q made %d key lookups, want 0", alg, n)
			}
		})
	}

	cases := []struct {
		name  string
		token string
		want  error
		code  string
	}{
		{"no kid", s.IDToken("u1", with(verifytest.WithoutHeader("kid"))...), verify.ErrInvalidKeyID, "invalid_key_id"},
		{"crit", s.IDToken("u1", with(verifytest.Header("crit", []string{"exp"}))...), verify.ErrCriticalHeader, "critical_header"},
		{"aud of another project", s.IDToken("u1", with(verifytest.Project("other-project"))...), verify.ErrInvalidAudience, "invalid_audience"},
		{"iss of another host", s.IDToken("u1", with(verifytest.Claim("iss", "https://securetoken.google.org/my-project"))...), verify.ErrInvalidIssuer, "invalid_issuer"},
		{"empty sub", s.IDToken("", valid...), verify.ErrInvalidSubject, "invalid_subject"},
		{"sub of 129 bytes", s.IDToken(strings.Repeat("u", 129), valid...), verify.ErrInvalidSubject, "invalid_subject"},
		{"no exp", s.IDToken("u1", with(verifytest.WithoutClaim("exp"))...), verify.ErrInvalidExpiry, "invalid_expiry"},
		{"expired", s.IDToken("u1", with(verifytest.IssuedAt(guardNow.Add(-2*time.Hour)))...), verify.ErrExpired, "token_expired"},
		{"no iat", s.IDToken("u1", with(verifytest.WithoutClaim("iat"))...), verify.ErrInvalidIssuedAt, "invalid_issued_at"},
		{"iat in the future", s.IDToken("u1", with(verifytest.IssuedAt(guardNow.Add(10*time.Minute)))...), verify.ErrIssuedInFuture, "issued_in_future"},
		{"no auth_time", s.IDToken("u1", with(verifytest.WithoutClaim("auth_time"))...), verify.ErrInvalidAuthTime, "invalid_auth_time"},
		{"lifetime over an hour", s.IDToken("u1", with(verifytest.ExpiresAt(guardNow.Add(2*time.Hour)))...), verify.ErrInvalidExpiry, "invalid_expiry"},
		{"another tenant", s.IDToken("u1", verifytest.Tenant("tenant-2")), verify.ErrInvalidTenant, "invalid_tenant"},
		{"no tenant", s.IDToken("u1"), verify.ErrInvalidTenant, "invalid_tenant"},
		{"duplicate key", s.Sign([]byte(`{"alg":"RS256","kid":"`+s.Key().ID+`","typ":"JWT"}`),
			[]byte(`{"aud":"my-project","aud":"my-project"}`)), verify.ErrMalformed, "malformed_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.lookups.calls.Load()
			_, err := e.v.Verify(ctx, c.token)
			wantErr(t, err, c.want, c.code)
			if n := e.lookups.calls.Load() - before; n != 0 {
				t.Fatalf("a token refused for %s made %d key lookups, want 0", c.name, n)
			}
		})
	}

	// In emulator mode an unsigned token needs no key, a signed one still
	// takes its lookup.
	emu := newGuardEnv(t, verify.InsecureEmulatorMode())
	if _, err := emu.v.Verify(ctx, emu.signer.EmulatorIDToken("u1")); err != nil {
		t.Fatalf("emulator token: %v", err)
	}
	if n := emu.lookups.calls.Load(); n != 0 {
		t.Fatalf("an unsigned token made %d key lookups", n)
	}
	if _, err := emu.v.Verify(ctx, emu.signer.IDToken("u1")); err != nil {
		t.Fatalf("signed token in emulator mode: %v", err)
	}
	if n := emu.lookups.calls.Load(); n != 1 {
		t.Fatalf("a signed token in emulator mode made %d key lookups, want 1", n)
	}
}

// TestAppCheckNoKeyLookupBeforeTheCheapRules is the same order for App
// Check tokens.
func TestAppCheckNoKeyLookupBeforeTheCheapRules(t *testing.T) {
	const number = "123456789012"
	s := verifytest.NewSigner(guardProject, verifytest.WithClock(guardClock))
	lookups := &lookupCounter{keys: s.KeySource()}
	a, err := verify.NewAppCheck(verify.AppCheckProject{Number: number, ID: guardProject}, verify.WithKeySource(lookups), verify.WithClock(guardClock))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.Verify(ctx, s.AppCheckToken(number, "app")); err != nil {
		t.Fatalf("genuine App Check token: %v", err)
	}
	if n := lookups.calls.Load(); n != 1 {
		t.Fatalf("a genuine App Check token made %d key lookups, want 1", n)
	}
	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"alg none", s.AppCheckToken(number, "app", verifytest.Header("alg", "none")), verify.ErrUnsupportedAlgorithm},
		{"alg HS256", s.AppCheckToken(number, "app", verifytest.Header("alg", "HS256")), verify.ErrUnsupportedAlgorithm},
		{"alg rs256", s.AppCheckToken(number, "app", verifytest.Header("alg", "rs256")), verify.ErrUnsupportedAlgorithm},
		{"typ jwt", s.AppCheckToken(number, "app", verifytest.Header("typ", "jwt")), verify.ErrInvalidType},
		{"no kid", s.AppCheckToken(number, "app", verifytest.WithoutHeader("kid")), verify.ErrInvalidKeyID},
		{"aud of another project", s.AppCheckToken(number, "app", verifytest.Claim("aud", []string{"projects/1234567890123"})), verify.ErrInvalidAudience},
		{"aud a prefix", s.AppCheckToken(number, "app", verifytest.Claim("aud", []string{"projects/12345678901"})), verify.ErrInvalidAudience},
		{"iss of another host", s.AppCheckToken(number, "app", verifytest.Claim("iss", "https://firebaseappcheck.googleapis.org/"+number)), verify.ErrInvalidIssuer},
		{"no app ID", s.AppCheckToken(number, ""), verify.ErrInvalidSubject},
		{"expired", s.AppCheckToken(number, "app", verifytest.ExpiresAt(guardNow.Add(-time.Hour))), verify.ErrExpired},
		{"iat in the future", s.AppCheckToken(number, "app", verifytest.Claim("iat", guardNow.Add(time.Hour).Unix())), verify.ErrIssuedInFuture},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := lookups.calls.Load()
			_, err := a.Verify(ctx, c.token)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if n := lookups.calls.Load() - before; n != 0 {
				t.Fatalf("an App Check token refused for %s made %d key lookups, want 0", c.name, n)
			}
		})
	}
}

// TestLifetimeBounds accepts a session cookie of exactly 14 days and an ID
// token of exactly one hour, and refuses each one second longer.
func TestLifetimeBounds(t *testing.T) {
	ctx := context.Background()
	const fourteenDays = 14 * 24 * time.Hour
	cookies := newCookieGuardEnv(t)
	s := cookies.signer
	if _, err := cookies.v.Verify(ctx, s.SessionCookie("u1", verifytest.ExpiresAt(guardNow.Add(fourteenDays)))); err != nil {
		t.Fatalf("session cookie of 14 days: %v", err)
	}
	_, err := cookies.v.Verify(ctx, s.SessionCookie("u1", verifytest.ExpiresAt(guardNow.Add(fourteenDays+time.Second))))
	wantErr(t, err, verify.ErrInvalidExpiry, "invalid_expiry")

	ids := newGuardEnv(t)
	if _, err := ids.v.Verify(ctx, ids.signer.IDToken("u1", verifytest.ExpiresAt(guardNow.Add(time.Hour)))); err != nil {
		t.Fatalf("ID token of one hour: %v", err)
	}
	_, err = ids.v.Verify(ctx, ids.signer.IDToken("u1", verifytest.ExpiresAt(guardNow.Add(time.Hour+time.Second))))
	wantErr(t, err, verify.ErrInvalidExpiry, "invalid_expiry")
	// A session cookie's lifetime is not an ID token's: 14 days is not
	// accepted from an ID token.
	_, err = ids.v.Verify(ctx, ids.signer.IDToken("u1", verifytest.ExpiresAt(guardNow.Add(fourteenDays))))
	wantErr(t, err, verify.ErrInvalidExpiry, "invalid_expiry")
}

// TestMiddlewareEmptyCookieIsNoToken treats a cookie that is present but
// empty (what a logout often leaves) as no token at all: a challenge with
// code no_token, or the anonymous path with Optional. The same holds for
// an empty App Check header.
func TestMiddlewareEmptyCookieIsNoToken(t *testing.T) {
	e := newCookieGuardEnv(t)
	reached := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := verify.TokenFromContext(r.Context()); ok {
			w.Write([]byte("user " + tok.UID))
			return
		}
		w.Write([]byte("anonymous"))
	})
	required := e.v.Middleware(verify.FromCookie("session"))(reached)
	optional := e.v.Middleware(verify.FromCookie("session"), verify.Optional())(reached)
	serve := func(h http.Handler, cookie *http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, c := range []struct {
		name   string
		h      http.Handler
		cookie *http.Cookie
		status int
		body   string
	}{
		{"empty cookie", required, &http.Cookie{Name: "session", Value: ""}, 401, `"code":"no_token"`},
		{"no cookie", required, nil, 401, `"code":"no_token"`},
		{"another cookie only", required, &http.Cookie{Name: "theme", Value: "dark"}, 401, `"code":"no_token"`},
		{"empty cookie, optional", optional, &http.Cookie{Name: "session", Value: ""}, 200, "anonymous"},
		{"valid cookie", required, &http.Cookie{Name: "session", Value: e.signer.SessionCookie("u7")}, 200, "user u7"},
		{"bad cookie", required, &http.Cookie{Name: "session", Value: "x.y.z"}, 401, `"code":"malformed_token"`},
		{"bad cookie, optional", optional, &http.Cookie{Name: "session", Value: "x.y.z"}, 401, `"code":"malformed_token"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := serve(c.h, c.cookie)
			if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.body) {
				t.Fatalf("status %d, body %q; want %d with %q", rec.Code, rec.Body, c.status, c.body)
			}
			if c.status == 401 && strings.Contains(c.body, "no_token") {
				if got := rec.Header().Get("WWW-Authenticate"); got != "Bearer" {
					t.Fatalf("WWW-Authenticate = %q, want a bare Bearer challenge", got)
				}
			}
		})
	}

	a, err := verify.NewAppCheck(verify.AppCheckProject{Number: "42"}, verify.WithKeySource(e.signer.KeySource()), verify.WithClock(guardClock))
	if err != nil {
		t.Fatal(err)
	}
	appChecked := a.Middleware()(reached)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Firebase-AppCheck", "")
	rec := httptest.NewRecorder()
	appChecked.ServeHTTP(rec, req)
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), `"code":"no_token"`) {
		t.Fatalf("empty App Check header: status %d, body %q; want 401 no_token", rec.Code, rec.Body)
	}
}

// offlineTransport refuses every request without sending it, and counts
// them: the default key source's URL is Google's, and tests never leave
// the machine.
type offlineTransport struct{ requests atomic.Int64 }

func (o *offlineTransport) RoundTrip(*http.Request) (*http.Response, error) {
	o.requests.Add(1)
	return nil, errors.New("offline test: request not sent")
}

// TestCloseStopsTheDefaultKeySource: a verifier that made its own key
// source stops it on Close (a closed one asks nothing more of the
// network), and one given a key source leaves it alone.
func TestCloseStopsTheDefaultKeySource(t *testing.T) {
	ctx := context.Background()
	s := verifytest.NewSigner(guardProject, verifytest.WithClock(guardClock))
	token := s.IDToken("u1")

	for _, closed := range []bool{false, true} {
		rt := &offlineTransport{}
		v, err := verify.New(guardProject, verify.WithHTTPClient(&http.Client{Transport: rt}), verify.WithClock(guardClock))
		if err != nil || v == nil {
			t.Fatalf("New without a key source: %v, %v", v, err)
		}
		checkOwnKeySource(t, "", closed, v, rt, func() error { _, err := v.Verify(ctx, token); return err })

		rt = &offlineTransport{}
		a, err := verify.NewAppCheck(verify.AppCheckProject{Number: "123456789012", ID: guardProject}, verify.WithHTTPClient(&http.Client{Transport: rt}), verify.WithClock(guardClock))
		if err != nil || a == nil {
			t.Fatalf("NewAppCheck without a key source: %v, %v", a, err)
		}
		checkOwnKeySource(t, "App Check ", closed, a, rt, func() error {
			_, err := a.Verify(ctx, s.AppCheckToken("123456789012", "app"))
			return err
		})
	}

	// A key source given by the caller is the caller's: Close leaves it
	// working.
	e := newGuardEnv(t)
	if err := e.v.Close(); err != nil {
		t.Fatalf("Close with a caller's key source: %v", err)
	}
	if _, err := e.v.Verify(ctx, e.signer.IDToken("u1")); err != nil {
		t.Fatalf("verifier after Close, on the caller's key source: %v", err)
	}
	a, err := verify.NewAppCheck(verify.AppCheckProject{Number: "123456789012", ID: guardProject}, verify.WithKeySource(s.KeySource()), verify.WithClock(guardClock))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("App Check Close with a caller's key source: %v", err)
	}
	if _, err := a.Verify(ctx, s.AppCheckToken("123456789012", "app")); err != nil {
		t.Fatalf("App Check verifier after Close, on the caller's key source: %v", err)
	}
}

// checkOwnKeySource closes c, a verifier of kind ("" or "App Check ")
// that made its own key source, twice if closed, then checks that verifyOnce
// fails for want of keys, having tried to fetch them only if c is open.
// It closes c at the end.
func checkOwnKeySource(t *testing.T, kind string, closed bool, c io.Closer, rt *offlineTransport, verifyOnce func() error) {
	t.Helper()
	if closed {
		if err := c.Close(); err != nil {
			t.Fatalf("%sClose: %v", kind, err)
		}
		if err := c.Close(); err != nil {
			t.Fatalf("second %sClose: %v", kind, err)
		}
	}
	wantErr(t, verifyOnce(), jwks.ErrKeysUnavailable, "keys_unavailable")
	switch n := rt.requests.Load(); {
	case closed && n != 0:
		t.Fatalf("a closed %sverifier tried %d key fetches", kind, n)
	case !closed && n == 0:
		t.Fatalf("an open %sverifier never tried to fetch its keys", kind)
	}
	_ = c.Close()
}

// TestVerifyRequest reads the Bearer token of a request and verifies it,
// passing on the reason when there is none or the header is bad.
func TestVerifyRequest(t *testing.T) {
	e := newGuardEnv(t)
	request := func(values ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range values {
			r.Header.Add("Authorization", v)
		}
		return r
	}
	tok, err := e.v.VerifyRequest(request("Bearer " + e.signer.IDToken("u9")))
	if err != nil || tok == nil || tok.UID != "u9" {
		t.Fatalf("VerifyRequest with a genuine token: %+v, %v", tok, err)
	}
	for _, c := range []struct {
		name   string
		values []string
		want   error
		code   string
	}{
		{"no header", nil, verify.ErrNoToken, "no_token"},
		{"empty header", []string{""}, verify.ErrNoToken, "no_token"},
		{"basic scheme", []string{"Basic dXNlcjpwYXNz"}, verify.ErrBadAuthorizationHeader, "bad_authorization_header"},
		{"two headers", []string{"Bearer a.b.c", "Bearer a.b.c"}, verify.ErrBadAuthorizationHeader, "bad_authorization_header"},
		{"expired token", []string{"Bearer " + e.signer.IDToken("u9", verifytest.IssuedAt(guardNow.Add(-2*time.Hour)))}, verify.ErrExpired, "token_expired"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok, err := e.v.VerifyRequest(request(c.values...))
			wantErr(t, err, c.want, c.code)
			if tok != nil {
				t.Fatalf("a refused request came with a token: %+v", tok)
			}
		})
	}
}

// TestLeewayBounds: the default leeway is one minute; WithLeeway takes 0
// to 5 minutes, and the leeway it sets is the one applied.
func TestLeewayBounds(t *testing.T) {
	ctx := context.Background()
	expiredAgo := func(e *guardEnv, d time.Duration) string {
		return e.signer.IDToken("u1", verifytest.IssuedAt(guardNow.Add(-time.Hour-d)))
	}
	def := newGuardEnv(t)
	if _, err := def.v.Verify(ctx, expiredAgo(def, 59*time.Second)); err != nil {
		t.Fatalf("default leeway, expired 59 s ago: %v", err)
	}
	_, err := def.v.Verify(ctx, expiredAgo(def, 60*time.Second))
	wantErr(t, err, verify.ErrExpired, "token_expired")

	for _, d := range []time.Duration{0, time.Second, 5 * time.Minute} {
		if _, err := verify.New(guardProject, verify.WithKeySource(def.signer.KeySource()), verify.WithLeeway(d)); err != nil {
			t.Errorf("WithLeeway(%v) refused: %v", d, err)
		}
	}
	for _, d := range []time.Duration{-time.Nanosecond, 5*time.Minute + time.Nanosecond, time.Hour} {
		if _, err := verify.New(guardProject, verify.WithKeySource(def.signer.KeySource()), verify.WithLeeway(d)); err == nil {
			t.Errorf("WithLeeway(%v) accepted", d)
		}
	}
	wide := newGuardEnv(t, verify.WithLeeway(5*time.Minute))
	if _, err := wide.v.Verify(ctx, expiredAgo(wide, 4*time.Minute)); err != nil {
		t.Fatalf("5-minute leeway, expired 4 minutes ago: %v", err)
	}
	_, err = wide.v.Verify(ctx, expiredAgo(wide, 5*time.Minute))
	wantErr(t, err, verify.ErrExpired, "token_expired")
	none := newGuardEnv(t, verify.WithLeeway(0))
	_, err = none.v.Verify(ctx, expiredAgo(none, time.Second))
	wantErr(t, err, verify.ErrExpired, "token_expired")
}

// TestKindNames names the two kinds as a person would.
func TestKindNames(t *testing.T) {
	if got := verify.IDToken.String(); got != "ID token" {
		t.Errorf("IDToken.String() = %q", got)
	}
	if got := verify.SessionCookie.String(); got != "session cookie" {
		t.Errorf("SessionCookie.String() = %q", got)
	}
	e := newCookieGuardEnv(t)
	if e.v.Kind() != verify.SessionCookie {
		t.Errorf("Kind() = %v, want session cookie", e.v.Kind())
	}
}

// TestTenantIsComparedExactly: a tenant list names whole tenant IDs, so
// "t-1" admits neither "t-10" nor "t-" nor "T-1".
func TestTenantIsComparedExactly(t *testing.T) {
	e := newGuardEnv(t, verify.WithTenants("t-1"))
	for _, tenant := range []string{"t-10", "t-", "T-1", "t-1 ", "xt-1"} {
		_, err := e.v.Verify(context.Background(), e.signer.IDToken("u1", verifytest.Tenant(tenant)))
		if !errors.Is(err, verify.ErrInvalidTenant) {
			t.Errorf("tenant %q: err = %v, want ErrInvalidTenant", tenant, err)
		}
	}
	if _, err := e.v.Verify(context.Background(), e.signer.IDToken("u1", verifytest.Tenant("t-1"))); err != nil {
		t.Fatalf("tenant t-1: %v", err)
	}
}

// TestRevocationCacheKeepsAnAnswer30sFromTheCallsStart: with the zero TTL
// an answer is kept 30 seconds, counted from the moment the store was
// asked, not from its answer: a store that takes 10 s to answer leaves an
// answer that is stale 20 s after it came.
func TestRevocationCacheKeepsAnAnswer30sFromTheCallsStart(t *testing.T) {
	if verify.DefaultRevocationTTL != 30*time.Second {
		t.Fatalf("DefaultRevocationTTL = %v, want 30s", verify.DefaultRevocationTTL)
	}
	now := guardNow
	calls := 0
	c := verify.NewRevocationCache(func(context.Context, string) (verify.UserStatus, error) {
		calls++
		now = now.Add(10 * time.Second) // the store is slow
		return verify.UserStatus{}, nil
	}, verify.RevocationCacheOptions{Now: func() time.Time { return now }})
	ctx := context.Background()
	for _, step := range []struct {
		at    time.Duration // after the first call's start
		calls int
	}{
		{0, 1},
		{29*time.Second + 999*time.Millisecond, 1},
		{30 * time.Second, 2},
	} {
		now = guardNow.Add(step.at)
		if _, err := c.Check(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if calls != step.calls {
			t.Fatalf("at +%v: %d calls of the store, want %d", step.at, calls, step.calls)
		}
	}
}

// TestOptionalStillRefusesABadAuthorization: Optional admits a request
// with no token at all, never one with a bad token or header.
func TestOptionalStillRefusesABadAuthorization(t *testing.T) {
	e := newGuardEnv(t)
	reached := false
	h := e.v.Middleware(verify.Optional())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	for _, c := range []struct {
		name, header string
		status       int
		code         string
	}{
		{"not Bearer", "Basic dXNlcjpwYXNz", 400, `"code":"bad_authorization_header"`},
		{"Bearer without a token", "Bearer", 400, `"code":"bad_authorization_header"`},
		{"a bad token", "Bearer x.y.z", 401, `"code":"malformed_token"`},
		{"a token of another project", "Bearer " + e.signer.IDToken("u1", verifytest.Project("other-project")), 401, `"code":"invalid_audience"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			reached = false
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", c.header)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if reached || rec.Code != c.status || !strings.Contains(rec.Body.String(), c.code) {
				t.Fatalf("reached %v, status %d, body %q; want the handler not reached and %d with %s", reached, rec.Code, rec.Body, c.status, c.code)
			}
		})
	}
}

// TestTokenFromContextOfANilToken: a context that carries a nil token
// has no token.
func TestTokenFromContextOfANilToken(t *testing.T) {
	if tok, ok := verify.TokenFromContext(verify.ContextWithToken(context.Background(), nil)); ok || tok != nil {
		t.Fatalf("TokenFromContext = %v, %v; want nil, false", tok, ok)
	}
	if _, ok := verify.TokenFromContext(context.Background()); ok {
		t.Fatal("TokenFromContext of a bare context reported a token")
	}
}

// TestUIDCharacters: U+001F, the last C0 control, is refused in a uid;
// U+0020 and a genuine U+FFFD (three bytes, EF BF BD) are not, while a
// lone bad byte is.
func TestUIDCharacters(t *testing.T) {
	e := newGuardEnv(t)
	for _, c := range []struct {
		name, uid string
		ok        bool
	}{
		{"U+001F", "a\x1fb", false},
		{"U+0000", "a\x00b", false},
		{"U+007F", "a\x7fb", false},
		{"U+009F", "a\u009fb", false},
		{"U+0020", "a b", true},
		{"U+00A0", "a\u00a0b", true},
		{"genuine U+FFFD", "a\uFFFDb", true},
		{"U+FFFD alone", "\uFFFD", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok, err := e.v.Verify(context.Background(), e.signer.IDToken(c.uid))
			if c.ok {
				if err != nil || tok.UID != c.uid {
					t.Fatalf("uid %q: %v, %v; want it accepted as is", c.uid, tok, err)
				}
				return
			}
			if !errors.Is(err, verify.ErrInvalidSubject) {
				t.Fatalf("uid %q: err = %v, want ErrInvalidSubject", c.uid, err)
			}
		})
	}
}

// TestJSONDepthLimit: a custom claim may nest 15 arrays inside the
// payload object (16 levels in all), not 16.
func TestJSONDepthLimit(t *testing.T) {
	e := newGuardEnv(t)
	nested := func(n int) json.RawMessage {
		return json.RawMessage(strings.Repeat("[", n) + "1" + strings.Repeat("]", n))
	}
	if _, err := e.v.Verify(context.Background(), e.signer.IDToken("u1", verifytest.Claim("deep", nested(15)))); err != nil {
		t.Fatalf("15 nested arrays: %v", err)
	}
	_, err := e.v.Verify(context.Background(), e.signer.IDToken("u1", verifytest.Claim("deep", nested(16))))
	wantErr(t, err, verify.ErrMalformed, "malformed_token")
	_, err = e.v.Verify(context.Background(), e.signer.IDToken("u1", verifytest.Header("x", nested(16))))
	wantErr(t, err, verify.ErrMalformed, "malformed_token")
}

// TestRevocationAtAuthTimeExactly: Firebase revokes tokens whose
// auth_time is strictly before the user's "valid after" time; one signed
// in at that very second stays valid.
func TestRevocationAtAuthTimeExactly(t *testing.T) {
	signedIn := guardNow.Add(-10 * time.Minute)
	for _, c := range []struct {
		name       string
		validAfter time.Time
		want       error
	}{
		{"valid after the sign-in second", signedIn, nil},
		{"valid after a second later", signedIn.Add(time.Second), verify.ErrRevoked},
		{"valid after a second earlier", signedIn.Add(-time.Second), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newGuardEnv(t, verify.WithRevocationCheck(func(context.Context, string) (verify.UserStatus, error) {
				return verify.UserStatus{ValidAfter: c.validAfter}, nil
			}))
			_, err := e.v.Verify(context.Background(), e.signer.IDToken("u1", verifytest.AuthTime(signedIn)))
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestCacheSizeBounds: WithCache takes 1 to 1048576 (1 << 20) tokens.
func TestCacheSizeBounds(t *testing.T) {
	keys := verifytest.NewSigner(guardProject).KeySource()
	for _, c := range []struct {
		n  int
		ok bool
	}{{0, false}, {1, true}, {1048576, true}, {1048577, false}, {-1, false}} {
		v, err := verify.New(guardProject, verify.WithKeySource(keys), verify.WithCache(c.n))
		if (err == nil) != c.ok {
			t.Errorf("WithCache(%d): err = %v, want ok=%v", c.n, err, c.ok)
		}
		if v != nil {
			v.Close()
		}
	}
}

// TestRevocationCacheDefaultBound: with MaxEntries zero a RevocationCache
// keeps 10000 users' answers.
func TestRevocationCacheDefaultBound(t *testing.T) {
	c := verify.NewRevocationCache(func(context.Context, string) (verify.UserStatus, error) {
		return verify.UserStatus{}, nil
	}, verify.RevocationCacheOptions{Now: guardClock})
	for i := range 10001 {
		if _, err := c.Check(context.Background(), "u"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Len(); n != 10000 {
		t.Fatalf("Len = %d after 10001 users, want 10000", n)
	}
}

// TestObserverSkipsTheHeaderOfATooLargeToken: a token over the size limit
// is refused before any parsing, and the observer does not parse its
// header either: its verdict names no key.
func TestObserverSkipsTheHeaderOfATooLargeToken(t *testing.T) {
	var got []verify.Verdict
	e := newGuardEnv(t, verify.WithObserver(verify.Observer{Verdict: func(v verify.Verdict) { got = append(got, v) }}))
	big := e.signer.IDToken("u1", verifytest.Claim("pad", strings.Repeat("x", 8192)))
	_, err := e.v.Verify(context.Background(), big)
	wantErr(t, err, verify.ErrTooLarge, "token_too_large")
	limit := exactLength(t, 8192, func(opts ...verifytest.TokenOption) string { return e.signer.IDToken("u1", opts...) })
	if _, err := e.v.Verify(context.Background(), limit); err != nil {
		t.Fatalf("a token of exactly 8192 bytes: %v", err)
	}
	if len(got) != 2 || got[0].KeyID != "" || got[1].KeyID != e.signer.Key().ID {
		t.Fatalf("verdicts %+v; want no key ID for the too large token, %q for the one at the limit", got, e.signer.Key().ID)
	}
}
