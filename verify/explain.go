package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/internal/claimcheck"
)

// Report is what Explain found out about a token: its kind, the verdict,
// and every rule with its outcome, rather than only the first failure.
// Everything in it but Valid, Code and UID is read from a token that may
// be forged: show it to a developer, never act on it.
type Report struct {
	// Kind is what the token looks like, whatever the verdict.
	Kind TokenKind `json:"kind"`
	// Accepts is the kind the Verifier takes.
	Accepts TokenKind `json:"accepts"`
	// Valid is Verify's verdict on the token, and UID the uid it verified.
	Valid bool   `json:"valid"`
	UID   string `json:"uid,omitempty"`
	// Code is ErrorCode of Verify's error, and Message its text (neither
	// quotes the token); empty when Valid.
	Code    string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
	// Project is the Firebase project the token names (an App Check
	// token's project number; a custom token's project, from the service
	// account that signed it), when its kind names one; OtherProject
	// reports that the Verifier does not accept that project.
	Project      string `json:"project,omitempty"`
	OtherProject bool   `json:"other_project,omitempty"`
	// SendInstead, for a token of another kind than the Verifier accepts,
	// says what to send instead, naming the client call that gives it.
	SendInstead string `json:"send_instead,omitempty"`
	// Rules are the Verifier's rules in the order Verify applies them.
	Rules []RuleCheck `json:"rules"`
	// Times are the token's exp, iat and auth_time, relative to the
	// Verifier's clock.
	Times []TimeClaim `json:"times,omitempty"`
	// Clock, when set, is a hint about this host's clock: how far it was
	// from the key server's at the last key fetch (its Date header), or
	// that it may be wrong when the token seems to come from the future.
	Clock string `json:"clock,omitempty"`
	// Err is Verify's error, nil when Valid.
	Err error `json:"-"`
}

// Outcome is what one rule made of a token.
type Outcome string

// The outcomes of a rule.
const (
	// Pass: the token meets the rule.
	Pass Outcome = "pass"
	// Fail: the token breaks the rule.
	Fail Outcome = "fail"
	// NotChecked: the rule could not be applied, because the token broke
	// one it depends on (no claims to read in a payload that is not
	// JSON), or because Verify stops before it (the signature of a token
	// refused by a claim rule is not checked, so no key is fetched for it).
	NotChecked Outcome = "not_checked"
)

// RuleCheck is one rule of a Report.
type RuleCheck struct {
	// Rule names the rule: "size", "format", "alg", "crit", "kid", a claim
	// ("aud", "iss", "sub", "exp", "iat", "auth_time", "firebase.tenant"),
	// "signature" or "revocation".
	Rule    string  `json:"rule"`
	Outcome Outcome `json:"outcome"`
	// OK is Outcome == Pass.
	OK bool `json:"ok"`
	// First marks the failure that Verify reports.
	First bool `json:"first,omitempty"`
	// Code is the failure's ErrorCode.
	Code string `json:"code,omitempty"`
	// Expected and Found are what the rule wants and what the token has.
	Expected string `json:"expected,omitempty"`
	Found    string `json:"found,omitempty"`
	// When, for a time claim, is its time relative to the Verifier's
	// clock: "expired 3 h 2 min ago", "issued 40 s in the future".
	When string `json:"when,omitempty"`
	// Fix, for a failure, says in one sentence what to do about it.
	Fix string `json:"fix,omitempty"`
}

// TimeClaim is a NumericDate claim of the token.
type TimeClaim struct {
	Claim string    `json:"claim"`
	Time  time.Time `json:"time"`
	// Relative is Time relative to the Verifier's clock, such as
	// "3 h 2 min ago" or "in 40 s".
	Relative string `json:"relative"`
}

