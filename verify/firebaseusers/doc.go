// Package firebaseusers lets a verify.Verifier refuse the tokens of users
// whose sessions were revoked, or whose accounts were disabled or deleted,
// in Firebase, without a call to Google per request.
//
// A revocation ("revoke refresh tokens", a password change) sets the
// user's validSince in Firebase; a disabled account has disabled set.
// Tokens issued before stay valid by their signature for up to an hour.
// The Admin SDKs' VerifyIDTokenAndCheckRevoked asks Google on every
// request; this package asks far less often, in one of two modes.
//
// # Per-user mode: Checker
//
// A Checker is a verify.RevocationCheck that looks a user up with the
// Identity Toolkit's accounts:lookup (what the Admin SDKs' GetUser calls)
// and keeps the answer for a TTL in a verify.RevocationCache: one call per
// active user per TTL, concurrent checks of one uid sharing one call. A
// revocation or a disable is seen within one TTL. It fits when the users
// active within a TTL are few next to all users.
//
// # Bulk mode: package pgsync
//
// One instance of a fleet pages through every account (accounts:batchGet,
// 1,000 a page, as the Admin SDKs' ListUsers) at an interval and writes
// validSince and disabled into PostgreSQL; every instance reads that
// table and is told of each change by LISTEN/NOTIFY. It costs
// ceil(users/1,000) calls per interval for the whole fleet, whatever the
// traffic. It lives in its own package, so that users of the per-user
// mode do not link a PostgreSQL driver.
//
// # What is refused
//
//   - A disabled account: verify.ErrUserDisabled.
//   - A token whose auth_time is before validSince: verify.ErrRevoked.
//     Both are in whole seconds, as Firebase compares them.
//   - An account Firebase no longer has (deleted): answered as disabled,
//     so verify.ErrUserDisabled. Not having the user is an answer from
//     Firebase, not a failure, so it is kept for the TTL like any other.
//   - A uid is looked up in one place: the project's users, or the one
//     tenant of ClientOptions.TenantID. A user of another tenant is not
//     found there, so it is refused: give each tenant's Verifier a Client
//     of its own.
//   - When Firebase cannot be asked (an error, a timeout, an unreadable
//     reply), the check fails and the Verifier refuses the token with
//     verify.ErrRevocationCheckFailed: its middleware answers 503.
//
// # Staleness bound
//
// Both modes fail closed on staleness: when the last successful lookup
// (per-user mode, while lookups fail) or the last complete sync (bulk
// mode) is older than the bound the caller sets, every token is refused
// with an error wrapping ErrStale, so verify.ErrRevocationCheckFailed and
// 503, and OnStale is called; it is called again when the check answers
// again. Stale methods report the state for health checks and gauges.
//
// # Credentials
//
// A Client takes a service account key file, its JSON, an
// oauth2.TokenSource, or else Application Default Credentials, through
// golang.org/x/oauth2/google; the account needs to read users (the
// Firebase Authentication Viewer role). When FIREBASE_AUTH_EMULATOR_HOST
// is set, it calls the Firebase Auth emulator there with the emulator's
// "Bearer owner" credential, as the Admin SDKs do, and reads no
// credentials.
package firebaseusers
