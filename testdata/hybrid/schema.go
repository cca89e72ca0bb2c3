package hybrid

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ChangesChannel is the channel on which the database NOTIFYs the uid of
// every user whose tokens_valid_after or disabled changed.
const ChangesChannel = "fbverify_user_changed"

// schema makes the tables, the lookup function and the trigger; it can run
// again on a database that has them.
//
// user_status is the only way the service reads revocation state. Each call
// takes a number from the sequence revocation_lookups, which is how the
// cost of revocation is counted on the database side: nextval is cheap,
// outside transactions, and visible to every session at once (unlike
// pg_stat_user_functions, which a backend flushes only now and then, or
// pg_stat_statements, which a stock server does not load).
const schema = `
CREATE TABLE IF NOT EXISTS users (
	uid                text PRIMARY KEY,
	email              text NOT NULL DEFAULT '',
	display_name       text NOT NULL DEFAULT '',
	created            timestamptz NOT NULL DEFAULT now(),
	tokens_valid_after timestamptz,
	disabled           boolean NOT NULL DEFAULT false
);

CREATE SEQUENCE IF NOT EXISTS revocation_lookups;

CREATE OR REPLACE FUNCTION user_status(p_uid text,
	OUT disabled boolean, OUT tokens_valid_after timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM nextval('revocation_lookups');
	SELECT u.disabled, u.tokens_valid_after INTO disabled, tokens_valid_after
	FROM users u WHERE u.uid = p_uid;
	disabled := coalesce(disabled, false);
END $$;

CREATE OR REPLACE FUNCTION notify_user_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('` + ChangesChannel + `', NEW.uid);
	RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER users_changed
	AFTER UPDATE OF tokens_valid_after, disabled ON users
	FOR EACH ROW
	WHEN (OLD.tokens_valid_after IS DISTINCT FROM NEW.tokens_valid_after
	   OR OLD.disabled IS DISTINCT FROM NEW.disabled)
	EXECUTE FUNCTION notify_user_changed();
`

// migrateLock is the advisory lock that keeps two instances starting at
// once from making the schema at the same time.
const migrateLock = 0x66627665 // "fbve"

// Migrate makes the schema in the database of pool.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return fmt.Errorf("hybrid: migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, schema); err != nil {
			return fmt.Errorf("hybrid: migrate: %w", err)
		}
		return nil
	})
}