// Explain verifies token as Verify does and reports what it is and every
// rule's outcome, for a developer asking why a token is refused: a
// diagnostic page, a CLI, a debug endpoint behind authentication. Its
// verdict is Verify's own (Valid, Code), with the same key lookups and
// revocation check and no more: no key is fetched for a token that a
// cheaper rule refuses, so its signature is then NotChecked. It does not
// report to the Observer's Verdict, logs nothing and never includes the
// token itself. It costs several times a Verify: do not put it on the path
// of every request.
func (v *Verifier) Explain(ctx context.Context, token string) *Report {
	p := peekToken(token)
	r := &Report{Kind: p.kind, Accepts: v.kind.accepted(), Project: p.project}
	if p.project != "" && p.kind != FirebaseAppCheckToken {
		r.OtherProject = !slices.Contains(v.expected.ProjectIDs, p.project)
	}
	r.SendInstead = sendInstead(v.kind, v.unsigned, p.kind)
	rs := v.ruleSet()
	sigErr, unsigned := v.evaluate(token, rs)
	tok, err := v.verify(ctx, token)
	rs.finish(err, sigErr, unsigned, v.revocation != nil)
	uid := ""
	if err == nil {
		uid = tok.UID
	}
	r.conclude(err, uid, rs, p, v.now(), v.keys, "exp", "iat", "auth_time")
	return r
}

// conclude completes r with Verify's verdict err (uid: the verified
// subject), the rules of rs, the token's times among timeClaims relative
// to now, and what keys' last fetch says of the clock.
func (r *Report) conclude(err error, uid string, rs *ruleSet, p peek, now time.Time, keys jwks.KeySource, timeClaims ...string) {
	r.Valid, r.Err, r.UID = err == nil, err, uid
	if err != nil {
		r.Code, r.Message = ErrorCode(err), errorText(err)
	}
	for _, name := range timeClaims {
		if at, ok := p.times[name]; ok {
			r.Times = append(r.Times, TimeClaim{Claim: name, Time: at, Relative: relative(at.Sub(now))})
			rs.get(name).When = timeWhen(name, at.Sub(now))
		}
	}
	r.Rules = rs.list()
	r.Clock = clockHint(keys, r.Rules)
}

// ruleSet is an empty ruleSet for v's rules.
func (v *Verifier) ruleSet() *ruleSet {
	hidden := map[string]bool{"firebase.tenant": len(v.expected.Tenants) == 0, "revocation": v.revocation == nil}
	return newRuleSet(ruleOrder, hidden, v.ruleExpected, v.fix)
}

// evaluate applies every rule it can to token without I/O, recording each
// outcome in rs with its place in Verify's order. The shape and header
// steps run Verify's own decoding; the claim rules run through
// claimcheck.ValidateEach. It returns the signature segment's decoding
// error, which Verify reports only after the key lookup, and whether the
// token is unsigned (alg "none").
func (v *Verifier) evaluate(token string, rs *ruleSet) (sigErr error, unsigned bool) {
	parts, ok := evaluateShape(token, v.maxTokenBytes, rs)
	if !ok {
		return nil, false
	}
	var d decoded
	if err := v.decode(token, parts, nil, &d); err != nil {
		rs.fail(ruleOf(err, "format"), 2, err)
	}
	var h claims.Header
	if raw, _, err := decodeSegment("header", parts.header, nil); err == nil {
		if h, err = claimcheck.ParseHeader(raw); err != nil {
			rs.fail(ruleOf(err, "format"), 3, err)
		} else {
			headerRules(h, v.unsigned, rs)
		}
	}
	payload, _, err := decodeSegment("payload", parts.payload, nil)
	if err != nil {
		rs.fail("format", 7, err)
		return nil, false
	}
	tok, err := claimcheck.Parse(payload)
	if err != nil {
		rs.fail(ruleOf(err, "format"), 8, err)
		return nil, false
	}
	rs.pass("format", "three base64url segments")
	for _, o := range claimcheck.ValidateEach(tok, v.expected, v.now()) {
		if o.Err != nil {
			rs.fail(o.Rule, 10+o.Step, o.Err)
		} else {
			rs.pass(o.Rule, claimFound(tok, o.Rule))
		}
	}
	if h.Algorithm == claimcheck.AlgorithmNone || parts.signature == "" {
		return nil, h.Algorithm == claimcheck.AlgorithmNone
	}
	_, _, sigErr = decodeSegment("signature", parts.signature, nil)
	return sigErr, false
}

// evaluateShape applies the first two rules, size and the split into
// three segments, and returns the segments when both pass.
func evaluateShape(token string, limit int, rs *ruleSet) (segments, bool) {
	if err := checkSize(token, limit); err != nil {
		rs.fail("size", 0, err)
		return segments{}, false
	}
	rs.pass("size", fmt.Sprintf("%d bytes", len(token)))
	parts, err := split(token)
	if err != nil {
		rs.fail("format", 1, err)
		return segments{}, false
	}
	return parts, true
}

