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
// and a colon ("example.com:my-project"). It is a configuration error,
// not a token's; its code, invalid_project_id, names it in a program's
// logs and output.
var ErrInvalidProjectID = errors.New("verify: invalid project ID")

// codeEntry is a rule's sentinel, its code, its public message and the
// fix a Report gives for it.
type codeEntry struct {
	err                error
	code, message, fix string
}

// codes maps each sentinel to its stable, machine-readable code, the
// fixed message a client may be shown (WriteError) and the one-sentence
// fix Explain gives, in the order ErrorCode tries them. The key errors
// live in package jwks, which key sources of any kind return.
var codes = []codeEntry{
	{ErrNoToken, "no_token", "no token",
		"Send the ID token in an \"Authorization: Bearer <token>\" header."},
	{ErrBadAuthorizationHeader, "bad_authorization_header", "bad Authorization header",
		"Send one Authorization header of the form \"Bearer <token>\"."},
	{ErrTooLarge, "token_too_large", "token too large",
		"Send the token alone; Firebase tokens are 1 to 2 KB, and custom claims are limited to 1000 bytes."},
	{ErrMalformed, "malformed_token", "malformed token",
		"Send the token exactly as the client SDK returns it: three base64url segments separated by dots, with no prefix, quotes or whitespace."},
	{ErrUnsupportedAlgorithm, "unsupported_algorithm", "unsupported algorithm",
		"Send a token signed by Firebase (RS256); unsigned emulator tokens are accepted only in emulator mode."},
	{ErrInvalidKeyID, "invalid_key_id", "missing or invalid key ID",
		"Send a token issued by Firebase, whose header names its signing key in kid."},
	{ErrCriticalHeader, "critical_header", "unsupported critical header",
		"Send a token issued by Firebase, which has no crit header."},
	{ErrInvalidType, "invalid_type", "wrong token type",
		"Send the App Check token from the client SDK's getToken(), whose header has typ \"JWT\"."},
	{jwks.ErrUnknownKey, "unknown_key", "unknown key ID",
		"Check that the key source serves this kind of token's keys (ID tokens, session cookies and App Check tokens each have their own) and is current: Google rotates its keys every few days."},
	{jwks.ErrKeysUnavailable, "keys_unavailable", "keys unavailable",
		"Let this host reach Google's key endpoint, or give the verifier a key snapshot; the token was not judged."},
	{ErrInvalidSignature, "invalid_signature", "invalid signature",
		"Send the token unchanged, as Firebase issued it: a changed or forged token fails its signature."},
	{ErrInvalidAudience, "invalid_audience", "wrong audience",
		"Use the same Firebase project in the client app's config and on this server, or accept the token's project too (WithExtraProjects)."},
	{ErrInvalidIssuer, "invalid_issuer", "wrong issuer",
		"Send a token of the kind this verifier accepts, issued by Firebase for the project in its aud."},
	{ErrInvalidSubject, "invalid_subject", "missing or invalid subject",
		"Send the token of a signed-in user, whose sub is the uid (1 to 128 bytes, no control characters)."},
	{ErrInvalidExpiry, "invalid_expiry", "missing or invalid expiry",
		"Send a token as Firebase issues it, whose exp is after iat within the kind's lifetime."},
	{ErrExpired, "token_expired", "token expired",
		"Get a fresh ID token from the client SDK (user.getIdToken() refreshes it every hour) and retry."},
	{ErrInvalidIssuedAt, "invalid_issued_at", "missing or invalid issued-at time",
		"Send a token as Firebase issues it, with iat in whole seconds."},
	{ErrIssuedInFuture, "issued_in_future", "token issued in the future",
		"Set this host's clock right (NTP): the token was issued after what this host thinks is now."},
	{ErrInvalidAuthTime, "invalid_auth_time", "missing or invalid auth_time",
		"Send a token as Firebase issues it, with auth_time in whole seconds and not after iat."},
	{ErrAuthTimeInFuture, "auth_time_in_future", "auth_time in the future",
		"Set this host's clock right (NTP): the user signed in after what this host thinks is now."},
	{ErrInvalidTenant, "invalid_tenant", "wrong tenant",
		"Sign the user in to an accepted tenant (auth.tenantId in the client SDK), or accept the token's tenant too (WithTenants)."},
	{ErrRevoked, "token_revoked", "token revoked",
		"Sign the user in again: their sessions were revoked after this sign-in."},
	{ErrUserDisabled, "user_disabled", "user disabled",
		"Enable the user's account, if disabling it was a mistake; their tokens are refused until then."},
	{ErrRevocationCheckFailed, "revocation_check_failed", "revocation check failed",
		"Fix the store behind the revocation check; the token itself was not judged."},
	{ErrInvalidProjectID, "invalid_project_id", "invalid project ID",
		"Configure the project ID shown in the Firebase console's project settings, such as \"my-project\", not its number or an issuer URL."},
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
