package claimcheck

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Issuer prefixes: a token's iss is the prefix followed by its project ID.
const (
	// IDTokenIssuerPrefix is the issuer prefix of Firebase ID tokens.
	IDTokenIssuerPrefix = "https://securetoken.google.com/"
	// SessionCookieIssuerPrefix is the issuer prefix of Firebase session cookies.
	SessionCookieIssuerPrefix = "https://session.firebase.google.com/"
)

// MaxUIDLength is the longest uid Firebase allows, in bytes.
const MaxUIDLength = 128

// Expected is what a token must satisfy besides being well signed.
type Expected struct {
	// ProjectIDs lists the Firebase projects whose tokens are accepted: aud
	// must equal one of them. It must not be empty.
	ProjectIDs []string
	// IssuerPrefix is IDTokenIssuerPrefix or SessionCookieIssuerPrefix: iss
	// must equal IssuerPrefix followed by the token's own aud, so a token is
	// always checked against the project it names.
	IssuerPrefix string
	// Tenants, if not empty, lists the accepted firebase.tenant values; a
	// token without a tenant is then refused. If empty, any tenant or none
	// is accepted.
	Tenants []string
	// Leeway is the clock skew allowed on exp, iat and auth_time.
	Leeway time.Duration
	// MaxLifetime, if not zero, bounds exp minus iat. Google issues ID tokens
	// for one hour and session cookies for at most two weeks.
	MaxLifetime time.Duration
}

// Validate applies every claim rule to t at time now, cheapest first, and
// returns the first failure as a *ValidationError wrapping the rule's
// sentinel, or nil.
func Validate(t *Token, want Expected, now time.Time) error {
	if err := CheckAudience(t, want.ProjectIDs); err != nil {
		return err
	}
	if err := CheckIssuer(t, want.IssuerPrefix); err != nil {
		return err
	}
	if err := CheckSubject(t); err != nil {
		return err
	}
	if err := CheckTimes(t, now, want.Leeway, want.MaxLifetime); err != nil {
		return err
	}
	return CheckTenant(t, want.Tenants)
}

// CheckAudience requires aud to equal one of projectIDs.
func CheckAudience(t *Token, projectIDs []string) error {
	for _, p := range projectIDs {
		if t.Audience == p && p != "" {
			return nil
		}
	}
	return &ValidationError{Claim: "aud", Err: ErrInvalidAudience,
		Expected: quoteList(projectIDs), Actual: quoteOrMissing(t.Audience),
		Hint: "the token was issued for another Firebase project; make sure the client app and this server use the same project"}
}

// CheckIssuer requires iss to equal prefix followed by aud.
func CheckIssuer(t *Token, prefix string) error {
	// Compared in two parts, so the accepting path builds no string.
	if t.Audience != "" && len(t.Issuer) == len(prefix)+len(t.Audience) &&
		t.Issuer[:len(prefix)] == prefix && t.Issuer[len(prefix):] == t.Audience {
		return nil
	}
	want := prefix + t.Audience
	hint := "the token was not issued by Firebase Authentication for this project"
	switch {
	case prefix == SessionCookieIssuerPrefix && strings.HasPrefix(t.Issuer, IDTokenIssuerPrefix):
		hint = "this is an ID token, but a session cookie was expected"
	case prefix == IDTokenIssuerPrefix && strings.HasPrefix(t.Issuer, SessionCookieIssuerPrefix):
		hint = "this is a session cookie, but an ID token was expected"
	}
	return &ValidationError{Claim: "iss", Err: ErrInvalidIssuer,
		Expected: quote(want), Actual: quoteOrMissing(t.Issuer), Hint: hint}
}

