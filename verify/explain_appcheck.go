package verify

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/verify/internal/claimcheck"
)

// appCheckRuleOrder is the order of an App Check Report's rules: Verify's.
var appCheckRuleOrder = []string{"size", "format", "alg", "crit", "kid", "typ", "aud", "iss", "sub", "exp", "iat", "signature"}

// Explain is Verifier.Explain for App Check tokens: it verifies token as
// Verify does and reports its kind, the project number it names, what to
// send instead when it is another kind, and every rule's outcome with a
// fix, with Verify's verdict (UID is then the app ID). The same rules
// hold: no more key lookups than Verify, nothing logged, never the token.
func (a *AppCheckVerifier) Explain(ctx context.Context, token string) *Report {
	p := peekToken(token)
	r := &Report{Kind: p.kind, Accepts: FirebaseAppCheckToken, Project: p.project}
	if p.kind == FirebaseAppCheckToken && p.project != "" {
		r.OtherProject = p.project != a.expected.ProjectNumber
	}
	r.SendInstead = appCheckSendInstead(p.kind)
	rs := newRuleSet(appCheckRuleOrder, nil, a.ruleExpected, a.fix)
	sigErr := a.evaluate(token, rs)
	tok, err := a.Verify(ctx, token)
	rs.finish(err, sigErr, false, false)
	appID := ""
	if err == nil {
		appID = tok.AppID
	}
	r.conclude(err, appID, rs, p, a.now(), a.keys, "exp", "iat")
	return r
}

// evaluate applies every App Check rule it can to token without I/O, as
// Verifier.evaluate does, each check the one Verify calls. It returns the
// signature segment's decoding error.
func (a *AppCheckVerifier) evaluate(token string, rs *ruleSet) error {
	parts, ok := evaluateShape(token, a.maxTokenBytes, rs)
	if !ok {
		return nil
	}
	if raw, _, err := decodeSegment("header", parts.header, nil); err != nil {
		rs.fail("format", 2, err)
	} else if h, err := claimcheck.ParseHeader(raw); err != nil {
		rs.fail(ruleOf(err, "format"), 3, err)
	} else {
		headerRules(h, false, rs)
		if err := claimcheck.CheckAppCheckHeader(h); err != nil {
			rs.fail("typ", 7, err)
		} else {
			rs.pass("typ", strconv.Quote(h.Type))
		}
	}
	payload, _, err := decodeSegment("payload", parts.payload, nil)
	if err != nil {
		rs.fail("format", 8, err)
		return nil
	}
	tok, err := claimcheck.ParseAppCheck(payload)
	if err != nil {
		rs.fail(ruleOf(err, "format"), 9, err)
		return nil
	}
	rs.pass("format", "three base64url segments")
	for _, o := range claimcheck.ValidateAppCheckEach(tok, a.expected, a.now()) {
		if o.Err != nil {
			rs.fail(o.Rule, 10+o.Step, o.Err)
		} else {
			rs.pass(o.Rule, appCheckClaimFound(tok, o.Rule))
		}
	}
	_, _, sigErr := decodeSegment("signature", parts.signature, nil)
	return sigErr
}

// appCheckClaimFound is the token's value of the claim a rule compares.
func appCheckClaimFound(t *claims.AppCheckToken, rule string) string {
	switch rule {
	case "aud":
		return fmt.Sprintf("%q", t.Audience)
	case "iss":
		return shortQuote(t.Issuer)
	case "sub":
		return shortQuote(t.AppID)
	case "exp":
		return stamp(t.Expires)
	case "iat":
		return stamp(t.IssuedAt)
	}
	return ""
}

// ruleExpected describes what rule wants of an App Check token.
func (a *AppCheckVerifier) ruleExpected(rule string) string {
	switch rule {
	case "size":
		return fmt.Sprintf("at most %d bytes", a.maxTokenBytes)
	case "typ":
		return `"JWT"`
	case "aud":
		want := strconv.Quote("projects/" + a.expected.ProjectNumber)
		if a.expected.ProjectID != "" {
			want += " or " + strconv.Quote("projects/"+a.expected.ProjectID)
		}
		return "an array containing " + want
	case "iss":
		return strconv.Quote(claimcheck.AppCheckIssuerPrefix + a.expected.ProjectNumber)
	case "sub":
		return "the app ID"
	case "exp":
		return fmt.Sprintf("after now (less %s of leeway)", words(a.expected.Leeway))
	case "iat":
		return fmt.Sprintf("before now (plus %s of leeway)", words(a.expected.Leeway))
	}
	return sharedExpected(rule)
}

// fix is the one-sentence fix for err's rule, for App Check tokens.
func (a *AppCheckVerifier) fix(err error) string {
	if errors.Is(err, ErrExpired) {
		return "Get a fresh App Check token from the client SDK (getToken(appCheck)) and retry."
	}
	return codeFix(err)
}

// appCheckSendInstead says, for a token of kind got given to an App
// Check verifier, what to send instead; "" for an App Check token.
func appCheckSendInstead(got TokenKind) string {
	const wanted = "the App Check token from getToken(appCheck) in the client SDK, in the X-Firebase-AppCheck header"
	switch got {
	case FirebaseAppCheckToken:
		return ""
	case FirebaseIDToken, FirebaseSessionCookie, FirebaseEmulatorToken:
		return "This token names a user, not an app: verify it with verify.New or verify.NewSessionCookieVerifier, and send an App Check verifier " + wanted + "."
	}
	return "This is not an App Check token: send " + wanted + "."
}
