package pgsync_test

import (
	"context"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/firebaseusers"
	"github.com/fbverify/fbverify/verify/firebaseusers/pgsync"
)

// Every instance of a fleet runs the same code: one of them syncs, all
// of them read. It needs a PostgreSQL server, so it is compiled here and
// run by the tests of this package and the proof in internal/proof.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dbURL := os.Getenv("DATABASE_URL") // the server itself, not a pooler in transaction mode

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := pgsync.Migrate(ctx, pool); err != nil {
		log.Fatal(err)
	}

	// Application Default Credentials: the service account of the host.
	client, err := firebaseusers.NewClient("my-project", firebaseusers.ClientOptions{})
	if err != nil {
		log.Fatal(err)
	}
	syncer, err := pgsync.NewSyncer(client, dbURL, pgsync.SyncerOptions{Interval: time.Minute})
	if err != nil {
		log.Fatal(err)
	}
	// Accounts made since the last sync are looked up one by one.
	newUsers, err := firebaseusers.NewChecker(client, firebaseusers.CheckerOptions{})
	if err != nil {
		log.Fatal(err)
	}
	users, err := pgsync.NewReader(pool, dbURL, pgsync.ReaderOptions{
		MaxStaleness: 5 * time.Minute, // a few intervals plus the time a sync takes
		Unknown:      newUsers.Check,
		OnStale: func(ev firebaseusers.StaleEvent) {
			slog.Warn("firebase users table", "stale", ev.Stale, "last_sync", ev.LastSuccess, "err", ev.Err)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	go syncer.Run(ctx)
	go users.Run(ctx)

	v, err := verify.New("my-project", verify.WithRevocationCheck(users.Check))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	srv := &http.Server{Addr: ":8080", Handler: v.Middleware()(http.NotFoundHandler()),
		ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	log.Println(srv.ListenAndServe())
}
