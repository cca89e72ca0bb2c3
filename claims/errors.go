package claims

import (
	"errors"
	"strings"
)

// Sentinel errors, one per rule. Every error returned by this package wraps
// exactly one of them, so callers can branch with errors.Is.
var (
	// ErrMalformed: the header or payload is not a strict JSON object (bad
	// syntax, a duplicate key, too deep, a number beyond float64's range
	// that encoding/json could not decode into a map[string]any), or a
	// claim that no rule below covers has the wrong JSON type.
	ErrMalformed = errors.New("malformed token")
	// ErrUnsupportedAlgorithm: the header's alg is not RS256 (or, in emulator
	// mode, "none").
	ErrUnsupportedAlgorithm = errors.New("unsupported algorithm")
	// ErrInvalidKeyID: the header's kid is missing, empty or not a string.
	ErrInvalidKeyID = errors.New("missing or invalid key ID")
	// ErrCriticalHeader: the header has a crit parameter; no extension is
	// understood, so RFC 7515 requires the token to be rejected.
	ErrCriticalHeader = errors.New("unsupported critical header")
	// ErrInvalidAudience: aud is missing, not a string, or not the project.
	ErrInvalidAudience = errors.New("wrong audience")
	// ErrInvalidIssuer: iss is missing, not a string, or not the project's issuer.
	ErrInvalidIssuer = errors.New("wrong issuer")
	// ErrInvalidSubject: sub (the uid) is missing, empty, not a string, or
	// longer than 128 bytes; or a uid claim is present and not a string
	// (the Admin SDK decodes uid as a string).
	ErrInvalidSubject = errors.New("missing or invalid subject")
	// ErrInvalidExpiry: exp is missing, not a whole number, not positive,
	// or after the year 9999.
	ErrInvalidExpiry = errors.New("missing or invalid expiry")
	// ErrExpired: exp is in the past (beyond the leeway).
	ErrExpired = errors.New("token expired")
	// ErrInvalidIssuedAt: iat is missing, not a whole number, not
	// positive, or after the year 9999.
	ErrInvalidIssuedAt = errors.New("missing or invalid issued-at time")
	// ErrIssuedInFuture: iat is in the future (beyond the leeway).
	ErrIssuedInFuture = errors.New("token issued in the future")
	// ErrInvalidAuthTime: auth_time is missing, not a whole number, not
	// positive, or after the year 9999.
	ErrInvalidAuthTime = errors.New("missing or invalid auth_time")
	// ErrAuthTimeInFuture: auth_time is in the future (beyond the leeway).
	ErrAuthTimeInFuture = errors.New("auth_time in the future")
	// ErrInvalidTenant: firebase.tenant is missing, not a string, or not one
	// of the expected tenants.
	ErrInvalidTenant = errors.New("wrong tenant")
)

// ValidationError says which claim broke which rule, with what was expected
// and what was found. It never contains the token itself.
type ValidationError struct {
	// Claim is the claim or header parameter at fault, such as "aud" or "alg".
	Claim string
	// Err is the sentinel for the rule, such as ErrInvalidAudience.
	Err error
	// Expected and Actual describe the rule and the offending value; either
	// may be empty.
	Expected, Actual string
	// Hint tells a developer what to do about it; it may be empty.
	Hint string
}

// Error formats the failure as one lower-case line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("claims: ")
	b.WriteString(e.Claim)
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Expected != "" {
		b.WriteString(": expected ")
		b.WriteString(e.Expected)
	}
	if e.Actual != "" {
		if e.Expected != "" {
			b.WriteString(", found ")
		} else {
			b.WriteString(": found ")
		}
		b.WriteString(e.Actual)
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the rule's sentinel.
func (e *ValidationError) Unwrap() error { return e.Err }
