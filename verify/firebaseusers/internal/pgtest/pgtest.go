// Package pgtest gives each test a database of its own on the PostgreSQL
// server that ci.sh starts, so that tests of several packages can run at
// once on one server.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URLEnv names the variable holding the connection string of the server
// (ci.sh sets it); RequireEnv, when set, makes a missing server a failure
// instead of a skip.
const (
	URLEnv     = "FBVERIFY_FIREBASEUSERS_DATABASE_URL"
	RequireEnv = "FBVERIFY_REQUIRE_POSTGRES"
)

// Database makes an empty database and returns its connection string. It
// is dropped when the test ends, connections and all.
func Database(t testing.TB) string {
	t.Helper()
	server := os.Getenv(URLEnv)
	if server == "" {
		msg := "no PostgreSQL server: run `bash ci.sh` in verify/firebaseusers, which starts one, or set " + URLEnv
		if os.Getenv(RequireEnv) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "fbu_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to %s: %v", server, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	// In a keyword/value string, a later keyword wins.
	return server + " dbname=" + name
}