// CheckSubject requires sub, the uid, to be non-empty, at most
// MaxUIDLength bytes, valid UTF-8 without control characters (C0, DEL,
// C1), and not only white space. A uid ends up in logs, SQL and file
// names; one that prints as nothing, or that rewrites a log line, is
// refused rather than passed on.
func CheckSubject(t *Token) error {
	switch {
	case t.UID == "":
		return &ValidationError{Claim: "sub", Err: ErrInvalidSubject,
			Expected: "a non-empty uid", Actual: "none"}
	case len(t.UID) > MaxUIDLength:
		return &ValidationError{Claim: "sub", Err: ErrInvalidSubject,
			Expected: fmt.Sprintf("at most %d bytes", MaxUIDLength),
			Actual:   fmt.Sprintf("%d bytes", len(t.UID))}
	}
	if printableASCII(t.UID) {
		return nil // as nearly every uid is: nothing below refuses it
	}
	blank := true
	for i, r := range t.UID {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(t.UID[i:], "\uFFFD"):
			if _, size := utf8.DecodeRuneInString(t.UID[i:]); size == 1 {
				return &ValidationError{Claim: "sub", Err: ErrInvalidSubject,
					Expected: "valid UTF-8", Actual: fmt.Sprintf("a bad byte at offset %d", i)}
			}
		case r < 0x20 || (0x7f <= r && r <= 0x9f):
			return &ValidationError{Claim: "sub", Err: ErrInvalidSubject,
				Expected: "no control characters", Actual: fmt.Sprintf("%U at offset %d", r, i)}
		}
		if blank && !unicode.IsSpace(r) {
			blank = false
		}
	}
	if blank {
		return &ValidationError{Claim: "sub", Err: ErrInvalidSubject,
			Expected: "a uid that is not only white space", Actual: quote(t.UID)}
	}
	return nil
}

// printableASCII reports whether s has only ASCII bytes from '!' to '~':
// valid UTF-8, no control character and no white space.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// CheckTimes requires exp to be in the future and iat and auth_time not to
// be, each within leeway of now; exp to be after iat, and at most
// maxLifetime after it when that is not zero; and auth_time not to be
// after iat by more than leeway (a user signs in, then gets tokens). Its
// steps, in this order, are also the table timeSteps (see ValidateEach).
func CheckTimes(t *Token, now time.Time, leeway, maxLifetime time.Duration) error {
	if err := checkTimesPresent(t.Expires, t.IssuedAt); err != nil {
		return err
	}
	if err := checkAuthTimePresent(t.AuthTime); err != nil {
		return err
	}
	if err := checkTimesAround(t.Expires, t.IssuedAt, now, leeway, idTokenExpiredHint); err != nil {
		return err
	}
	if err := checkAuthTimePast(t.AuthTime, now, leeway); err != nil {
		return err
	}
	if err := checkExpAfterIat(t.Expires, t.IssuedAt); err != nil {
		return err
	}
	if err := checkLifetime(t.Expires, t.IssuedAt, maxLifetime); err != nil {
		return err
	}
	return checkAuthTimeBeforeIat(t.AuthTime, t.IssuedAt, leeway)
}

// idTokenExpiredHint tells the holder of an expired ID token or session
// cookie how to get a fresh one.
const idTokenExpiredHint = "get a fresh ID token from the client SDK (getIdToken) and retry"

// checkAuthTimePresent requires auth_time.
func checkAuthTimePresent(authTime time.Time) error {
	return checkPresent(authTime, "auth_time", ErrInvalidAuthTime)
}

// Each time check below passes in one comparison that the compiler
// inlines into CheckTimes, and builds its error in a function of its own:
// CheckTimes runs on every verification, cache hits included.

// checkAuthTimePast requires auth_time not to be in the future.
func checkAuthTimePast(authTime, now time.Time, leeway time.Duration) error {
	if !authTime.After(now.Add(leeway)) {
		return nil
	}
	return authTimeInFuture(authTime, now.Add(leeway))
}

func authTimeInFuture(authTime, limit time.Time) error {
	return &ValidationError{Claim: "auth_time", Err: ErrAuthTimeInFuture,
		Expected: "a time before " + stamp(limit), Actual: stamp(authTime),
		Hint: "check that this machine's clock is right"}
}

// checkExpAfterIat requires a lifetime above zero.
func checkExpAfterIat(expires, issuedAt time.Time) error {
	if expires.After(issuedAt) {
		return nil
	}
	return expiryNotAfterIat(expires, issuedAt)
}

func expiryNotAfterIat(expires, issuedAt time.Time) error {
	return &ValidationError{Claim: "exp", Err: ErrInvalidExpiry,
		Expected: "a time after iat (" + stamp(issuedAt) + ")", Actual: stamp(expires),
		Hint: "a token's lifetime cannot be zero or negative"}
}

