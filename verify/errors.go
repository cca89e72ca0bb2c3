package verify

import (
	"errors"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
)

// Errors, one per rule. Verify's errors wrap exactly one of them (the claim
// rules' through a *claims.ValidationError that names the claim and the
// expected and actual values), so callers branch with errors.Is and log
// ErrorCode.
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
	ErrMalformed = claims.ErrMalformed
	// ErrUnsupportedAlgorithm: alg is not RS256 (or "none" in emulator mode).
	ErrUnsupportedAlgorithm = claims.ErrUnsupportedAlgorithm
	// ErrInvalidKeyID: kid is missing, empty or not a string.
	ErrInvalidKeyID = claims.ErrInvalidKeyID
	// ErrCriticalHeader: the header has a crit parameter.
	ErrCriticalHeader = claims.ErrCriticalHeader
	// ErrInvalidType: typ is not "JWT" (App Check tokens).
	ErrInvalidType = claims.ErrInvalidType
	// ErrUnknownKey: no current key has the token's kid.
	ErrUnknownKey = jwks.ErrUnknownKey
	// ErrKeysUnavailable: the key source could not provide keys.
	ErrKeysUnavailable = jwks.ErrKeysUnavailable
	// ErrInvalidSignature: the signature does not verify with the key.
	ErrInvalidSignature = errors.New("verify: invalid signature")
	// ErrInvalidAudience: aud is not the project ID.
	ErrInvalidAudience = claims.ErrInvalidAudience
	// ErrInvalidIssuer: iss is not the project's issuer.
	ErrInvalidIssuer = claims.ErrInvalidIssuer
	// ErrInvalidSubject: sub is missing, empty, mistyped or too long.
	ErrInvalidSubject = claims.ErrInvalidSubject
	// ErrInvalidExpiry: exp is missing or mistyped, or too far after iat.
	ErrInvalidExpiry = claims.ErrInvalidExpiry
	// ErrExpired: exp has passed.
	ErrExpired = claims.ErrExpired
	// ErrInvalidIssuedAt: iat is missing or mistyped.
	ErrInvalidIssuedAt = claims.ErrInvalidIssuedAt
	// ErrIssuedInFuture: iat is in the future.
	ErrIssuedInFuture = claims.ErrIssuedInFuture
	// ErrInvalidAuthTime: auth_time is missing or mistyped.
	ErrInvalidAuthTime = claims.ErrInvalidAuthTime
	// ErrAuthTimeInFuture: auth_time is in the future.
	ErrAuthTimeInFuture = claims.ErrAuthTimeInFuture
	// ErrInvalidTenant: firebase.tenant is not an accepted tenant.
	ErrInvalidTenant = claims.ErrInvalidTenant
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

// codes maps each sentinel to its stable, machine-readable code, in the
// order ErrorCode tries them.
var codes = []struct {
	err  error
	code string
}{
	{ErrNoToken, "no_token"},
	{ErrBadAuthorizationHeader, "bad_authorization_header"},
	{ErrTooLarge, "token_too_large"},
	{ErrMalformed, "malformed_token"},
	{ErrUnsupportedAlgorithm, "unsupported_algorithm"},
	{ErrInvalidKeyID, "invalid_key_id"},
	{ErrCriticalHeader, "critical_header"},
	{ErrInvalidType, "invalid_type"},
	{ErrUnknownKey, "unknown_key"},
	{ErrKeysUnavailable, "keys_unavailable"},
	{ErrInvalidSignature, "invalid_signature"},
	{ErrInvalidAudience, "invalid_audience"},
	{ErrInvalidIssuer, "invalid_issuer"},
	{ErrInvalidSubject, "invalid_subject"},
	{ErrInvalidExpiry, "invalid_expiry"},
	{ErrExpired, "token_expired"},
	{ErrInvalidIssuedAt, "invalid_issued_at"},
	{ErrIssuedInFuture, "issued_in_future"},
	{ErrInvalidAuthTime, "invalid_auth_time"},
	{ErrAuthTimeInFuture, "auth_time_in_future"},
	{ErrInvalidTenant, "invalid_tenant"},
	{ErrRevoked, "token_revoked"},
	{ErrUserDisabled, "user_disabled"},
	{ErrRevocationCheckFailed, "revocation_check_failed"},
}

// ErrorCode returns the stable code of err's rule, such as "token_expired",
// for logs, JSON bodies and the CLI: "" for nil, "invalid_token" for an
// error that wraps none of this package's sentinels.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "invalid_token"
}

// IsServerSide reports whether err means the token could not be judged
// (keys or the revocation check unavailable, or the caller gave up) rather
// than that the token is bad: such requests deserve a 503, not a 401.
func IsServerSide(err error) bool {
	return errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrRevocationCheckFailed)
}
