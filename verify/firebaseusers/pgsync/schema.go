package pgsync

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channels on which the database NOTIFYs the Readers.
const (
	// UserChannel carries the uid of every row of firebase_users that was
	// inserted, or whose valid_since, disabled or deleted changed.
	UserChannel = "fbverify_firebase_user"
	// SyncChannel carries an empty payload after each complete sync.
	SyncChannel = "fbverify_firebase_sync"
)

// schema makes the tables and the trigger; it can run again on a database
// that has them.
//
// firebase_users holds what the last syncs read of each Firebase account;
// deleted marks a uid that a complete sync no longer found, so that its
// tokens are refused rather than taken for a new user's. A service with a
// users table of its own can read firebase_users in its queries, or join
// it. firebase_users_sync is one row: when the last complete sync ended
// (by the database's clock), how many pages and users it read.
const schema = `
CREATE TABLE IF NOT EXISTS firebase_users (
	uid         text PRIMARY KEY,
	valid_since timestamptz,
	disabled    boolean NOT NULL DEFAULT false,
	deleted     boolean NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS firebase_users_sync (
	only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	last_success timestamptz,
	pages        integer NOT NULL DEFAULT 0,
	users        bigint NOT NULL DEFAULT 0
);
INSERT INTO firebase_users_sync DEFAULT VALUES ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION firebase_users_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('` + UserChannel + `', NEW.uid);
	RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER firebase_users_inserted
	AFTER INSERT ON firebase_users
	FOR EACH ROW EXECUTE FUNCTION firebase_users_notify();

CREATE OR REPLACE TRIGGER firebase_users_changed
	AFTER UPDATE OF valid_since, disabled, deleted ON firebase_users
	FOR EACH ROW
	WHEN (OLD.valid_since IS DISTINCT FROM NEW.valid_since
	   OR OLD.disabled IS DISTINCT FROM NEW.disabled
	   OR OLD.deleted IS DISTINCT FROM NEW.deleted)
	EXECUTE FUNCTION firebase_users_notify();
`

// migrateLock keeps instances that start at once from making the schema
// at the same time. It is a transaction-level lock, distinct from the
// sync's session-level SyncLock.
const migrateLock = 0x66627573 // "fbus"

// Migrate makes the tables and the trigger in the database of pool. It
// can run again, and from every instance at start.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return fmt.Errorf("pgsync: migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, schema); err != nil {
			return fmt.Errorf("pgsync: migrate: %w", err)
		}
		return nil
	})
}