// checkLifetime requires exp at most maxLifetime after iat, when
// maxLifetime is not zero.
func checkLifetime(expires, issuedAt time.Time, maxLifetime time.Duration) error {
	if maxLifetime <= 0 || expires.Sub(issuedAt) <= maxLifetime {
		return nil
	}
	return lifetimeTooLong(expires.Sub(issuedAt), maxLifetime)
}

func lifetimeTooLong(lifetime, maxLifetime time.Duration) error {
	return &ValidationError{Claim: "exp", Err: ErrInvalidExpiry,
		Expected: "at most " + maxLifetime.String() + " after iat", Actual: lifetime.String() + " after iat"}
}

// checkAuthTimeBeforeIat requires auth_time not to be after iat by more
// than leeway.
func checkAuthTimeBeforeIat(authTime, issuedAt time.Time, leeway time.Duration) error {
	if !authTime.After(issuedAt.Add(leeway)) {
		return nil
	}
	return authTimeAfterIat(authTime, issuedAt)
}

func authTimeAfterIat(authTime, issuedAt time.Time) error {
	return &ValidationError{Claim: "auth_time", Err: ErrInvalidAuthTime,
		Expected: "a time before iat (" + stamp(issuedAt) + ", with leeway)", Actual: stamp(authTime),
		Hint: "a user signs in before a token is issued to them"}
}

// checkTimesPresent requires exp and iat, the times every token carries.
func checkTimesPresent(expires, issuedAt time.Time) error {
	if err := checkPresent(expires, "exp", ErrInvalidExpiry); err != nil {
		return err
	}
	return checkPresent(issuedAt, "iat", ErrInvalidIssuedAt)
}

// checkPresent requires the NumericDate claim read into at (the zero Time
// when it is missing or out of range), failing with sentinel.
func checkPresent(at time.Time, claim string, sentinel error) error {
	if !at.IsZero() {
		return nil
	}
	return missingTime(claim, sentinel)
}

func missingTime(claim string, sentinel error) error {
	return &ValidationError{Claim: claim, Err: sentinel, Expected: "a positive whole number of seconds", Actual: "none"}
}

// checkTimesAround requires exp to be in the future and iat not to be,
// each within leeway of now. expiredHint tells the holder of an expired
// token how to get a fresh one.
func checkTimesAround(expires, issuedAt, now time.Time, leeway time.Duration, expiredHint string) error {
	if err := checkNotExpired(expires, now, leeway, expiredHint); err != nil {
		return err
	}
	return checkIssuedAtPast(issuedAt, now, leeway)
}

// checkNotExpired requires exp to be in the future, within leeway.
func checkNotExpired(expires, now time.Time, leeway time.Duration, expiredHint string) error {
	if now.Before(expires.Add(leeway)) {
		return nil
	}
	return expired(expires, now.Add(-leeway), expiredHint)
}

func expired(expires, limit time.Time, hint string) error {
	return &ValidationError{Claim: "exp", Err: ErrExpired,
		Expected: "a time after " + stamp(limit), Actual: stamp(expires), Hint: hint}
}

// checkIssuedAtPast requires iat not to be in the future, within leeway.
func checkIssuedAtPast(issuedAt, now time.Time, leeway time.Duration) error {
	if !issuedAt.After(now.Add(leeway)) {
		return nil
	}
	return issuedInFuture(issuedAt, now.Add(leeway))
}

func issuedInFuture(issuedAt, limit time.Time) error {
	return &ValidationError{Claim: "iat", Err: ErrIssuedInFuture,
		Expected: "a time before " + stamp(limit), Actual: stamp(issuedAt),
		Hint: "check that this machine's clock is right"}
}

// CheckTenant requires firebase.tenant to be one of tenants, when tenants
// is not empty.
func CheckTenant(t *Token, tenants []string) error {
	if len(tenants) == 0 {
		return nil
	}
	for _, want := range tenants {
		if t.Firebase.Tenant == want && want != "" {
			return nil
		}
	}
	return &ValidationError{Claim: "firebase.tenant", Err: ErrInvalidTenant,
		Expected: quoteList(tenants), Actual: quoteOrMissing(t.Firebase.Tenant),
		Hint: "the user signed in to another Identity Platform tenant, or to none"}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func quoteOrMissing(s string) string {
	if s == "" {
		return "none"
	}
	return quote(s)
}

func quoteList(ss []string) string {
	if len(ss) == 1 {
		return quote(ss[0])
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "one of " + strings.Join(q, ", ")
}
