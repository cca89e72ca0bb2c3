// Package verify verifies Firebase Authentication ID tokens, session
// cookies and App Check tokens offline, without the Firebase Admin SDK. It
// ties a key source (package jwks) to Firebase's header and claim rules,
// returns the verified claims (package claims), and offers net/http
// middleware.
//
// A service makes one Verifier at start-up and shares it:
//
//	v, err := verify.New("my-firebase-project") // Google's keys, fetched on first use and cached
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer v.Close()
//	http.Handle("/api/", v.Middleware()(api)) // handlers call verify.TokenFromContext
//
// # Token kinds
//
// A Verifier accepts one kind of token, so one kind never passes for
// another:
//
//   - [New]: ID tokens, as the client SDKs' getIdToken() returns them. Issuer
//     https://securetoken.google.com/<projectID>; lifetime at most one hour;
//     keys from Google's JWK Set at
//     https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com.
//   - [NewSessionCookieVerifier]: session cookies made by the Admin SDK's
//     createSessionCookie. Issuer https://session.firebase.google.com/<projectID>;
//     lifetime at most two weeks; keys from Google's X.509 map at
//     https://www.googleapis.com/identitytoolkit/v3/relyingparty/publicKeys.
//   - [NewAppCheck]: App Check tokens. typ JWT; issuer
//     https://firebaseappcheck.googleapis.com/<projectNumber>; aud a list
//     holding projects/<projectNumber> or projects/<projectID>; keys from
//     https://firebaseappcheck.googleapis.com/v1/jwks.
//
// Unsigned tokens of the Firebase Auth emulator (alg "none") are accepted
// only with [InsecureEmulatorMode], which nothing turns on by itself:
// [EmulatorHost] reads FIREBASE_AUTH_EMULATOR_HOST for the caller to decide.
// Every other rule still applies to them.
//
// # Rules, errors and codes
//
// A token is accepted only if every rule holds. Each rule has a sentinel
// error, matched with errors.Is, and a stable code, given by [ErrorCode],
// for logs and JSON bodies; codes never change within a major version. The
// rules run cheapest first, and the claims are checked before the RSA
// signature, so a refused token costs no RSA work unless only its signature
// is wrong.
//
//	rule                                                      error                     code
//	at most 8 KiB (WithMaxTokenBytes)                         ErrTooLarge               token_too_large
//	three canonical base64url segments; strict JSON           ErrMalformed              malformed_token
//	header alg exactly RS256, before any key lookup           ErrUnsupportedAlgorithm   unsupported_algorithm
//	header kid a non-empty string                             ErrInvalidKeyID           invalid_key_id
//	no crit header                                            ErrCriticalHeader         critical_header
//	typ "JWT" (App Check)                                     ErrInvalidType            invalid_type
//	aud equals the project ID                                 ErrInvalidAudience        invalid_audience
//	iss equals the project's issuer                           ErrInvalidIssuer          invalid_issuer
//	sub (the uid) valid                                       ErrInvalidSubject         invalid_subject
//	exp after iat, within the kind's lifetime                 ErrInvalidExpiry          invalid_expiry
//	exp in the future                                         ErrExpired                token_expired
//	iat present, not in the future                            ErrInvalidIssuedAt        invalid_issued_at
//	                                                          ErrIssuedInFuture         issued_in_future
//	auth_time present, not after iat, not in the future       ErrInvalidAuthTime        invalid_auth_time
//	                                                          ErrAuthTimeInFuture       auth_time_in_future
//	firebase.tenant accepted (WithTenants)                    ErrInvalidTenant          invalid_tenant
//	kid names a current key of the key source                 jwks.ErrUnknownKey        unknown_key
//	                                                          jwks.ErrKeysUnavailable   keys_unavailable
//	the RS256 signature verifies                              ErrInvalidSignature       invalid_signature
//	auth_time not before the user's revocation time           ErrRevoked                token_revoked
//	the user not disabled (WithRevocationCheck)               ErrUserDisabled           user_disabled
//	the revocation check answered                             ErrRevocationCheckFailed  revocation_check_failed
//
// In detail:
//
//   - Strict JSON: no key twice in any object, compared as encoding/json
//     folds case ("aud" beside "AUD" or "a\u0075d"); valid UTF-8; at most
//     16 levels deep; at most 256 members in one object
//     and 1024 values in all; no number beyond float64's range anywhere; no
//     data after the object; no padding, spare bits, white space or line
//     breaks in a segment.
//   - sub: a string of 1 to 128 bytes, valid UTF-8, with no control
//     character (C0, DEL, C1) and not only white space; a uid claim, if
//     present, is a string too.
//   - Times: exp, iat and auth_time are whole seconds. A leeway of
//     [DefaultLeeway] (one minute; [WithLeeway], at most [MaxLeeway]) is
//     allowed on each comparison with the clock. A genuine token has
//     auth_time <= iat < exp.
//   - A claim of the wrong JSON type (aud as an array, exp as a string or
//     1.5, sub as a number) is refused with that claim's error, never read
//     as a zero value.
//
// Errors print what was expected, what was found and what to do, and
// never the token. [IsServerSide] tells a refusal of the token from a
// failure to judge it (keys or the revocation check unavailable), which
// the middleware answers with 503 instead of 401. [ErrInvalidProjectID] is
// returned by the constructors for a project ID that cannot be one (a
// project number, an issuer URL, white space read from a file); its code
// is invalid_project_id.
//
// # Why was a token refused?
//
// [Verifier.Explain] (and [AppCheckVerifier.Explain]) says what a token
// is and why it is refused, for a developer: its [TokenKind] (an ID token,
// a session cookie, an App Check token, an emulator token, a custom token,
// a Google ID token, a Google access token, another JWT, or no JWT), the
// project it names, what to send instead when it is another kind than the
// verifier takes (the client call that gives the right one), and every
// rule rather than the first failure, each with what it expected, what it
// found and a fix, with exp, iat and auth_time relative to the clock and a
// hint when the clock seems wrong. Its verdict is Verify's own, with the
// same key lookups; it logs nothing and never repeats the token.
//
// # Where keys come from
//
// By default a [jwks.Remote] on Google's endpoint for the Verifier's kind:
// fetched on first use, fresh for the response's Cache-Control max-age,
// refreshed once per unknown kid at most every 30 s, the last good keys
// kept while the endpoint fails. [WithKeySource] takes any [jwks.KeySource]:
// [jwks.LoadFile] for an airgapped service, or the fake issuer of package
// verifytest in tests. [WithKeySnapshot] keeps the fetched keys on disk for
// a restart during an outage. Package jwks documents how keys are
// fetched, cached, refreshed and persisted.
//
// A service calls [Verifier.Refresh] before it reports ready, so that no
// request meets an empty cache and a broken network shows at deploy time.
//
// # Middleware
//
// [Verifier.Middleware] reads "Authorization: Bearer <token>" (or a cookie,
// with [FromCookie]) and puts the verified token in the request's context
// for [TokenFromContext]. A refusal is answered by [WriteError]: 401 with a
// WWW-Authenticate challenge, 400 for a malformed Authorization header,
// 503 with Retry-After when the token could not be judged; the JSON body
// carries the stable code and a fixed message. [LogRefusals] logs the rule
// and the values compared. [Optional] lets requests without a token
// through; a bad token is still refused.
//
// # Revocation
//
// [WithRevocationCheck] asks the caller's own store about the user after
// every other rule passed: a disabled user is refused with
// [ErrUserDisabled], a token whose auth_time is before the user's
// revocation time with [ErrRevoked], and a failed check with
// [ErrRevocationCheckFailed]. [NewRevocationCache] bounds the cost to one
// call per user per TTL.
//
// # Observability
//
// [WithObserver] sees every verdict (code, kind, duration, key ID, cache
// hit, and the token's iat against the local clock, which shows a skewed
// clock) and every key fetch (status, keys, max-age, duration, error).
// Unset, it costs one nil check.
//
// # Security model
//
// The attacker controls every byte of the token and of the request that
// carries it, holds genuine tokens of their own Firebase project, expired
// tokens and tokens of the other kinds, and can make Google's key endpoint
// slow, failing or odd. They do not hold Google's private keys, and TLS to
// Google is trusted. The goals: never accept a token Google did not sign
// for this project, kind, tenant and time; never panic or hang on input;
// keep verifying on the last good keys while the endpoint misbehaves; keep
// the cost of junk bounded and linear in its size.
//
// Nothing in the token chooses how it is verified: the algorithm is fixed
// to RS256 (none, HS256 keyed with the public key, RS384, PS256 and ES256
// are refused, whatever their case); keys come only from the configured
// key source, and the jku, x5u, jwk and x5c headers are never read; crit
// is refused, since no extension is understood. Anything two JSON readers
// could read differently is refused (duplicate or case-folded keys,
// trailing data, invalid UTF-8), so what this package checked is what a
// handler's own decoder reads. A number or uid claim that encoding/json
// cannot decode into map[string]any is refused, so tok.Decode never fails
// on a valid token. Made-up kids cause at most one key fetch per 30 s.
//
// Keys are prepared once per key (the Montgomery constants of the
// modulus), and the signature check is crypto/rsa's arithmetic
// (filippo.io/bigmod) and comparison of the whole PKCS #1 v1.5 block. When
// crypto/fips140.Enabled reports true, every signature is checked by
// rsa.VerifyPKCS1v15 instead.
package verify
