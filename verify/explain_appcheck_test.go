package verify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const appCheckNumber = "123456789012"

// TestAppCheckExplainAgreesWithVerify runs the App Check verifier's
// Explain and Verify over App Check tokens that break each rule, the
// hostile corpus and every minted kind, and requires the same verdict and
// first error, as TestExplainAgreesWithVerify does for ID tokens.
func TestAppCheckExplainAgreesWithVerify(t *testing.T) {
	signer := newHostileSigner(t)
	t.Cleanup(signer.Close)
	remote := signer.Remote(jwks.RemoteOptions{})
	t.Cleanup(func() { remote.Close() })
	counting := &countingKeys{KeySource: remote}
	a, err := verify.NewAppCheck(verify.AppCheckProject{Number: appCheckNumber, ID: hostileProject},
		verify.WithKeySource(counting), verify.WithClock(func() time.Time { return hostileNow }))
	if err != nil {
		t.Fatal(err)
	}
	attacker := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(attacker.Close)
	h := hostile{signer: signer, kid: signer.Key().ID}
	app := func(opts ...verifytest.TokenOption) string {
		return signer.AppCheckToken(appCheckNumber, "1:123:web:abc", opts...)
	}
	tokens := map[string]string{
		"valid":              app(),
		"other project":      signer.AppCheckToken("999999999999", "1:9:web:x"),
		"expired":            app(verifytest.IssuedAt(hostileNow.Add(-3 * time.Hour))),
		"issued in future":   app(verifytest.IssuedAt(hostileNow.Add(5 * time.Minute))),
		"no typ":             app(verifytest.WithoutHeader("typ")),
		"no sub":             app(verifytest.WithoutClaim("sub")),
		"no typ, no sub":     app(verifytest.WithoutHeader("typ"), verifytest.WithoutClaim("sub")),
		"aud a string":       app(verifytest.Claim("aud", "projects/"+appCheckNumber)),
		"no exp, wrong iss":  app(verifytest.WithoutClaim("exp"), verifytest.Claim("iss", "https://example.com")),
		"unknown key":        app(verifytest.SignedBy(verifytest.GenerateKey())),
		"tampered":           app() + "x",
		"alg none":           verifytest.Unsigned(h.header().set("alg", `"none"`).json(), []byte(`{"sub":"x"}`)),
		"header not base64":  "Bearer " + app(),
		"payload not base64": strings.Replace(app(), ".", ".!", 1),
	}
	for _, c := range hostileCorpus(t, signer, attacker.URL) {
		tokens["hostile: "+c.name] = c.token
	}
	for _, c := range kindCorpus(t, signer) {
		tokens["kind: "+c.name] = c.token
	}
	accepted := 0
	for name, token := range tokens {
		if agreeOnAppCheck(t, a, counting, name, token) {
			accepted++
		}
	}
	if accepted == 0 {
		t.Fatal("no token accepted: the corpus is not running")
	}
	rep := a.Explain(context.Background(), tokens["valid"])
	if rep.Kind != verify.FirebaseAppCheckToken || rep.Accepts != verify.FirebaseAppCheckToken || rep.Project != appCheckNumber || rep.UID != "1:123:web:abc" || rep.SendInstead != "" {
		t.Errorf("valid App Check token: %+v", rep)
	}
	rep = a.Explain(context.Background(), tokens["other project"])
	if !rep.OtherProject || rep.Project != "999999999999" {
		t.Errorf("other project: %+v", rep)
	}
	rep = a.Explain(context.Background(), signer.IDToken("alice"))
	if rep.Kind != verify.FirebaseIDToken || !strings.Contains(rep.SendInstead, "getToken(appCheck)") {
		t.Errorf("ID token to an App Check verifier: kind %s, send instead %q", rep.Kind, rep.SendInstead)
	}
}

// agreeOnAppCheck checks that a's Explain and Verify agree on token: the
// same key lookups, verdict and first error, every rule passing when it is
// accepted. It reports whether Verify accepts it.
func agreeOnAppCheck(t *testing.T, a *verify.AppCheckVerifier, counting *countingKeys, name, token string) bool {
	t.Helper()
	before := counting.calls.Load()
	_, err := a.Verify(context.Background(), token)
	verifyLookups := counting.calls.Load() - before
	before = counting.calls.Load()
	rep := a.Explain(context.Background(), token)
	if got := counting.calls.Load() - before; got != verifyLookups {
		t.Errorf("%s: Explain looked up keys %d times, Verify %d", name, got, verifyLookups)
	}
	if rep.Valid != (err == nil) || rep.Code != verify.ErrorCode(err) {
		t.Errorf("%s: Explain valid=%v code %q, Verify %v", name, rep.Valid, rep.Code, err)
		return false
	}
	var first *verify.RuleCheck
	for i, r := range rep.Rules {
		if r.Rule == "other" {
			t.Errorf("%s: Verify's %v is left to the catch-all rule", name, err)
		}
		if r.First {
			first = &rep.Rules[i]
		}
		if err == nil && !r.OK {
			t.Errorf("%s: Verify accepts, rule %+v", name, r)
		}
	}
	if err == nil {
		return true
	}
	if first == nil || first.Code != verify.ErrorCode(err) {
		t.Errorf("%s: Verify refuses with %v; Explain's first failure %+v", name, err, first)
	}
	return false
}
