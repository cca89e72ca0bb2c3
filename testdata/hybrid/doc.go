// Package hybrid is the service shape fbverify exists for, end to end on a
// real PostgreSQL: the client sends a Firebase ID token, the verify
// middleware checks it offline, and the service keeps its users in its own
// database.
//
//   - A users table keyed by the Firebase uid holds the email, when the row
//     was created, tokens_valid_after and disabled. A user's row is made the
//     first time the user reads or writes its profile.
//   - GET and PUT /api/profile act on the signed-in user only: the uid comes
//     from the verified token, never from the request.
//   - Every request's token is checked against tokens_valid_after and
//     disabled through a verify.RevocationCache, so the table is asked about
//     each user at most once per TTL.
//   - POST /admin/revoke/{uid}, for tokens with the custom claim admin: true,
//     sets tokens_valid_after to now (in whole seconds, as Firebase does). A
//     trigger NOTIFYs every change of tokens_valid_after or disabled, and each
//     instance LISTENs on a dedicated connection and invalidates that user at
//     once; while that connection is lost, the TTL bounds staleness, and on
//     reconnecting the instance forgets every kept answer, since it may have
//     missed changes.
//
// The tests run two instances on one database. They need a PostgreSQL
// server: ci.sh here makes a throwaway one and runs them.
package hybrid
