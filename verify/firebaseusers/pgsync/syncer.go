package pgsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/fbverify/fbverify/verify/firebaseusers"
)

// DefaultInterval is the time between two syncs when
// SyncerOptions.Interval is zero.
const DefaultInterval = time.Minute

// SyncLock is the key of the session-level advisory lock that the one
// syncing instance of a fleet holds on its dedicated connection.
const SyncLock int64 = 0x66627379 // "fbsy"

// SyncerApplicationName is the application_name of the Syncer's
// connection, by which an operator finds it in pg_stat_activity.
const SyncerApplicationName = "fbverify-firebase-sync"

// SyncEvent reports one sync: a pass over every page of accounts.
type SyncEvent struct {
	// Pages is how many accounts:batchGet calls the sync made.
	Pages int
	// Users is how many accounts they returned.
	Users int
	// Changed is how many rows were inserted or changed.
	Changed int64
	// Deleted is how many uids were marked deleted: no longer in Firebase.
	Deleted int64
	// Duration is how long the sync took.
	Duration time.Duration
	// Err is why the sync did not complete; nil when it did. A sync that
	// fails halfway keeps the pages it wrote, and does not count as a
	// success for the Readers' staleness bound.
	Err error
}

// SyncerOptions configures a Syncer. Every field is optional.
type SyncerOptions struct {
	// Interval is the time from the start of one sync to the start of the
	// next, and how often an instance that does not hold the lock tries to
	// take it. If zero, DefaultInterval. A sync that takes longer is
	// followed by the next at once.
	Interval time.Duration
	// PageSize is how many users one call asks for. If zero,
	// firebaseusers.MaxPageSize (1,000, the most the API gives).
	PageSize int
	// Logger receives the Syncer's warnings. If nil, nothing is logged.
	Logger *slog.Logger
	// OnSync, if set, is called after each sync this instance makes.
	OnSync func(SyncEvent)
	// OnLock, if set, is called when this instance takes the lock (true)
	// and when it lets it go or loses it (false).
	OnLock func(held bool)
}

// Syncer is the bulk mode's writer: every instance of a fleet runs one,
// and the one that holds SyncLock pages through all of the project's
// accounts at each Interval and writes their valid_since and disabled
// into firebase_users, where the trigger NOTIFYs the Readers of each
// change. The others try to take the lock at each Interval, so when the
// holder dies (and its connection with it) another takes over within one
// Interval. The lock and the writes share one connection: an instance
// that lost its connection has lost the lock, and cannot write.
type Syncer struct {
	client     *firebaseusers.Client
	connConfig *pgx.ConnConfig
	interval   time.Duration
	pageSize   int
	logger     *slog.Logger
	onSync     func(SyncEvent)
	onLock     func(bool)

	holding atomic.Bool
}

// NewSyncer returns a Syncer that reads accounts through client and
// writes them to the database of connString (a pgx connection string of
// the server itself: a session-level lock needs a session, which a pooler
// in transaction mode does not keep). Run it with Run.
func NewSyncer(client *firebaseusers.Client, connString string, opts SyncerOptions) (*Syncer, error) {
	if client == nil {
		return nil, errors.New("pgsync: nil client")
	}
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("pgsync: %w", err)
	}
	cfg.RuntimeParams["application_name"] = SyncerApplicationName
	s := &Syncer{client: client, connConfig: cfg, interval: opts.Interval, pageSize: opts.PageSize,
		logger: opts.Logger, onSync: opts.OnSync, onLock: opts.OnLock}
	if s.interval < 0 {
		return nil, fmt.Errorf("pgsync: negative interval %v", s.interval)
	}
	if s.interval == 0 {
		s.interval = DefaultInterval
	}
	if s.pageSize <= 0 || s.pageSize > firebaseusers.MaxPageSize {
		s.pageSize = firebaseusers.MaxPageSize
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Holding reports whether this instance holds the lock, and so syncs.
func (s *Syncer) Holding() bool { return s.holding.Load() }

// Run takes part in the fleet until ctx ends: it connects, tries to take
// the lock at each Interval, and syncs while it holds it. When its
// connection fails it lets the lock go (the server drops it with the
// session) and connects again at the next Interval.
func (s *Syncer) Run(ctx context.Context) {
	for ctx.Err() == nil {
		if err := s.session(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("pgsync: sync connection lost; trying again", "err", err, "retry_in", s.interval)
		}
		if !sleep(ctx, s.interval) {
			return
		}
	}
}

// session is one connection: it returns when the connection fails or ctx
// ends, and the lock, if held, goes with the connection.
func (s *Syncer) session(ctx context.Context) error {
	connectCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(connectCtx, s.connConfig)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
		s.setHolding(false)
	}()
	for {
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, SyncLock).Scan(&got); err != nil {
			return err
		}
		if got {
			s.setHolding(true)
			return s.syncLoop(ctx, conn)
		}
		if !sleep(ctx, s.interval) {
			return nil
		}
	}
}

