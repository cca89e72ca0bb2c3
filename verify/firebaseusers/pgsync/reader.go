package pgsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/firebaseusers"
)

// ListenerApplicationName is the application_name of a Reader's LISTEN
// connection.
const ListenerApplicationName = "fbverify-firebase-listener"

// listenerPing is the longest a Reader's listener waits for a
// notification before it asks the server when the last sync ended: that
// wait is also how soon a silently dead connection is noticed.
const listenerPing = 15 * time.Second

// ReaderOptions configures a Reader. MaxStaleness is required.
type ReaderOptions struct {
	// MaxStaleness is the staleness bound: when the last complete sync
	// ended longer ago than this (or the Reader does not know of one),
	// every token is refused with an error wrapping
	// firebaseusers.ErrStale. Set it to a few sync intervals plus the time
	// a sync takes, so that one failed sync does not refuse anyone.
	MaxStaleness time.Duration
	// TTL is how long a user's row is kept in memory. Changes are pushed
	// by NOTIFY, so the TTL only bounds staleness while the listener is
	// disconnected. If zero, verify.DefaultRevocationTTL.
	TTL time.Duration
	// MaxEntries bounds how many users' rows are kept. If zero,
	// verify.DefaultRevocationMaxEntries.
	MaxEntries int
	// Unknown answers for a uid that firebase_users does not hold: an
	// account made since the last sync. Set it to a
	// firebaseusers.Checker's Check so that each such user costs one
	// accounts:lookup. If nil, such a uid is refused as disabled until a
	// sync writes it: fail closed, at the price of refusing new users for
	// up to one interval.
	Unknown verify.RevocationCheck
	// Now is the clock of the TTL and the staleness bound. If nil,
	// time.Now.
	Now func() time.Time
	// Logger receives the listener's warnings. If nil, nothing is logged.
	Logger *slog.Logger
	// OnStale, if set, is called when the Reader becomes stale and when
	// it is fresh again.
	OnStale func(firebaseusers.StaleEvent)
}

// Reader is the bulk mode's verify.RevocationCheck, one per instance: it
// reads a user's row of firebase_users (kept in a verify.RevocationCache),
// forgets the rows the database NOTIFYs as changed, and learns from the
// same connection when each sync ends. Run must be running for it to
// answer: without its listener it cannot know that the table is fresh,
// and refuses every token once MaxStaleness has passed.
type Reader struct {
	pool       *pgxpool.Pool
	listenConf *pgx.ConnConfig
	cache      *verify.RevocationCache
	unknown    verify.RevocationCheck
	maxStale   time.Duration
	now        func() time.Time
	logger     *slog.Logger
	onStale    func(firebaseusers.StaleEvent)

	mu       sync.Mutex
	lastSync time.Time // by the Reader's clock; zero before the first news of one
	stale    bool
}

// NewReader returns a Reader that queries pool and LISTENs on a
// connection of its own to listenConnString (the server itself, not a
// pooler in transaction mode, which does not keep LISTEN).
func NewReader(pool *pgxpool.Pool, listenConnString string, opts ReaderOptions) (*Reader, error) {
	if pool == nil {
		return nil, errors.New("pgsync: nil pool")
	}
	if opts.MaxStaleness <= 0 {
		return nil, fmt.Errorf("pgsync: staleness bound %v: want a positive duration", opts.MaxStaleness)
	}
	cfg, err := pgx.ParseConfig(listenConnString)
	if err != nil {
		return nil, fmt.Errorf("pgsync: %w", err)
	}
	cfg.RuntimeParams["application_name"] = ListenerApplicationName
	r := &Reader{pool: pool, listenConf: cfg, unknown: opts.Unknown, maxStale: opts.MaxStaleness,
		now: opts.Now, logger: opts.Logger, onStale: opts.OnStale}
	if r.now == nil {
		r.now = time.Now
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	r.cache = verify.NewRevocationCache(r.lookup, verify.RevocationCacheOptions{
		TTL: opts.TTL, MaxEntries: opts.MaxEntries, Now: r.now,
	})
	return r, nil
}

// Check returns uid's status from firebase_users. It is a
// verify.RevocationCheck: it returns an error, and the Verifier refuses
// the token with verify.ErrRevocationCheckFailed, when the table is stale
// or the database cannot be read.
func (r *Reader) Check(ctx context.Context, uid string) (verify.UserStatus, error) {
	if err := r.staleness(); err != nil {
		return verify.UserStatus{}, err
	}
	return r.cache.Check(ctx, uid)
}

// lookup reads uid's row; it is the check the cache wraps.
func (r *Reader) lookup(ctx context.Context, uid string) (verify.UserStatus, error) {
	var since *time.Time
	var disabled, deleted bool
	err := r.pool.QueryRow(ctx, `SELECT valid_since, disabled, deleted FROM firebase_users WHERE uid = $1`, uid).
		Scan(&since, &disabled, &deleted)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if r.unknown != nil {
			return r.unknown(ctx, uid)
		}
		return verify.UserStatus{Disabled: true}, nil
	case err != nil:
		return verify.UserStatus{}, fmt.Errorf("pgsync: read uid %q: %w", uid, err)
	}
	st := verify.UserStatus{Disabled: disabled || deleted}
	if since != nil {
		st.ValidAfter = *since
	}
	return st, nil
}

