package claimcheck

import (
	"errors"
)

// Sentinel errors, one per rule. Every error returned by this package wraps
// exactly one of them. Their one public home is package verify, which
// exports each under the same name; so their messages start "verify: ".
var (
	// ErrMalformed: the header or payload is not a strict JSON object (bad
	// syntax, a duplicate key, too deep, a number beyond float64's range
	// that encoding/json could not decode into a map[string]any), or a
	// claim that no rule below covers has the wrong JSON type.
	ErrMalformed = errors.New("verify: malformed token")
	// ErrUnsupportedAlgorithm: the header's alg is not RS256 (or, in emulator
	// mode, "none").
	ErrUnsupportedAlgorithm = errors.New("verify: unsupported algorithm")
	// ErrInvalidKeyID: the header's kid is missing, empty or not a string.
	ErrInvalidKeyID = errors.New("verify: missing or invalid key ID")
	// ErrCriticalHeader: the header has a crit parameter; no extension is
	// understood, so RFC 7515 requires the token to be rejected.
	ErrCriticalHeader = errors.New("verify: unsupported critical header")
	// ErrInvalidAudience: aud is missing, not a string, or not the project.
	ErrInvalidAudience = errors.New("verify: wrong audience")
	// ErrInvalidIssuer: iss is missing, not a string, or not the project's issuer.
	ErrInvalidIssuer = errors.New("verify: wrong issuer")
	// ErrInvalidSubject: sub (the uid) is missing, empty, not a string, or
	// longer than 128 bytes; or a uid claim is present and not a string
	// (the Admin SDK decodes uid as a string).
	ErrInvalidSubject = errors.New("verify: missing or invalid subject")
	// ErrInvalidExpiry: exp is missing, not a whole number, not positive,
	// or after the year 9999.
	ErrInvalidExpiry = errors.New("verify: missing or invalid expiry")
	// ErrExpired: exp is in the past (beyond the leeway).
	ErrExpired = errors.New("verify: token expired")
	// ErrInvalidIssuedAt: iat is missing, not a whole number, not
	// positive, or after the year 9999.
	ErrInvalidIssuedAt = errors.New("verify: missing or invalid issued-at time")
	// ErrIssuedInFuture: iat is in the future (beyond the leeway).
	ErrIssuedInFuture = errors.New("verify: token issued in the future")
	// ErrInvalidAuthTime: auth_time is missing, not a whole number, not
	// positive, or after the year 9999.
	ErrInvalidAuthTime = errors.New("verify: missing or invalid auth_time")
	// ErrAuthTimeInFuture: auth_time is in the future (beyond the leeway).
	ErrAuthTimeInFuture = errors.New("verify: auth_time in the future")
	// ErrInvalidTenant: firebase.tenant is missing, not a string, or not one
	// of the expected tenants.
	ErrInvalidTenant = errors.New("verify: wrong tenant")
)