// headerRules applies the header rules alg, crit and kid one by one to h
// (Verify stops at the first failure), each through the check Verify
// calls; allowUnsigned is emulator mode.
func headerRules(h claims.Header, allowUnsigned bool, rs *ruleSet) {
	if err := claimcheck.CheckAlgorithm(h, allowUnsigned); err != nil {
		rs.fail("alg", 4, err)
	} else {
		rs.pass("alg", strconv.Quote(h.Algorithm))
	}
	if err := claimcheck.CheckHeader(h); err != nil && h.Critical {
		rs.fail("crit", 5, err)
	} else {
		rs.pass("crit", "none")
	}
	noCrit := h
	noCrit.Critical = false
	switch err := claimcheck.CheckHeader(noCrit); {
	case err != nil:
		rs.fail("kid", 6, err)
	case h.Algorithm == claimcheck.AlgorithmNone:
		rs.pass("kid", "none (an unsigned token names no key)")
	default:
		rs.pass("kid", strconv.Quote(h.KeyID))
	}
}

// checkSize refuses a token longer than limit.
func checkSize(token string, limit int) error {
	if len(token) > limit {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(token), limit)
	}
	return nil
}

// ruleOf names the rule of err: the claim or header parameter of a
// *claims.ValidationError that has one, else fallback.
func ruleOf(err error, fallback string) string {
	var ve *claims.ValidationError
	if errors.As(err, &ve) {
		switch ve.Claim {
		case "alg", "crit", "kid", "aud", "iss", "sub", "exp", "iat", "auth_time", "firebase.tenant":
			return ve.Claim
		case "uid":
			return "sub"
		}
	}
	return fallback
}

// claimFound is the token's value of the claim a rule compares.
func claimFound(t *claims.Token, rule string) string {
	switch rule {
	case "aud":
		return shortQuote(t.Audience)
	case "iss":
		return shortQuote(t.Issuer)
	case "sub":
		return shortQuote(t.UID)
	case "exp":
		return stamp(t.Expires)
	case "iat":
		return stamp(t.IssuedAt)
	case "auth_time":
		return stamp(t.AuthTime)
	case "firebase.tenant":
		return shortQuote(t.Firebase.Tenant)
	}
	return ""
}

// ruleSet collects rule outcomes as evaluate and finish find them.
type ruleSet struct {
	order    []string                 // the rules, in Verify's order
	hidden   map[string]bool          // rules listed only when they fail
	expected func(rule string) string // what a rule wants
	fix      func(err error) string   // the fix of a failure
	rules    map[string]*RuleCheck
	steps    map[string]int // the Verify order place of each failure
	other    error          // a refusal no rule accounts for
}

func newRuleSet(order []string, hidden map[string]bool, expected func(string) string, fix func(error) string) *ruleSet {
	return &ruleSet{order: order, hidden: hidden, expected: expected, fix: fix,
		rules: map[string]*RuleCheck{}, steps: map[string]int{}}
}

// get returns the rule named name, NotChecked until set.
func (rs *ruleSet) get(name string) *RuleCheck {
	r, ok := rs.rules[name]
	if !ok {
		r = &RuleCheck{Rule: name, Outcome: NotChecked, Expected: rs.expected(name)}
		rs.rules[name] = r
	}
	return r
}

// pass records that rule passed, unless it already has an outcome.
func (rs *ruleSet) pass(rule, found string) {
	r := rs.get(rule)
	if r.Outcome == NotChecked {
		r.Outcome, r.OK, r.Found = Pass, true, found
	}
}

// fail records err as rule's failure at step, unless the rule already
// failed (the first failure of a rule is the one Verify would report).
func (rs *ruleSet) fail(rule string, step int, err error) {
	r := rs.get(rule)
	if r.Outcome == Fail {
		return
	}
	r.Outcome, r.OK, r.Code = Fail, false, ErrorCode(err)
	var ve *claims.ValidationError
	if errors.As(err, &ve) {
		if ve.Expected != "" {
			r.Expected = ve.Expected
		}
		r.Found = ve.Actual
		if r.Found == "" {
			r.Found = ve.Hint
		}
	} else {
		r.Found = errorText(err)
	}
	r.Fix = rs.fix(err)
	rs.steps[rule] = step
}

