package verify

import (
	"errors"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/jwks"
)

// Errors, one per rule; this is their only public home (the key errors
// are package jwks's: jwks.ErrUnknownKey, jwks.ErrKeysUnavailable). Verify's
// errors wrap exactly one of them (the header and claim rules' through a
// *claims.ValidationError that names the claim and the expected and actual
// values), so callers branch with errors.Is and log ErrorCode. Every
// message starts "verify: ", as jwks's start "jwks: ".
var (
	// ErrNoToken: the request carries no token (middleware and VerifyRequest).
	ErrNoToken = errors.New("verify: no token")
	// ErrBadAuthorizationHeader: the Authorization header is not a single
	// "Bearer <token>".
	ErrBadAuthorizationHeader = errors.New("verify: bad Authorization header")
	// ErrTooLarge: the token is longer than the verifier's size limit.
	ErrTooLarge = errors.New("verify: token too large")
	// ErrMalformed: not three base64url segments, or a header or payload
	// that is not a strict JSON object.
	ErrMalformed = claimcheck.ErrMalformed
	// ErrUnsupportedAlgorithm: alg is not RS256 (or "none" in emulator mode).
	ErrUnsupportedAlgorithm = claimcheck.ErrUnsupportedAlgorithm
	// ErrInvalidKeyID: kid is missing, empty or not a string.
	ErrInvalidKeyID = claimcheck.ErrInvalidKeyID
	// ErrCriticalHeader: the header has a crit parameter.
	ErrCriticalHeader = claimcheck.ErrCriticalHeader
	// ErrInvalidType: typ is not "JWT" (App Check tokens).
	ErrInvalidType = claimcheck.ErrInvalidType
	// ErrInvalidSignature: the signature does not verify with the key.
	ErrInvalidSignature = errors.New("verify: invalid signature")
	// ErrInvalidAudience: aud is not the project ID.
	ErrInvalidAudience = claimcheck.ErrInvalidAudience
	// ErrInvalidIssuer: iss is not the project's issuer.
	ErrInvalidIssuer = claimcheck.ErrInvalidIssuer
	// ErrInvalidSubject: sub is missing, empty, mistyped or too long.
	ErrInvalidSubject = claimcheck.ErrInvalidSubject
	// ErrInvalidExpiry: exp is missing or mistyped, or too far after iat.
	ErrInvalidExpiry = claimcheck.ErrInvalidExpiry
	// ErrExpired: exp has passed.
	ErrExpired = claimcheck.ErrExpired
	// ErrInvalidIssuedAt: iat is missing or mistyped.
	ErrInvalidIssuedAt = claimcheck.ErrInvalidIssuedAt
	// ErrIssuedInFuture: iat is in the future.
	ErrIssuedInFuture = claimcheck.ErrIssuedInFuture
	// ErrInvalidAuthTime: auth_time is missing or mistyped.
	ErrInvalidAuthTime = claimcheck.ErrInvalidAuthTime
	// ErrAuthTimeInFuture: auth_time is in the future.
	ErrAuthTimeInFuture = claimcheck.ErrAuthTimeInFuture
	// ErrInvalidTenant: firebase.tenant is not an accepted tenant.
	ErrInvalidTenant = claimcheck.ErrInvalidTenant
	// ErrRevoked: the user's sessions were revoked after this sign-in.
	ErrRevoked = errors.New("verify: token revoked")
	// ErrUserDisabled: the user's account is disabled.
	ErrUserDisabled = errors.New("verify: user disabled")
	// ErrRevocationCheckFailed: the caller's revocation check returned an error.
	ErrRevocationCheckFailed = errors.New("verify: revocation check failed")
)

// ErrInvalidProjectID is returned by New, NewAppCheck and
// WithExtraProjects for a project ID that cannot be one: Google Cloud
// project IDs are 6 to 30 lower-case letters, digits and hyphens, starting
// with a letter and not ending with a hyphen, optionally after a domain
// and a colon ("example.com:my-project"). It is a configuration error, so
// it has no code.
var ErrInvalidProjectID = errors.New("verify: invalid project ID")

// codeEntry is a rule's sentinel, its code and its public message.
type codeEntry struct {
	err           error
	code, message string
}

// codes maps each sentinel to its stable, machine-readable code and the
// fixed message a client may be shown (WriteError), in the order
// ErrorCode tries them. The key errors live in package jwks, which key
// sources of any kind return.
var codes = []codeEntry{
	{ErrNoToken, "no_token", "no token"},
	{ErrBadAuthorizationHeader, "bad_authorization_header", "bad Authorization header"},
	{ErrTooLarge, "token_too_large", "token too large"},
	{ErrMalformed, "malformed_token", "malformed token"},
	{ErrUnsupportedAlgorithm, "unsupported_algorithm", "unsupported algorithm"},
	{ErrInvalidKeyID, "invalid_key_id", "missing or invalid key ID"},
	{ErrCriticalHeader, "critical_header", "unsupported critical header"},
	{ErrInvalidType, "invalid_type", "wrong token type"},
	{jwks.ErrUnknownKey, "unknown_key", "unknown key ID"},
	{jwks.ErrKeysUnavailable, "keys_unavailable", "keys unavailable"},
	{ErrInvalidSignature, "invalid_signature", "invalid signature"},
	{ErrInvalidAudience, "invalid_audience", "wrong audience"},
	{ErrInvalidIssuer, "invalid_issuer", "wrong issuer"},
	{ErrInvalidSubject, "invalid_subject", "missing or invalid subject"},
	{ErrInvalidExpiry, "invalid_expiry", "missing or invalid expiry"},
	{ErrExpired, "token_expired", "token expired"},
	{ErrInvalidIssuedAt, "invalid_issued_at", "missing or invalid issued-at time"},
	{ErrIssuedInFuture, "issued_in_future", "token issued in the future"},
	{ErrInvalidAuthTime, "invalid_auth_time", "missing or invalid auth_time"},
	{ErrAuthTimeInFuture, "auth_time_in_future", "auth_time in the future"},
	{ErrInvalidTenant, "invalid_tenant", "wrong tenant"},
	{ErrRevoked, "token_revoked", "token revoked"},
	{ErrUserDisabled, "user_disabled", "user disabled"},
	{ErrRevocationCheckFailed, "revocation_check_failed", "revocation check failed"},
}

// ErrorCode returns the stable code of err's rule, such as "token_expired",
// for logs, JSON bodies and the CLI: "" for nil, "invalid_token" for an
// error that wraps none of this package's sentinels.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if c := lookupCode(err); c != nil {
		return c.code
	}
	return "invalid_token"
}

// lookupCode returns the entry of codes for err's rule, or nil.
func lookupCode(err error) *codeEntry {
	for i := range codes {
		if errors.Is(err, codes[i].err) {
			return &codes[i]
		}
	}
	return nil
}

// IsServerSide reports whether err means the token could not be judged
// (keys or the revocation check unavailable, or the caller gave up) rather
// than that the token is bad: such requests deserve a 503, not a 401.
func IsServerSide(err error) bool {
	return errors.Is(err, jwks.ErrKeysUnavailable) || errors.Is(err, ErrRevocationCheckFailed)
}
