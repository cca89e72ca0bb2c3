package pgsync_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fbverify/fbverify/verify/firebaseusers"
	"github.com/fbverify/fbverify/verify/firebaseusers/firebaseuserstest"
	"github.com/fbverify/fbverify/verify/firebaseusers/internal/pgtest"
	"github.com/fbverify/fbverify/verify/firebaseusers/pgsync"
)

const project = "my-project"

// db is a migrated database of the test's own, with a pool on it.
type db struct {
	url  string
	pool *pgxpool.Pool
}

func newDB(t *testing.T) *db {
	t.Helper()
	url := pgtest.Database(t)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := pgsync.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return &db{url: url, pool: pool}
}

// newFirebase starts a stand-in for Firebase's API with users, stopped
// when the test ends.
func newFirebase(t *testing.T, users ...string) *firebaseuserstest.Server {
	t.Helper()
	srv := firebaseuserstest.NewServer(project)
	t.Cleanup(srv.Close)
	for _, uid := range users {
		srv.AddUser(uid)
	}
	return srv
}

func newClient(t *testing.T, srv *firebaseuserstest.Server) *firebaseusers.Client {
	t.Helper()
	opts := srv.ClientOptions()
	opts.Getenv = func(string) string { return "" }
	c, err := firebaseusers.NewClient(project, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// syncs collects the SyncEvents of a Syncer.
type syncs struct {
	mu     sync.Mutex
	events []pgsync.SyncEvent
	ch     chan pgsync.SyncEvent
}

func newSyncs() *syncs { return &syncs{ch: make(chan pgsync.SyncEvent, 100)} }

func (s *syncs) add(ev pgsync.SyncEvent) {
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.mu.Unlock()
	select {
	case s.ch <- ev:
	default:
	}
}

func (s *syncs) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

// next waits for the next sync, at most d.
func (s *syncs) next(t *testing.T, d time.Duration) pgsync.SyncEvent {
	t.Helper()
	select {
	case ev := <-s.ch:
		return ev
	case <-time.After(d):
		t.Fatalf("no sync within %v", d)
		return pgsync.SyncEvent{}
	}
}

// startSyncer runs a Syncer until the returned function is called or the
// test ends.
func startSyncer(t *testing.T, client *firebaseusers.Client, url string, interval time.Duration, s *syncs) (*pgsync.Syncer, func()) {
	t.Helper()
	syncer, err := pgsync.NewSyncer(client, url, pgsync.SyncerOptions{Interval: interval, OnSync: s.add})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		syncer.Run(ctx)
	}()
	stop := func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return syncer, stop
}

type row struct {
	since             *time.Time
	disabled, deleted bool
}

func readRow(t *testing.T, d *db, uid string) row {
	t.Helper()
	var r row
	err := d.pool.QueryRow(context.Background(),
		`SELECT valid_since, disabled, deleted FROM firebase_users WHERE uid = $1`, uid).Scan(&r.since, &r.disabled, &r.deleted)
	if err != nil {
		t.Fatalf("row of %s: %v", uid, err)
	}
	return r
}

func TestSyncWritesEveryUserAndOnlyChanges(t *testing.T) {
	d := newDB(t)
	srv := newFirebase(t)
	const users = 2500
	for i := range users {
		srv.AddUser(fmt.Sprintf("user-%04d", i))
	}
	s := newSyncs()
	startSyncer(t, newClient(t, srv), d.url, 200*time.Millisecond, s)

	first := s.next(t, 10*time.Second)
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	if first.Pages != 3 || first.Users != users || first.Changed != users || first.Deleted != 0 {
		t.Fatalf("first sync = %+v; want 3 pages, %d users, all changed, none deleted", first, users)
	}
	var n int
	if err := d.pool.QueryRow(context.Background(), `SELECT count(*) FROM firebase_users`).Scan(&n); err != nil || n != users {
		t.Fatalf("%d rows (%v), want %d", n, err, users)
	}

	revokedAt := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	srv.Revoke("user-0001", revokedAt)
	srv.SetDisabled("user-0002", true)
	srv.Delete("user-0003")
	var ev pgsync.SyncEvent
	for ev = s.next(t, 10*time.Second); ev.Changed == 0 && ev.Deleted == 0; ev = s.next(t, 10*time.Second) {
		// a sync that began before the changes
	}
	if ev.Err != nil || ev.Changed != 2 || ev.Deleted != 1 || ev.Users != users-1 {
		t.Fatalf("sync after three changes = %+v; want 2 changed, 1 deleted", ev)
	}
	if r := readRow(t, d, "user-0001"); r.since == nil || !r.since.Equal(revokedAt) || r.disabled || r.deleted {
		t.Errorf("revoked row = %+v", r)
	}
	if r := readRow(t, d, "user-0002"); !r.disabled || r.deleted {
		t.Errorf("disabled row = %+v", r)
	}
	if r := readRow(t, d, "user-0003"); !r.deleted {
		t.Errorf("deleted row = %+v", r)
	}
	if ev := s.next(t, 10*time.Second); ev.Changed != 0 || ev.Deleted != 0 {
		t.Errorf("sync without changes = %+v; want nothing written", ev)
	}
	srv.AddUser("user-0003") // a uid that comes back
	for ev = s.next(t, 10*time.Second); ev.Changed == 0; ev = s.next(t, 10*time.Second) {
	}
	if r := readRow(t, d, "user-0003"); r.deleted {
		t.Errorf("row of a uid back in Firebase = %+v; want not deleted", r)
	}
}

func TestSyncFailureKeepsTheLastSuccess(t *testing.T) {
	d := newDB(t)
	srv := newFirebase(t, "alice")
	s := newSyncs()
	startSyncer(t, newClient(t, srv), d.url, 100*time.Millisecond, s)
	if ev := s.next(t, 10*time.Second); ev.Err != nil {
		t.Fatal(ev.Err)
	}
	var before time.Time
	if err := d.pool.QueryRow(context.Background(), `SELECT last_success FROM firebase_users_sync`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	srv.SetDown(true)
	for ev := s.next(t, 10*time.Second); ev.Err == nil; ev = s.next(t, 10*time.Second) {
	}
	var after time.Time
	if err := d.pool.QueryRow(context.Background(), `SELECT last_success FROM firebase_users_sync`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !after.Equal(before) {
		t.Errorf("last_success moved from %v to %v on a failed sync", before, after)
	}
	if r := readRow(t, d, "alice"); r.deleted || r.disabled {
		t.Errorf("a failed sync changed alice: %+v", r)
	}
}

// TestOneSyncerAtATime: of two Syncers on one database, one holds the
// lock and syncs; when it stops, the other takes over within one interval.
func TestOneSyncerAtATime(t *testing.T) {
	d := newDB(t)
	srv := newFirebase(t, "alice")
	const interval = 300 * time.Millisecond
	sa, sb := newSyncs(), newSyncs()
	a, stopA := startSyncer(t, newClient(t, srv), d.url, interval, sa)
	sa.next(t, 10*time.Second)
	b, _ := startSyncer(t, newClient(t, srv), d.url, interval, sb)
	time.Sleep(4 * interval)
	if !a.Holding() || b.Holding() {
		t.Fatalf("holding: a=%v b=%v; want a only", a.Holding(), b.Holding())
	}
	if n := sb.count(); n != 0 {
		t.Fatalf("b synced %d times without the lock", n)
	}
	stopA()
	stopped := time.Now()
	ev := sb.next(t, 10*time.Second)
	took := time.Since(stopped)
	if ev.Err != nil {
		t.Fatal(ev.Err)
	}
	if !b.Holding() || a.Holding() {
		t.Fatalf("holding after a stopped: a=%v b=%v; want b only", a.Holding(), b.Holding())
	}
	// One interval, plus the sync itself on a loaded machine.
	if took > interval+time.Second {
		t.Errorf("b synced %v after a stopped; want within one interval (%v)", took, interval)
	}
	t.Logf("b took over and synced %v after a stopped (interval %v)", took.Round(time.Millisecond), interval)
}

func TestNewSyncerRefusesBadConfig(t *testing.T) {
	srv := newFirebase(t)
	c := newClient(t, srv)
	if _, err := pgsync.NewSyncer(nil, "host=/tmp", pgsync.SyncerOptions{}); err == nil {
		t.Error("nil client accepted")
	}
	if _, err := pgsync.NewSyncer(c, "postgres://[bad", pgsync.SyncerOptions{}); err == nil {
		t.Error("bad connection string accepted")
	}
	if _, err := pgsync.NewSyncer(c, "host=/tmp", pgsync.SyncerOptions{Interval: -time.Second}); err == nil {
		t.Error("negative interval accepted")
	}
}