// finish records the steps only Verify's own run can tell, from its error
// err: the key lookup and signature (sigErr is the signature segment's
// decoding error, which Verify reports after the key lookup), and the
// revocation check, when the Verifier has one (revocation). unsigned: the
// token is an unsigned one, which only emulator mode accepts.
func (rs *ruleSet) finish(err, sigErr error, unsigned, revocation bool) {
	const signatureStep, revocationStep = 100, 101
	failed := len(rs.steps) > 0
	revoked := errors.Is(err, ErrRevoked) || errors.Is(err, ErrUserDisabled) || errors.Is(err, ErrRevocationCheckFailed)
	switch {
	case errors.Is(err, jwks.ErrUnknownKey) || errors.Is(err, jwks.ErrKeysUnavailable) || errors.Is(err, ErrInvalidSignature):
		rs.fail("signature", signatureStep, err)
	case err != nil && !revoked && !failed && sigErr != nil:
		rs.fail("signature", signatureStep, sigErr)
	case err == nil || revoked:
		found := "valid"
		if unsigned {
			found = "none: an unsigned token, accepted in emulator mode"
		}
		rs.pass("signature", found)
	}
	if revocation {
		switch {
		case revoked:
			rs.fail("revocation", revocationStep, err)
		case err == nil:
			rs.pass("revocation", "the user is enabled and signed in after any revocation")
		}
	}
	if err != nil && len(rs.steps) == 0 {
		rs.other = err // no rule accounts for it: shown as its own rule
	}
}

// ruleOrder is the order of a Report's rules: Verify's.
var ruleOrder = []string{"size", "format", "alg", "crit", "kid", "aud", "iss", "sub", "exp", "iat", "auth_time", "firebase.tenant", "signature", "revocation"}

// list returns the rules in Verify's order (the hidden ones only when they
// failed), with First set on the failure of the lowest step.
func (rs *ruleSet) list() []RuleCheck {
	first, firstStep := "", 1<<30
	for rule, step := range rs.steps {
		if step < firstStep {
			first, firstStep = rule, step
		}
	}
	var out []RuleCheck
	for _, name := range rs.order {
		if _, failed := rs.steps[name]; rs.hidden[name] && !failed {
			continue // a tenant of the wrong type fails even with no tenant configured
		}
		r := *rs.get(name)
		r.First = name == first
		out = append(out, r)
	}
	if rs.other != nil {
		out = append(out, RuleCheck{Rule: "other", Outcome: Fail, First: true, Code: ErrorCode(rs.other),
			Found: errorText(rs.other), Fix: rs.fix(rs.other)})
	}
	return out
}

// ruleExpected describes what rule wants of a token, for the Verifier v.
func (v *Verifier) ruleExpected(rule string) string {
	switch rule {
	case "size":
		return fmt.Sprintf("at most %d bytes", v.maxTokenBytes)
	case "alg":
		if v.unsigned {
			return `"RS256", or "none" (emulator mode)`
		}
	case "aud":
		return quoteAll(v.expected.ProjectIDs)
	case "iss":
		return strconv.Quote(v.expected.IssuerPrefix + "<aud>")
	case "sub":
		return "the uid: 1 to 128 bytes of printable UTF-8"
	case "exp":
		return fmt.Sprintf("after now (less %s of leeway), at most %s after iat", words(v.expected.Leeway), words(v.expected.MaxLifetime))
	case "iat", "auth_time":
		return fmt.Sprintf("before now (plus %s of leeway)", words(v.expected.Leeway))
	case "firebase.tenant":
		return quoteAll(v.expected.Tenants)
	case "revocation":
		return "the user enabled, and signed in after any revocation"
	}
	return sharedExpected(rule)
}

// sharedExpected describes what the rules every verifier applies alike
// want of a token.
func sharedExpected(rule string) string {
	switch rule {
	case "format":
		return "three base64url segments: JSON header, JSON payload, signature"
	case "alg":
		return `"RS256"`
	case "crit":
		return "no crit header"
	case "kid":
		return "the ID of one of the key source's keys"
	case "signature":
		return "RS256 by the key named in kid"
	}
	return ""
}

