package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// kindCase is a token of a known kind, with the verifier it is given to.
type kindCase struct {
	name    string
	token   string
	cookie  bool // give it to the session-cookie verifier
	kind    verify.TokenKind
	project string
}

// kindCorpus mints one token of every kind Explain names, and the usual
// mistakes (expired, another project, a clock behind), around signer.
func kindCorpus(t testing.TB, signer *verifytest.Signer) []kindCase {
	t.Helper()
	h := hostile{signer: signer, kid: signer.Key().ID}
	hdr := h.header()
	now := hostileNow
	custom := fields{
		{"iss", q("firebase-adminsdk-x1y2z@" + hostileProject + ".iam.gserviceaccount.com")},
		{"sub", q("firebase-adminsdk-x1y2z@" + hostileProject + ".iam.gserviceaccount.com")},
		{"aud", q(verify.CustomTokenAudience)},
		{"uid", `"alice"`},
		{"iat", num(now)},
		{"exp", num(now.Add(time.Hour))},
	}
	google := fields{
		{"iss", `"https://accounts.google.com"`},
		{"azp", `"1234-abc.apps.googleusercontent.com"`},
		{"aud", `"1234-abc.apps.googleusercontent.com"`},
		{"sub", `"110169484474386276334"`},
		{"iat", num(now)},
		{"exp", num(now.Add(time.Hour))},
	}
	cloudRun := google.set("iss", `"accounts.google.com"`).set("aud", `"https://my-service-abc-uc.a.run.app"`)
	other := fields{{"iss", `"https://auth.example.com"`}, {"aud", `"api"`}, {"sub", `"u"`}, {"iat", num(now)}, {"exp", num(now.Add(time.Hour))}}
	return []kindCase{
		{"ID token", signer.IDToken("alice"), false, verify.FirebaseIDToken, hostileProject},
		{"ID token with a tenant", signer.IDToken("alice", verifytest.Tenant("t-1")), false, verify.FirebaseIDToken, hostileProject},
		{"expired ID token", signer.IDToken("alice", verifytest.IssuedAt(now.Add(-4*time.Hour))), false, verify.FirebaseIDToken, hostileProject},
		{"ID token issued 40 s in the future", signer.IDToken("alice", verifytest.IssuedAt(now.Add(100*time.Second))), false, verify.FirebaseIDToken, hostileProject},
		{"ID token of another project", signer.IDToken("alice", verifytest.Project("other-project")), false, verify.FirebaseIDToken, "other-project"},
		{"expired ID token of another project", signer.IDToken("alice", verifytest.Project("other-project"), verifytest.IssuedAt(now.Add(-3*time.Hour))), false, verify.FirebaseIDToken, "other-project"},
		{"ID token by an unknown key", signer.IDToken("alice", verifytest.SignedBy(verifytest.GenerateKey())), false, verify.FirebaseIDToken, hostileProject},
		{"ID token given as a session cookie", signer.IDToken("alice"), true, verify.FirebaseIDToken, hostileProject},
		{"session cookie", signer.SessionCookie("alice"), true, verify.FirebaseSessionCookie, hostileProject},
		{"session cookie given as an ID token", signer.SessionCookie("alice"), false, verify.FirebaseSessionCookie, hostileProject},
		{"expired session cookie", signer.SessionCookie("alice", verifytest.IssuedAt(now.Add(-48*time.Hour))), true, verify.FirebaseSessionCookie, hostileProject},
		{"emulator token", signer.EmulatorIDToken("alice"), false, verify.FirebaseEmulatorToken, hostileProject},
		{"emulator token of another project", signer.EmulatorIDToken("alice", verifytest.Project("demo-other")), false, verify.FirebaseEmulatorToken, "demo-other"},
		{"App Check token", signer.AppCheckToken("123456789012", "1:123456789012:web:abc"), false, verify.FirebaseAppCheckToken, "123456789012"},
		{"custom token", h.sign(hdr, custom), false, verify.FirebaseCustomToken, hostileProject},
		{"custom token given as a session cookie", h.sign(hdr, custom), true, verify.FirebaseCustomToken, hostileProject},
		{"Google Sign-In ID token", h.sign(hdr, google), false, verify.GoogleIDToken, ""},
		{"Cloud Run identity token", h.sign(hdr, cloudRun), false, verify.GoogleIDToken, ""},
		{"Google access token", "ya29.a0AfB_byC1x2y3z4-Example_Access_Token_0123456789", false, verify.GoogleAccessToken, ""},
		{"another issuer's JWT", h.sign(hdr, other), false, verify.OtherJWT, ""},
		{"not a JWT", "hello world", false, verify.NotAJWT, ""},
		{"an API key", "AIzaSyA-1234567890abcdefghijklmnopqrstu", false, verify.NotAJWT, ""},
		{"ID token after Bearer", "Bearer " + signer.IDToken("alice"), false, verify.FirebaseIDToken, hostileProject},
		{"ID token in a whole Authorization line", "Authorization: Bearer " + signer.IDToken("alice"), false, verify.FirebaseIDToken, hostileProject},
	}
}

