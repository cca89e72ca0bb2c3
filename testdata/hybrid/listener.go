package hybrid

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fbverify/fbverify/verify"
)

// listener keeps one dedicated connection LISTENing on ChangesChannel and
// invalidates the users the database names. When the connection is lost
// it reconnects with exponential backoff; until then the cache's TTL bounds
// how stale an answer can be, and once back it forgets every answer, since
// changes may have been missed meanwhile.
type listener struct {
	connString string
	cache      *verify.RevocationCache
	logger     *slog.Logger
	minBackoff time.Duration
	maxBackoff time.Duration
	onListen   func() // called each time LISTEN is in place; may be nil
}

// ListenerApplicationName is the application_name of the listener's
// connection, by which an operator finds it in pg_stat_activity.
const ListenerApplicationName = "fbverify-hybrid-listener"

// listenerPing is how long the listener waits for a notification before
// it pings the server, so that a connection that died silently (no FIN, as
// after a network partition) is noticed within about this long.
const listenerPing = 15 * time.Second

// run listens until ctx ends.
func (l *listener) run(ctx context.Context) {
	backoff := l.minBackoff
	for ctx.Err() == nil {
		listened, err := l.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if listened {
			backoff = l.minBackoff // it worked for a while: start again from short waits
		}
		l.logger.Warn("hybrid: change listener lost its connection; the TTL bounds staleness until it is back",
			"err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, l.maxBackoff)
	}
}

// listenOnce connects, LISTENs and invalidates users until the connection
// fails or ctx ends. listened reports whether LISTEN was in place.
func (l *listener) listenOnce(ctx context.Context) (listened bool, err error) {
	cfg, err := pgx.ParseConfig(l.connString)
	if err != nil {
		return false, err
	}
	cfg.RuntimeParams["application_name"] = ListenerApplicationName
	connectCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.ConnectConfig(connectCtx, cfg)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ChangesChannel}.Sanitize()); err != nil {
		return false, err
	}
	// Answers kept before LISTEN was in place may predate a change this
	// instance was not told of.
	l.cache.InvalidateAll()
	if l.onListen != nil {
		l.onListen()
	}
	for {
		waitCtx, cancel := context.WithTimeout(ctx, listenerPing)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case err == nil:
			l.cache.Invalidate(n.Payload)
		case ctx.Err() == nil && waitCtx.Err() != nil:
			// Quiet for a while: a timed-out wait leaves the connection
			// usable, so check that the server is still there.
			pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = conn.Ping(pingCtx)
			cancel()
			if err != nil {
				return true, err
			}
		default:
			return true, err
		}
	}
}
