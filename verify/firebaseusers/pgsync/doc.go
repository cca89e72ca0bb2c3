// Package pgsync is the bulk mode of firebaseusers: Firebase's accounts,
// copied into PostgreSQL by one instance of a fleet and read by all.
//
//   - Migrate makes two tables: firebase_users (uid, valid_since,
//     disabled, deleted) and firebase_users_sync (when the last complete
//     sync ended), and a trigger that NOTIFYs the uid of every row
//     inserted or changed on UserChannel.
//   - Every instance runs a Syncer. The one that holds the session-level
//     advisory lock SyncLock, on a dedicated connection, pages through all
//     accounts (accounts:batchGet, 1,000 a page) at each interval, writes
//     the rows that changed, marks deleted the uids a complete pass no
//     longer found, and NOTIFYs SyncChannel. The others try to take the
//     lock at each interval: when the holder dies, its session ends, the
//     server drops the lock, and another instance syncs within one
//     interval. A fleet makes ceil(users/1,000) calls per interval.
//   - Every instance checks tokens with a Reader: a verify.RevocationCheck
//     that reads firebase_users through a verify.RevocationCache, forgets
//     the rows NOTIFYed as changed, and refuses every token (with
//     firebaseusers.ErrStale, hence verify.ErrRevocationCheckFailed and
//     503) once the last complete sync it knows of is older than its
//     staleness bound.
//
// A uid the table does not hold is an account made since the last sync,
// or one that never existed; the Reader asks ReaderOptions.Unknown about
// it (a firebaseusers.Checker, for one lookup per new user), or refuses
// it as disabled when Unknown is nil. A uid marked deleted is refused as
// disabled.
package pgsync