// explainVerifiers are the verifiers the agreement test runs, over a key
// source that counts lookups.
type explainVerifiers struct {
	id, cookie, emulator, tenant, revoking, cached *verify.Verifier
	lookups                                        *atomic.Int64
}

func newExplainVerifiers(t *testing.T, signer *verifytest.Signer) explainVerifiers {
	t.Helper()
	remote := signer.Remote(jwks.RemoteOptions{})
	t.Cleanup(func() { remote.Close() })
	counting := &countingKeys{KeySource: remote}
	keys := verify.WithKeySource(counting)
	clock := verify.WithClock(func() time.Time { return hostileNow })
	must := func(v *verify.Verifier, err error) *verify.Verifier {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	revoked := func(_ context.Context, uid string) (verify.UserStatus, error) {
		return verify.UserStatus{Disabled: uid == "mallory"}, nil
	}
	return explainVerifiers{
		id:       must(verify.New(hostileProject, keys, clock)),
		cookie:   must(verify.NewSessionCookieVerifier(hostileProject, keys, clock)),
		emulator: must(verify.New(hostileProject, keys, clock, verify.InsecureEmulatorMode())),
		tenant:   must(verify.New(hostileProject, keys, clock, verify.WithTenants("t-1"))),
		revoking: must(verify.New(hostileProject, keys, clock, verify.WithRevocationCheck(revoked))),
		cached:   must(verify.New(hostileProject, keys, clock, verify.WithCache(64))),
		lookups:  &counting.calls,
	}
}

// TestExplainAgreesWithVerify runs Explain and Verify over the whole
// hostile corpus and every minted kind, on verifiers of each kind and
// mode, and requires the same verdict and the same first error: Explain's
// rules are evaluated on their own (claimcheck.ValidateEach, the header
// checks one by one), so the rule it marks First must carry Verify's
// code, every rule must pass exactly when Verify accepts, and no refusal
// may be left to the catch-all "other" rule. It also requires Explain to
// look up keys exactly as often as Verify.
func TestExplainAgreesWithVerify(t *testing.T) {
	signer := newHostileSigner(t)
	t.Cleanup(signer.Close)
	vs := newExplainVerifiers(t, signer)
	attacker := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(attacker.Close)

	type run struct {
		name  string
		token string
		v     *verify.Verifier
	}
	var runs []run
	for _, c := range hostileCorpus(t, signer, attacker.URL) {
		v := vs.id
		if c.cookie {
			v = vs.cookie
		}
		runs = append(runs, run{c.name, c.token, v}, run{c.name + " (emulator mode)", c.token, vs.emulator},
			run{c.name + " (tenant)", c.token, vs.tenant})
	}
	for _, c := range kindCorpus(t, signer) {
		v := vs.id
		if c.cookie {
			v = vs.cookie
		}
		runs = append(runs, run{c.name, c.token, v}, run{c.name + " (emulator mode)", c.token, vs.emulator},
			run{c.name + " (tenant)", c.token, vs.tenant}, run{c.name + " (revocation)", c.token, vs.revoking},
			run{c.name + " (cache)", c.token, vs.cached}, run{c.name + " (cache, again)", c.token, vs.cached})
	}
	runs = append(runs, run{"disabled user", signer.IDToken("mallory"), vs.revoking})

	accepted, refused := 0, 0
	for _, r := range runs {
		before := vs.lookups.Load()
		_, err := r.v.Verify(context.Background(), r.token)
		verifyLookups := vs.lookups.Load() - before
		before = vs.lookups.Load()
		first := checkAgreement(t, r.name, r.v, r.token, err)
		// With a cache, Verify has just cached a valid token, so Explain
		// finds it there and looks up no key at all.
		if got := vs.lookups.Load() - before; got > verifyLookups || got < verifyLookups && r.v != vs.cached {
			t.Errorf("%s: Explain looked up keys %d times, Verify %d", r.name, got, verifyLookups)
		}
		if err == nil {
			accepted++
			continue
		}
		refused++
		if first != nil && (first.Fix == "" || !strings.HasSuffix(first.Fix, ".")) {
			t.Errorf("%s: failure %q has fix %q, want a sentence", r.name, first.Rule, first.Fix)
		}
	}
	if accepted < 20 || refused < 300 {
		t.Fatalf("%d accepted, %d refused: the corpus is not running", accepted, refused)
	}
}

// checkAgreement runs v.Explain on token and requires it to agree with
// Verify's error err: the same verdict and code, every rule passing
// exactly when Verify accepts, the rule marked First (returned) carrying
// Verify's code, and no refusal left to the catch-all "other" rule.
func checkAgreement(t *testing.T, name string, v *verify.Verifier, token string, err error) *verify.RuleCheck {
	t.Helper()
	rep := v.Explain(context.Background(), token)
	if rep.Valid != (err == nil) || rep.Code != verify.ErrorCode(err) {
		t.Errorf("%s: Explain valid=%v code %q, Verify %v", name, rep.Valid, rep.Code, err)
		return nil
	}
	var first *verify.RuleCheck
	allPass := true
	for i, rc := range rep.Rules {
		if rc.Rule == "other" {
			t.Errorf("%s: Verify's %v is left to the catch-all rule", name, err)
		}
		if rc.First {
			if first != nil {
				t.Errorf("%s: two rules marked first", name)
			}
			first = &rep.Rules[i]
		}
		if rc.OK != (rc.Outcome == verify.Pass) || (rc.Outcome == verify.Fail) != (rc.Code != "") {
			t.Errorf("%s: rule %+v is inconsistent", name, rc)
		}
		allPass = allPass && rc.OK
	}
	switch {
	case err == nil && (!allPass || first != nil):
		t.Errorf("%s: Verify accepts, Explain's rules %+v", name, rep.Rules)
	case err != nil && (first == nil || first.Code != verify.ErrorCode(err)):
		t.Errorf("%s: Verify refuses with %v (%s); Explain's first failure %+v", name, err, verify.ErrorCode(err), first)
	}
	return first
}

// FuzzExplain mutates whole tokens, seeded with the hostile corpus and
// every minted kind, and requires Explain to agree with Verify on each.
func FuzzExplain(f *testing.F) {
	v, corpus, h := fuzzVerifier(f)
	for _, c := range corpus {
		f.Add(c.token)
	}
	for _, c := range kindCorpus(f, h.signer) {
		f.Add(c.token)
	}
	f.Fuzz(func(t *testing.T, token string) {
		_, err := v.Verify(context.Background(), token)
		checkAgreement(t, "fuzzed token", v, token, err)
	})
}

// FuzzExplainSigned fuzzes the header and payload JSON and signs them
// correctly, so the fuzzer explores the claim rules behind the signature,
// and requires Explain to agree with Verify on each.
func FuzzExplainSigned(f *testing.F) {
	v, corpus, h := fuzzVerifier(f)
	addSignedSeeds(f, h, corpus)
	f.Fuzz(func(t *testing.T, header, payload []byte) {
		token := h.signer.Sign(header, payload)
		_, err := v.Verify(context.Background(), token)
		checkAgreement(t, "signed token", v, token, err)
	})
}

// TestExplainGoesOnPastTheFirstFailure checks that an expired token of
// another project reports both, with the times relative to the clock.
func TestExplainGoesOnPastTheFirstFailure(t *testing.T) {
	signer := newHostileSigner(t)
	t.Cleanup(signer.Close)
	vs := newExplainVerifiers(t, signer)
	token := signer.IDToken("alice", verifytest.Project("other-project"), verifytest.IssuedAt(hostileNow.Add(-4*time.Hour)))
	rep := vs.id.Explain(context.Background(), token)
	rules := map[string]verify.RuleCheck{}
	for _, r := range rep.Rules {
		rules[r.Rule] = r
	}
	if r := rules["aud"]; r.Outcome != verify.Fail || !r.First || r.Found != `"other-project"` {
		t.Errorf("aud: %+v, want the first failure, found \"other-project\"", r)
	}
	if r := rules["exp"]; r.Outcome != verify.Fail || r.First || r.Code != "token_expired" || r.When != "expired 3 h ago" {
		t.Errorf("exp: %+v, want a second failure, expired 3 h ago", r)
	}
	if r := rules["signature"]; r.Outcome != verify.NotChecked {
		t.Errorf("signature: %+v, want not checked (no key is fetched for a refused token)", r)
	}
	for _, name := range []string{"size", "format", "alg", "kid", "sub"} {
		if !rules[name].OK {
			t.Errorf("%s: %+v, want a pass", name, rules[name])
		}
	}
	if len(rep.Times) != 3 || rep.Times[0].Claim != "exp" || rep.Times[0].Relative != "3 h ago" {
		t.Errorf("Times = %+v", rep.Times)
	}
}

// TestExplainClockHint checks the hint on a token issued in the future:
// with the key server's Date header, how far this host's clock is from it;
// without one, that it may be behind.
func TestExplainClockHint(t *testing.T) {
	signer := newHostileSigner(t)
	t.Cleanup(signer.Close)
	serverNow := hostileNow.Add(40 * time.Second)
	dated := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", serverNow.Format(http.TimeFormat))
		signer.ServeHTTP(w, r)
	}))
	t.Cleanup(dated.Close)
	clock := func() time.Time { return hostileNow }
	remote, err := jwks.NewRemote(dated.URL+"/jwks", jwks.RemoteOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { remote.Close() })
	future := signer.IDToken("alice", verifytest.IssuedAt(serverNow.Add(40*time.Second)))

	v, err := verify.New(hostileProject, verify.WithKeySource(remote), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	rep := v.Explain(context.Background(), future)
	if rep.Code != "issued_in_future" || !strings.Contains(rep.Clock, "may be behind") {
		t.Fatalf("before any key fetch: code %q, clock hint %q", rep.Code, rep.Clock)
	}
	if err := remote.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep = v.Explain(context.Background(), future)
	if !strings.Contains(rep.Clock, "about 40 s behind") {
		t.Fatalf("after a key fetch dated 40 s ahead: clock hint %q", rep.Clock)
	}
	var iat verify.RuleCheck
	for _, r := range rep.Rules {
		if r.Rule == "iat" {
			iat = r
		}
	}
	if iat.When != "issued 1 min 20 s in the future" || !iat.First {
		t.Fatalf("iat: %+v", iat)
	}
}

// TestExplainNeverEchoesTheToken checks that no part of a report, as
// JSON, carries the token or its signature.
func TestExplainNeverEchoesTheToken(t *testing.T) {
	signer := newHostileSigner(t)
	t.Cleanup(signer.Close)
	vs := newExplainVerifiers(t, signer)
	for _, c := range kindCorpus(t, signer) {
		rep := vs.id.Explain(context.Background(), c.token)
		out, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(c.token, ".")
		tail := parts[len(parts)-1]
		if len(tail) > 20 && strings.Contains(string(out), tail[len(tail)-20:]) {
			t.Errorf("%s: the report echoes the token: %s", c.name, out)
		}
	}
}

// TestErrInvalidProjectIDHasItsCode checks the configuration error's own
// code.
func TestErrInvalidProjectIDHasItsCode(t *testing.T) {
	_, err := verify.New("123456789012")
	if !errors.Is(err, verify.ErrInvalidProjectID) || verify.ErrorCode(err) != "invalid_project_id" {
		t.Fatalf("New(a project number): %v, code %q", err, verify.ErrorCode(err))
	}
}