// fix is the one-sentence fix for err's rule, for a Verifier of v's kind.
func (v *Verifier) fix(err error) string {
	if errors.Is(err, ErrExpired) && v.kind == SessionCookie {
		return "Sign the user in again and make a new session cookie (createSessionCookie)."
	}
	return codeFix(err)
}

// codeFix is the fix the code table gives for err's rule.
func codeFix(err error) string {
	if c := lookupCode(err); c != nil {
		return c.fix
	}
	return "Send the token exactly as Firebase issued it."
}

// clockHint says what the last key fetch of keys tells of this host's
// clock, when a token seems issued in the future or the clocks are far
// apart.
func clockHint(keys jwks.KeySource, rules []RuleCheck) string {
	future := false
	for _, r := range rules {
		if r.Code == ErrorCode(ErrIssuedInFuture) || r.Code == ErrorCode(ErrAuthTimeInFuture) {
			future = true
		}
	}
	var st jwks.Status
	if s, ok := keys.(interface{ Status() jwks.Status }); ok {
		st = s.Status()
	}
	if st.ServerDate.IsZero() || st.Fetched.IsZero() {
		if future {
			return "This host's clock may be behind: compare it with a time server (NTP); no key fetch has told the key server's time yet."
		}
		return ""
	}
	skew := st.ServerDate.Sub(st.Fetched.Truncate(time.Second))
	far := skew > 2*time.Second || skew < -2*time.Second
	switch {
	case far && skew > 0:
		return fmt.Sprintf("This host's clock is about %s behind the key server's: at the last key fetch its Date header said %s when this host's clock said %s; set the clock right (NTP).",
			words(skew), stamp(st.ServerDate), stamp(st.Fetched))
	case far:
		return fmt.Sprintf("This host's clock is about %s ahead of the key server's: at the last key fetch its Date header said %s when this host's clock said %s; set the clock right (NTP).",
			words(-skew), stamp(st.ServerDate), stamp(st.Fetched))
	case future:
		return "This host's clock agreed with the key server's at the last key fetch (its Date header), so the token's issuer dated it ahead."
	}
	return ""
}

// relative words d, a claim's time less now: "3 h 2 min ago", "in 40 s".
func relative(d time.Duration) string {
	switch {
	case d < 0:
		return words(-d) + " ago"
	case d == 0:
		return "now"
	}
	return "in " + words(d)
}

// timeWhen words when a time claim is, as its rule reads it.
func timeWhen(claim string, d time.Duration) string {
	switch claim {
	case "exp":
		if d <= 0 {
			return "expired " + relative(d)
		}
		return "expires " + relative(d)
	case "iat":
		if d > 0 {
			return "issued " + words(d) + " in the future"
		}
		return "issued " + relative(d)
	}
	if d > 0 {
		return "signed in " + words(d) + " in the future"
	}
	return "signed in " + relative(d)
}

// words writes a positive duration in its largest unit and the next one
// down when that is not zero, rounded down: "3 h 2 min", "40 s",
// "2 days 3 h", "2 h".
func words(d time.Duration) string {
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "days"}, {time.Hour, "h"}, {time.Minute, "min"}, {time.Second, "s"}}
	name := func(n time.Duration, unit string) string {
		if n == 1 && unit == "days" {
			unit = "day"
		}
		return fmt.Sprintf("%d %s", n, unit)
	}
	for i, u := range units {
		n := d / u.size
		if n == 0 && u.size != time.Second {
			continue
		}
		out := name(n, u.name)
		if i+1 < len(units) {
			if m := (d - n*u.size) / units[i+1].size; m > 0 {
				out += " " + name(m, units[i+1].name)
			}
		}
		return out
	}
	return "0 s"
}

// errorText is err's text without the package prefix.
func errorText(err error) string {
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "verify: "), "jwks: ")
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// shortQuote quotes a claim's value, cut to 64 bytes.
func shortQuote(s string) string {
	if s == "" {
		return "none"
	}
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strconv.Quote(s)
}

// quoteAll quotes a list of accepted values.
func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "one of " + strings.Join(q, ", ")
}
