package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fbverify/fbverify/claims"
)

// A policy file lists policies, each the rules a verified token must also
// keep on one auth path. It is line based: blank lines and lines starting
// with '#' are ignored; every other line is a keyword and its arguments,
// separated by spaces. "policy PATH" starts a policy; the rule lines that
// follow belong to it:
//
//	policy /verify/staff
//	email_verified
//	deny_providers anonymous
//	second_factor
//	tenants staff-tenant
//	max_auth_age 5m
//	claim_equals role admin
//	claim_contains groups "on call"
//	claim_exists org.id
//
// The path of the auth request chooses the policy: the proxy's
// configuration sets it (nginx auth_request /verify/staff), never a
// client. A path also matches the policy of any path it continues by a
// '/' (Envoy's path_prefix appends the client's path), so one policy path
// inside another is refused, as is any path the server answers itself.

// A policyRule is one rule line of a policy.
type policyRule struct {
	// name is the rule as the log shows it: the keyword, and the claim's
	// path for the claim rules ("claim_equals role").
	name string
	// code is the stable code of a refusal, sent in the 403's body.
	code string
	// check returns nil when c keeps the rule, or what was expected and
	// what was found.
	check func(c *policyClaims) *ruleBroken
}

// ruleBroken says how a token broke a rule: for the log only.
type ruleBroken struct {
	expected, found string
}

// policy is the rules of one auth path.
type policy struct {
	path  string
	line  int // of the "policy" line, for error messages
	rules []policyRule
}

// policyClaims is what the rules read from one verified token.
type policyClaims struct {
	tok *claims.Token
	now time.Time
}

// policyError is a refusal by a policy: the token is valid, but broke
// the rule.
type policyError struct {
	policy string
	rule   policyRule
	broken *ruleBroken
}

// Error names the policy, the rule, and the values compared; it is for
// the log, never for the client.
func (e *policyError) Error() string {
	return fmt.Sprintf("policy %s: rule %s: expected %s, found %s", e.policy, e.rule.name, e.broken.expected, e.broken.found)
}

// policyCode is a rule's code with its fixed, public message.
type policyCode struct{ code, message string }

// The codes of the rules, stable: clients and dashboards branch on them.
var (
	codeEmailNotVerified   = policyCode{"email_not_verified", "email address not verified"}
	codeProviderNotAllowed = policyCode{"provider_not_allowed", "sign-in provider not allowed"}
	codeProviderDenied     = policyCode{"provider_denied", "sign-in provider denied"}
	codeSecondFactor       = policyCode{"second_factor_required", "second factor required"}
	codeTenantNotAllowed   = policyCode{"tenant_not_allowed", "tenant not allowed"}
	codeSignInTooOld       = policyCode{"sign_in_too_old", "sign-in too old: sign in again"}
	codeClaimNotEqual      = policyCode{"claim_not_equal", "required claim value missing"}
	codeClaimNotContained  = policyCode{"claim_not_contained", "required claim value missing"}
	codeClaimMissing       = policyCode{"claim_missing", "required claim missing"}
)

// policyMessages maps each rule's code to its public message.
var policyMessages = map[string]string{}

func init() {
	for _, c := range []policyCode{codeEmailNotVerified, codeProviderNotAllowed, codeProviderDenied, codeSecondFactor,
		codeTenantNotAllowed, codeSignInTooOld, codeClaimNotEqual, codeClaimNotContained, codeClaimMissing} {
		policyMessages[c.code] = c.message
	}
}

// reservedPaths are the server's own endpoints, never a policy's.
var reservedPaths = []string{"/healthz", "/readyz", "/metrics"}

// Bounds of a policy file and of what the log shows.
const (
	maxPolicyLineBytes = 4096
	maxPolicyFileLines = 10000
	maxFoundBytes      = 200
	minAuthAge         = time.Second
	maxAuthAge         = 400 * 24 * time.Hour
)

// policies is a loaded policy file.
type policies struct {
	list []*policy
}

// loadPolicies reads the policy file at path.
func loadPolicies(path string) (*policies, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parsePolicies(path, f)
}