// syncLoop syncs at each Interval while the connection holds the lock.
func (s *Syncer) syncLoop(ctx context.Context, conn *pgx.Conn) error {
	for {
		start := time.Now()
		ev, dbErr := s.syncOnce(ctx, conn)
		ev.Duration = time.Since(start)
		if ctx.Err() != nil {
			return nil
		}
		if ev.Err != nil {
			s.logger.Warn("pgsync: sync failed", "err", ev.Err, "pages", ev.Pages)
		}
		if s.onSync != nil {
			s.onSync(ev)
		}
		if dbErr != nil {
			return dbErr
		}
		if !sleep(ctx, s.interval-time.Since(start)) {
			return nil
		}
	}
}

// SQL of a sync. Each page is one statement: the page's uids go into the
// session's temporary table of uids seen, and its rows are inserted or
// updated where they differ, so that only changes fire the trigger.
const (
	startSyncSQL = `
CREATE TEMPORARY TABLE IF NOT EXISTS firebase_users_seen (uid text PRIMARY KEY);
TRUNCATE firebase_users_seen`

	writePageSQL = `
WITH page AS (
	SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::boolean[]) AS p(uid, valid_since, disabled)
), seen AS (
	INSERT INTO firebase_users_seen (uid) SELECT uid FROM page ON CONFLICT DO NOTHING
)
INSERT INTO firebase_users AS f (uid, valid_since, disabled, deleted)
SELECT uid, valid_since, disabled, false FROM page
ON CONFLICT (uid) DO UPDATE
	SET valid_since = EXCLUDED.valid_since, disabled = EXCLUDED.disabled, deleted = false
	WHERE (f.valid_since, f.disabled, f.deleted) IS DISTINCT FROM (EXCLUDED.valid_since, EXCLUDED.disabled, false)`

	markDeletedSQL = `
UPDATE firebase_users f SET deleted = true
WHERE NOT f.deleted AND NOT EXISTS (SELECT 1 FROM firebase_users_seen s WHERE s.uid = f.uid)`

	endSyncSQL = `
UPDATE firebase_users_sync SET last_success = now(), pages = $1, users = $2`
)

// syncOnce makes one pass over every page. It returns the pass with
// ev.Err set when it did not complete, and dbErr when the database failed
// (the connection, and the lock, may be gone).
func (s *Syncer) syncOnce(ctx context.Context, conn *pgx.Conn) (ev SyncEvent, dbErr error) {
	fail := func(err error, db bool) (SyncEvent, error) {
		ev.Err = err
		if db {
			return ev, err
		}
		return ev, nil
	}
	if _, err := conn.Exec(ctx, startSyncSQL); err != nil {
		return fail(fmt.Errorf("pgsync: start sync: %w", err), true)
	}
	token := ""
	for {
		page, err := s.client.ListPage(ctx, token, s.pageSize)
		if err != nil {
			return fail(err, false)
		}
		ev.Pages++
		ev.Users += len(page.Users)
		if len(page.Users) > 0 {
			uids, since, disabled := columns(page.Users)
			tag, err := conn.Exec(ctx, writePageSQL, uids, since, disabled)
			if err != nil {
				return fail(fmt.Errorf("pgsync: write page %d: %w", ev.Pages, err), true)
			}
			ev.Changed += tag.RowsAffected()
		}
		if page.NextPageToken == "" {
			break
		}
		token = page.NextPageToken
	}
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, markDeletedSQL)
		if err != nil {
			return err
		}
		ev.Deleted = tag.RowsAffected()
		if _, err := tx.Exec(ctx, endSyncSQL, ev.Pages, ev.Users); err != nil {
			return err
		}
		// Delivered when the transaction commits, with the rows above.
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, '')`, SyncChannel)
		return err
	})
	if err != nil {
		return fail(fmt.Errorf("pgsync: end sync: %w", err), true)
	}
	return ev, nil
}

// columns turns a page into the three arrays of writePageSQL.
func columns(users []firebaseusers.User) (uids []string, since []pgtype.Timestamptz, disabled []bool) {
	uids = make([]string, len(users))
	since = make([]pgtype.Timestamptz, len(users))
	disabled = make([]bool, len(users))
	for i, u := range users {
		uids[i] = u.UID
		since[i] = pgtype.Timestamptz{Time: u.ValidSince, Valid: !u.ValidSince.IsZero()}
		disabled[i] = u.Disabled
	}
	return uids, since, disabled
}

func (s *Syncer) setHolding(held bool) {
	if s.holding.Swap(held) != held && s.onLock != nil {
		s.onLock(held)
	}
}

// sleep waits d, or less if ctx ends first; it reports whether ctx is
// still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
