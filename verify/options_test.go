package verify_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func TestTenants(t *testing.T) {
	s := newSigner()
	one := newVerifier(t, s, verify.WithTenants("tenant-a"))
	several := newVerifier(t, s, verify.WithTenants("tenant-a", "tenant-b"))
	anyTenant := newVerifier(t, s)
	ctx := context.Background()

	a, b := s.IDToken("u1", verifytest.Tenant("tenant-a")), s.IDToken("u1", verifytest.Tenant("tenant-b"))
	none := s.IDToken("u1")
	if tok, err := one.Verify(ctx, a); err != nil || tok.Firebase.Tenant != "tenant-a" {
		t.Fatalf("tenant-a: %v", err)
	}
	_, err := one.Verify(ctx, b)
	mustFail(t, err, verify.ErrInvalidTenant)
	_, err = one.Verify(ctx, none)
	mustFail(t, err, verify.ErrInvalidTenant)
	if _, err := several.Verify(ctx, b); err != nil {
		t.Fatalf("tenant-b against a set: %v", err)
	}
	if _, err := anyTenant.Verify(ctx, b); err != nil {
		t.Fatalf("tenant token with no tenant rule: %v", err)
	}
	_, err = one.Verify(ctx, s.IDToken("u1", verifytest.Claim("firebase", map[string]any{"tenant": 7})))
	mustFail(t, err, verify.ErrInvalidTenant)
}

func TestEmulatorModeIsOffByDefault(t *testing.T) {
	s := newSigner()
	keys := &countingKeys{KeySource: s.KeySource()}
	v, err := verify.New(project, verify.WithKeySource(keys), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(context.Background(), s.EmulatorIDToken("u1"))
	mustFail(t, err, verify.ErrUnsupportedAlgorithm)
	if keys.calls.Load() != 0 {
		t.Fatal("an unsigned token caused a key lookup")
	}
}

func TestEmulatorMode(t *testing.T) {
	s := newSigner()
	keys := &countingKeys{KeySource: s.KeySource()}
	v, err := verify.New(project, verify.WithKeySource(keys), verify.WithClock(clock), verify.InsecureEmulatorMode())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok, err := v.Verify(ctx, s.EmulatorIDToken("u1"))
	if err != nil || tok.UID != "u1" {
		t.Fatalf("emulator token: %v", err)
	}
	if keys.calls.Load() != 0 {
		t.Fatal("an unsigned token caused a key lookup")
	}
	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"expired", s.EmulatorIDToken("u1", verifytest.IssuedAt(fixedNow.Add(-3*time.Hour))), verify.ErrExpired},
		{"other project", s.EmulatorIDToken("u1", verifytest.Project("elsewhere")), verify.ErrInvalidAudience},
		{"no sub", s.EmulatorIDToken("u1", verifytest.WithoutClaim("sub")), verify.ErrInvalidSubject},
		{"alg None", s.EmulatorIDToken("u1", verifytest.Header("alg", "None")), verify.ErrUnsupportedAlgorithm},
		{"alg none with a signature", s.EmulatorIDToken("u1") + "c2ln", verify.ErrMalformed},
		{"RS256 without signature", strings.TrimRight(s.IDToken("u1"), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"), verify.ErrMalformed},
		{"tampered RS256", s.IDToken("u1")[:len(s.IDToken("u1"))-4] + "AAAA", verify.ErrInvalidSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(ctx, c.token)
			mustFail(t, err, c.want)
		})
	}
	if _, err := v.Verify(ctx, s.IDToken("u1")); err != nil {
		t.Fatalf("signed token in emulator mode: %v", err)
	}
}

func TestRevocationCheck(t *testing.T) {
	s := newSigner()
	signedIn := fixedNow.Add(-10 * time.Minute)
	var calls atomic.Int64
	users := map[string]verify.UserStatus{
		"disabled":        {Disabled: true},
		"revoked":         {ValidAfter: signedIn.Add(time.Second)},
		"revoked-earlier": {ValidAfter: signedIn.Add(-time.Hour)},
	}
	v := newVerifier(t, s, verify.WithRevocationCheck(func(ctx context.Context, uid string) (verify.UserStatus, error) {
		calls.Add(1)
		if uid == "store-down" {
			return verify.UserStatus{}, errors.New("database unreachable")
		}
		return users[uid], nil
	}))
	ctx := context.Background()
	mint := func(uid string) string {
		return s.IDToken(uid, verifytest.AuthTime(signedIn))
	}
	if _, err := v.Verify(ctx, mint("fine")); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, mint("revoked-earlier")); err != nil {
		t.Fatalf("revoked before this sign-in: %v", err)
	}
	_, err := v.Verify(ctx, mint("disabled"))
	mustFail(t, err, verify.ErrUserDisabled)
	_, err = v.Verify(ctx, mint("revoked"))
	mustFail(t, err, verify.ErrRevoked)
	_, err = v.Verify(ctx, mint("store-down"))
	mustFail(t, err, verify.ErrRevocationCheckFailed)

	before := calls.Load()
	_, err = v.Verify(ctx, s.IDToken("fine", verifytest.Claim("aud", "other")))
	mustFail(t, err, verify.ErrInvalidAudience)
	if calls.Load() != before {
		t.Fatal("the revocation check ran for a token that failed another rule")
	}
}