// staleness returns an error wrapping firebaseusers.ErrStale when the
// last sync the Reader knows of ended longer ago than the bound, and
// reports each change of state to OnStale.
func (r *Reader) staleness() error {
	r.mu.Lock()
	last := r.lastSync
	age := r.now().Sub(last)
	stale := last.IsZero() || age > r.maxStale
	changed := stale != r.stale
	r.stale = stale
	r.mu.Unlock()
	var err error
	if stale {
		if last.IsZero() {
			err = fmt.Errorf("%w: no complete sync known (bound %v)", firebaseusers.ErrStale, r.maxStale)
		} else {
			err = fmt.Errorf("%w: last complete sync %v ago (bound %v)", firebaseusers.ErrStale, age.Round(time.Millisecond), r.maxStale)
		}
	}
	if changed && r.onStale != nil {
		r.onStale(firebaseusers.StaleEvent{Stale: stale, LastSuccess: last, Err: err})
	}
	return err
}

// Stale reports whether the Reader refuses every token for staleness.
func (r *Reader) Stale() bool { return r.staleness() != nil }

// LastSync returns when, by the Reader's clock, the last complete sync it
// knows of ended; zero if it knows of none.
func (r *Reader) LastSync() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastSync
}

// synced records that a sync ended age ago.
func (r *Reader) synced(age time.Duration) {
	r.mu.Lock()
	if at := r.now().Add(-age); at.After(r.lastSync) {
		r.lastSync = at
	}
	r.mu.Unlock()
	_ = r.staleness() // report a recovery at once
}

// Run listens until ctx ends: it invalidates the rows the database names,
// and learns when each sync ends. When its connection is lost it
// reconnects with backoff; on reconnecting it forgets every kept row,
// since it may have missed changes.
func (r *Reader) Run(ctx context.Context) {
	const minBackoff, maxBackoff = 100 * time.Millisecond, 5 * time.Second
	backoff := minBackoff
	for ctx.Err() == nil {
		listened, err := r.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if listened {
			backoff = minBackoff
		}
		r.logger.Warn("pgsync: listener lost its connection; the TTL and the staleness bound hold until it is back",
			"err", err, "retry_in", backoff)
		if !sleep(ctx, backoff) {
			return
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listenOnce connects, LISTENs and handles notifications until the
// connection fails or ctx ends. listened reports whether LISTEN was in
// place.
func (r *Reader) listenOnce(ctx context.Context) (listened bool, err error) {
	connectCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.ConnectConfig(connectCtx, r.listenConf)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	for _, ch := range []string{UserChannel, SyncChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return false, err
		}
	}
	// Rows kept before LISTEN was in place may predate a change this
	// Reader was not told of.
	r.cache.InvalidateAll()
	ping := max(min(listenerPing, r.maxStale/4), 50*time.Millisecond)
	for {
		if err := r.readLastSync(ctx, conn); err != nil {
			return true, err
		}
		for {
			waitCtx, cancel := context.WithTimeout(ctx, ping)
			n, err := conn.WaitForNotification(waitCtx)
			cancel()
			if err != nil {
				if ctx.Err() != nil || waitCtx.Err() == nil {
					return true, err // ctx ended, or the connection failed
				}
				break // quiet for a while: ask the server, which is also a ping
			}
			if n.Channel == SyncChannel {
				r.synced(0)
			} else {
				r.cache.Invalidate(n.Payload)
			}
		}
		_ = r.staleness() // report staleness even when no request comes
	}
}

// readLastSync asks the server how long ago the last complete sync ended,
// by its own clock, so that the clocks of the hosts need not agree.
func (r *Reader) readLastSync(ctx context.Context, conn *pgx.Conn) error {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var ageSeconds *float64
	err := conn.QueryRow(qctx, `SELECT extract(epoch FROM now() - last_success)::float8 FROM firebase_users_sync`).
		Scan(&ageSeconds)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("pgsync: no firebase_users_sync row: run Migrate first")
	}
	if err != nil {
		return err
	}
	if ageSeconds != nil {
		r.synced(time.Duration(*ageSeconds * float64(time.Second)))
	}
	return nil
}