// parsePolicies reads a policy file; an error names the file and line.
func parsePolicies(name string, r io.Reader) (*policies, error) {
	ps := &policies{}
	var cur *policy
	seen := map[string]int{} // rule keyword of cur -> line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), maxPolicyLineBytes)
	n := 0
	fail := func(format string, a ...any) error {
		return fmt.Errorf("%s:%d: %s", name, n, fmt.Sprintf(format, a...))
	}
	for sc.Scan() {
		n++
		if n > maxPolicyFileLines {
			return nil, fail("more than %d lines", maxPolicyFileLines)
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		keyword, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		if keyword == "policy" {
			path, err := checkPolicyPath(rest)
			if err != nil {
				return nil, fail("%v", err)
			}
			for _, p := range ps.list {
				if err := checkNesting(p, path); err != nil {
					return nil, fail("%v", err)
				}
			}
			cur = &policy{path: path, line: n}
			ps.list = append(ps.list, cur)
			seen = map[string]int{}
			continue
		}
		if cur == nil {
			return nil, fail("%q before the first \"policy PATH\" line", keyword)
		}
		rule, err := parseRule(keyword, rest)
		if err != nil {
			return nil, fail("%v", err)
		}
		if !strings.HasPrefix(keyword, "claim_") {
			if at, dup := seen[keyword]; dup {
				return nil, fail("%s already given on line %d of this policy", keyword, at)
			}
			seen[keyword] = n
		}
		cur.rules = append(cur.rules, rule)
	}
	if err := sc.Err(); err != nil {
		n++
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fail("line longer than %d bytes", maxPolicyLineBytes)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range ps.list {
		if len(p.rules) == 0 {
			n = p.line
			return nil, fail("policy %s has no rules", p.path)
		}
	}
	return ps, nil
}

// checkPolicyPath refuses a path that cannot name a route of its own.
func checkPolicyPath(path string) (string, error) {
	if path == "" || strings.ContainsAny(path, " \t") {
		return "", fmt.Errorf("want \"policy PATH\", one path such as /verify/staff, got %q", path)
	}
	if !strings.HasPrefix(path, "/") || path == "/" || strings.HasSuffix(path, "/") {
		return "", fmt.Errorf("policy path %q: want an absolute path without a trailing '/', such as /verify/staff", path)
	}
	for _, seg := range strings.Split(path[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("policy path %q: empty, '.' or '..' segment", path)
		}
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '%' {
			return "", fmt.Errorf("policy path %q: want printable ASCII without '?', '#' and '%%'", path)
		}
	}
	for _, r := range reservedPaths {
		if path == r || strings.HasPrefix(path, r+"/") {
			return "", fmt.Errorf("policy path %q: %s is the server's own endpoint", path, r)
		}
	}
	return path, nil
}

// checkNesting refuses a path inside another policy's path, or the same.
func checkNesting(p *policy, path string) error {
	switch {
	case p.path == path:
		return fmt.Errorf("policy %s already defined on line %d", path, p.line)
	case strings.HasPrefix(path, p.path+"/"), strings.HasPrefix(p.path, path+"/"):
		return fmt.Errorf("policy %s and policy %s (line %d): one path is inside the other, so a client could choose between them", path, p.path, p.line)
	}
	return nil
}

// match returns the policy of an auth request's path, or nil.
func (ps *policies) match(path string) *policy {
	if ps == nil {
		return nil
	}
	for _, p := range ps.list {
		if path == p.path || strings.HasPrefix(path, p.path+"/") {
			return p
		}
	}
	return nil
}

// parseRule reads one rule line.
func parseRule(keyword, rest string) (policyRule, error) {
	args := strings.Fields(rest)
	noArgs := func() error {
		if len(args) > 0 {
			return fmt.Errorf("%s takes no value, got %q", keyword, rest)
		}
		return nil
	}
	list := func(what string) ([]string, error) {
		if len(args) == 0 {
			return nil, fmt.Errorf("%s: want one or more %s", keyword, what)
		}
		return args, nil
	}
	switch keyword {
	case "email_verified":
		if err := noArgs(); err != nil {
			return policyRule{}, err
		}
		return policyRule{name: keyword, code: codeEmailNotVerified.code, check: func(c *policyClaims) *ruleBroken {
			if c.tok.EmailVerified {
				return nil
			}
			return &ruleBroken{"email_verified true", "email_verified false (email " + quoted(c.tok.Email) + ")"}
		}}, nil
	case "providers", "deny_providers":
		providers, err := list("sign-in providers (password, google.com, anonymous, custom, ...)")
		if err != nil {
			return policyRule{}, err
		}
		allow := keyword == "providers"
		code := codeProviderNotAllowed.code
		if !allow {
			code = codeProviderDenied.code
		}
		return policyRule{name: keyword, code: code, check: func(c *policyClaims) *ruleBroken {
			got := c.tok.Firebase.SignInProvider
			if slices.Contains(providers, got) == allow {
				return nil
			}
			want := "one of " + strings.Join(providers, ", ")
			if !allow {
				want = "none of " + strings.Join(providers, ", ")
			}
			return &ruleBroken{"firebase.sign_in_provider " + want, "firebase.sign_in_provider " + quoted(got)}
		}}, nil
	case "second_factor":
		factors := args // empty: any second factor
		return policyRule{name: keyword, code: codeSecondFactor.code, check: func(c *policyClaims) *ruleBroken {
			got := c.tok.Firebase.SignInSecondFactor
			if got != "" && (len(factors) == 0 || slices.Contains(factors, got)) {
				return nil
			}
			want := "any second factor"
			if len(factors) > 0 {
				want = "one of " + strings.Join(factors, ", ")
			}
			return &ruleBroken{"firebase.sign_in_second_factor " + want, "firebase.sign_in_second_factor " + quoted(got)}
		}}, nil
	case "tenants":
		tenants, err := list("tenant IDs")
		if err != nil {
			return policyRule{}, err
		}
		return policyRule{name: keyword, code: codeTenantNotAllowed.code, check: func(c *policyClaims) *ruleBroken {
			got := c.tok.Firebase.Tenant
			if got != "" && slices.Contains(tenants, got) {
				return nil
			}
			return &ruleBroken{"firebase.tenant one of " + strings.Join(tenants, ", "), "firebase.tenant " + quoted(got)}
		}}, nil
	case "max_auth_age":
		if len(args) != 1 {
			return policyRule{}, fmt.Errorf("max_auth_age: want one duration such as 5m, got %q", rest)
		}
		age, err := time.ParseDuration(args[0])
		if err != nil || age < minAuthAge || age > maxAuthAge {
			return policyRule{}, fmt.Errorf("max_auth_age %q: want a duration from %v to %v, such as 5m or 1h30m", args[0], minAuthAge, maxAuthAge)
		}
		return policyRule{name: keyword, code: codeSignInTooOld.code, check: func(c *policyClaims) *ruleBroken {
			ago := c.now.Sub(c.tok.AuthTime)
			if ago <= age {
				return nil
			}
			return &ruleBroken{"auth_time at most " + seconds(age) + " ago", "auth_time " + seconds(ago.Truncate(time.Second)) + " ago"}
		}}, nil
	case "claim_exists":
		if len(args) != 1 {
			return policyRule{}, fmt.Errorf("claim_exists: want one claim path such as org.id, got %q", rest)
		}
		path, err := parseClaimPath(args[0])
		if err != nil {
			return policyRule{}, err
		}
		return policyRule{name: keyword + " " + args[0], code: codeClaimMissing.code, check: func(c *policyClaims) *ruleBroken {
			if raw, ok := c.claim(path); ok && string(raw) != "null" {
				return nil
			}
			return &ruleBroken{args[0] + " present", args[0] + " absent"}
		}}, nil
	case "claim_equals", "claim_contains":
		pathText, valueText, _ := strings.Cut(rest, " ")
		valueText = strings.TrimSpace(valueText)
		if pathText == "" || valueText == "" {
			return policyRule{}, fmt.Errorf("%s: want a claim path and a value, such as %s role admin", keyword, keyword)
		}
		path, err := parseClaimPath(pathText)
		if err != nil {
			return policyRule{}, err
		}
		want, err := parseClaimValue(valueText)
		if err != nil {
			return policyRule{}, fmt.Errorf("%s %s: %v", keyword, pathText, err)
		}
		wantText := compactJSON(want)
		if keyword == "claim_equals" {
			return policyRule{name: keyword + " " + pathText, code: codeClaimNotEqual.code, check: func(c *policyClaims) *ruleBroken {
				raw, ok := c.claim(path)
				if ok && jsonEqual(raw, want) {
					return nil
				}
				return &ruleBroken{pathText + " = " + wantText, pathText + " = " + foundText(raw, ok)}
			}}, nil
		}
		return policyRule{name: keyword + " " + pathText, code: codeClaimNotContained.code, check: func(c *policyClaims) *ruleBroken {
			raw, ok := c.claim(path)
			var elems []json.RawMessage
			if ok && json.Unmarshal(raw, &elems) == nil {
				for _, e := range elems {
					if jsonEqual(e, want) {
						return nil
					}
				}
			}
			return &ruleBroken{pathText + " an array holding " + wantText, pathText + " = " + foundText(raw, ok)}
		}}, nil
	}
	return policyRule{}, fmt.Errorf("unknown rule %q (want email_verified, providers, deny_providers, second_factor, tenants, max_auth_age, claim_equals, claim_contains or claim_exists)", keyword)
}

// parseClaimPath reads a dotted claim path such as org.id.
func parseClaimPath(s string) ([]string, error) {
	parts := strings.Split(s, ".")
	for _, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("claim path %q: empty name between dots", s)
		}
	}
	return parts, nil
}