func TestSeveralProjects(t *testing.T) {
	s := newSigner()
	v := newVerifier(t, s, verify.WithExtraProjects("staging"))
	ctx := context.Background()
	if _, err := v.Verify(ctx, s.IDToken("u1")); err != nil {
		t.Fatalf("production token: %v", err)
	}
	tok, err := v.Verify(ctx, s.IDToken("u1", verifytest.Project("staging")))
	if err != nil || tok.Audience != "staging" {
		t.Fatalf("staging token: %v", err)
	}
	// aud of one project with iss of the other: each token is checked
	// against its own project.
	_, err = v.Verify(ctx, s.IDToken("u1", verifytest.Claim("aud", "staging")))
	mustFail(t, err, verify.ErrInvalidIssuer)
	_, err = v.Verify(ctx, s.IDToken("u1", verifytest.Project("dev")))
	mustFail(t, err, verify.ErrInvalidAudience)
	if got := v.ProjectIDs(); len(got) != 2 || got[0] != project || got[1] != "staging" {
		t.Fatalf("ProjectIDs() = %v", got)
	}
}

// TestOptionsThatCannotApplyDoNotCompile pins which options NewAppCheck
// takes: an option is an AppCheckOption only if it applies to App Check
// tokens, so passing WithCache to NewAppCheck is a compile error. The
// check is on the options' dynamic types, which is what the compiler sees.
func TestOptionsThatCannotApplyDoNotCompile(t *testing.T) {
	s := verifytest.NewSigner(project)
	idOnly := map[string]verify.Option{
		"WithCache":            verify.WithCache(1),
		"WithExtraProjects":    verify.WithExtraProjects("other-project"),
		"WithTenants":          verify.WithTenants("t"),
		"WithRevocationCheck":  verify.WithRevocationCheck(func(context.Context, string) (verify.UserStatus, error) { return verify.UserStatus{}, nil }),
		"InsecureEmulatorMode": verify.InsecureEmulatorMode(),
		"WithObserver":         verify.WithObserver(verify.Observer{Verdict: func(verify.Verdict) {}}),
	}
	for name, opt := range idOnly {
		if _, ok := opt.(verify.AppCheckOption); ok {
			t.Errorf("%s is an AppCheckOption; it does not apply to App Check tokens", name)
		}
	}
	shared := map[string]verify.SharedOption{
		"WithKeySource":     verify.WithKeySource(s.KeySource()),
		"WithClock":         verify.WithClock(clock),
		"WithLeeway":        verify.WithLeeway(0),
		"WithMaxTokenBytes": verify.WithMaxTokenBytes(4096),
		"WithHTTPClient":    verify.WithHTTPClient(nil),
		"WithLogger":        verify.WithLogger(nil),
		"WithKeySnapshot":   verify.WithKeySnapshot(filepath.Join(t.TempDir(), "keys.json")),
	}
	for name, opt := range shared {
		a, err := verify.NewAppCheck(verify.AppCheckProject{Number: "123456789012"}, opt)
		if err != nil {
			t.Errorf("NewAppCheck(%s): %v", name, err)
			continue
		}
		a.Close()
	}
}

func TestEmulatorHostReadsTheEnvironment(t *testing.T) {
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", "")
	if _, ok := verify.EmulatorHost(); ok {
		t.Fatal("EmulatorHost reported a host with the variable empty")
	}
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
	if h, ok := verify.EmulatorHost(); !ok || h != "127.0.0.1:9099" {
		t.Fatalf("EmulatorHost() = %q, %v", h, ok)
	}
	// Reading the variable turns nothing on: a default verifier still
	// refuses unsigned tokens.
	s := newSigner()
	_, err := newVerifier(t, s).Verify(context.Background(), s.EmulatorIDToken("u1"))
	mustFail(t, err, verify.ErrUnsupportedAlgorithm)
}
