package pgsync_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fbverify/fbverify/verify/firebaseusers/pgsync"
)

// TestMigrateTwiceAndTheTrigger: Migrate can run again, and the trigger
// NOTIFYs an inserted row and a changed one, not an update that changes
// nothing.
func TestMigrateTwiceAndTheTrigger(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	if err := pgsync.Migrate(ctx, d.pool); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	conn, err := pgx.Connect(ctx, d.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{pgsync.UserChannel}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`INSERT INTO firebase_users (uid) VALUES ('inserted')`,
		`UPDATE firebase_users SET disabled = false WHERE uid = 'inserted'`, // no change: no notification
		`UPDATE firebase_users SET disabled = true WHERE uid = 'inserted'`,
	} {
		if _, err := d.pool.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil || n.Payload != "inserted" {
			t.Fatalf("notification %d = %v, %v; want the uid", i, n, err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if n, err := conn.WaitForNotification(wctx); err == nil {
		t.Fatalf("a third notification %+v for two changes", n)
	}
	var rows int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM firebase_users_sync`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("firebase_users_sync has %d rows (%v), want 1", rows, err)
	}
}