// parseClaimValue reads a rule's value: JSON when it is a JSON string,
// number or boolean ("3", true, "on call"), else the text as a string.
func parseClaimValue(s string) (json.RawMessage, error) {
	if json.Valid([]byte(s)) {
		switch s[0] {
		case '{', '[':
			return nil, fmt.Errorf("value %s: want a string, number or boolean", s)
		case 'n':
			return nil, errors.New("value null: use claim_exists for a claim that must be present")
		}
		return json.RawMessage(s), nil
	}
	if strings.HasPrefix(s, `"`) {
		return nil, fmt.Errorf("value %s: a quoted value must be a valid JSON string", s)
	}
	b, _ := json.Marshal(s)
	return b, nil
}

// claim returns the claim at path in the token's payload.
func (c *policyClaims) claim(path []string) (json.RawMessage, bool) {
	return claimAt([]byte(c.tok.Payload), path)
}

// claimAt walks a dotted claim path through nested JSON objects.
func claimAt(payload []byte, path []string) (json.RawMessage, bool) {
	raw := json.RawMessage(payload)
	for _, name := range path {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil, false
		}
		next, ok := obj[name]
		if !ok {
			return nil, false
		}
		raw = next
	}
	return raw, true
}

// jsonEqual compares two JSON scalars: strings and booleans exactly,
// numbers by value.
func jsonEqual(a, b json.RawMessage) bool {
	decode := func(raw json.RawMessage) any {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		if d.Decode(&v) != nil {
			return nil
		}
		return v
	}
	va, vb := decode(a), decode(b)
	switch x := va.(type) {
	case string, bool:
		return va == vb
	case json.Number:
		y, ok := vb.(json.Number)
		if !ok {
			return false
		}
		fx, errx := strconv.ParseFloat(string(x), 64)
		fy, erry := strconv.ParseFloat(string(y), 64)
		return errx == nil && erry == nil && fx == fy
	}
	return false
}

// foundText is a claim's value for the log, cut to maxFoundBytes.
func foundText(raw json.RawMessage, ok bool) string {
	if !ok {
		return "(absent)"
	}
	s := compactJSON(raw)
	if len(s) > maxFoundBytes {
		s = s[:maxFoundBytes] + "..."
	}
	return s
}

// compactJSON is raw without insignificant spaces.
func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

func quoted(s string) string { return strconv.Quote(s) }

// seconds formats a duration in whole seconds, as the log does.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s" }

// check runs p's rules over tok, in order, and returns the first broken.
func (p *policy) check(tok *claims.Token, now time.Time) error {
	c := &policyClaims{tok: tok, now: now}
	for _, r := range p.rules {
		if b := r.check(c); b != nil {
			return &policyError{policy: p.path, rule: r, broken: b}
		}
	}
	return nil
}
