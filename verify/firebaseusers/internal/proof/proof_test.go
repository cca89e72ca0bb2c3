//go:build unix

package proof_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/firebaseusers"
	"github.com/fbverify/fbverify/verify/firebaseusers/internal/emulatortest"
	"github.com/fbverify/fbverify/verify/firebaseusers/internal/pgtest"
	"github.com/fbverify/fbverify/verify/firebaseusers/pgsync"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// project is a demo- project: the emulator needs no login for it.
const project = "demo-firebaseusers"

const (
	users = 2500
	pages = (users + firebaseusers.MaxPageSize - 1) / firebaseusers.MaxPageSize

	// Per-user mode.
	ttl          = 2 * time.Second
	perUserBound = 3 * time.Second
	// Bulk mode.
	interval  = time.Second
	bulkBound = 3 * time.Second
	// slack covers a loaded machine: scheduling, a sync in progress, the
	// NOTIFY round trip.
	slack = 1500 * time.Millisecond
)

// The accounts whose tokens the test uses; the others only fill pages.
const (
	perUserKept = iota
	perUserRevoked
	perUserDisabled
	bulkKept
	bulkRevoked
	bulkDisabled
	withTokens
)

func account(i int) emulatortest.Account {
	return emulatortest.Account{UID: fmt.Sprintf("user-%04d", i), Email: fmt.Sprintf("user-%04d@example.com", i),
		Password: "password-" + fmt.Sprint(i)}
}

// counter counts the calls to the Identity Toolkit API by method.
type counter struct {
	lookups, batchGets atomic.Int64
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/accounts:lookup"):
		c.lookups.Add(1)
	case strings.HasSuffix(r.URL.Path, "/accounts:batchGet"):
		c.batchGets.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// client is a Client for the emulator (found through
// FIREBASE_AUTH_EMULATOR_HOST) whose calls c counts.
func client(t *testing.T, c *counter) *firebaseusers.Client {
	t.Helper()
	cl, err := firebaseusers.NewClient(project, firebaseusers.ClientOptions{Transport: c, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !cl.Emulator() {
		t.Fatal("the client does not call the emulator")
	}
	return cl
}

// guarded is a Verifier of the emulator's tokens behind its middleware.
type guarded struct {
	v *verify.Verifier
	h http.Handler
}

func newGuarded(t *testing.T, check verify.RevocationCheck) *guarded {
	t.Helper()
	// Emulator tokens are unsigned: the keys of an unrelated signer are
	// never used.
	v, err := verify.New(project, verify.InsecureEmulatorMode(),
		verify.WithKeySource(verifytest.NewSigner(project).KeySource()),
		verify.WithRevocationCheck(check))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return &guarded{v: v, h: v.Middleware()(ok)}
}

// serve sends one request with token and returns the status and the
// error code of the body.
func (g *guarded) serve(token string) (int, string) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/profile", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	g.h.ServeHTTP(rec, req)
	var body struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return rec.Code, body.Code
}

// within polls cond every 20 ms for at most d and returns how long it
// took to hold.
func within(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// staleLog records OnStale events.
type staleLog struct {
	mu     sync.Mutex
	events []firebaseusers.StaleEvent
}

func (l *staleLog) add(ev firebaseusers.StaleEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

func (l *staleLog) last() (firebaseusers.StaleEvent, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) == 0 {
		return firebaseusers.StaleEvent{}, false
	}
	return l.events[len(l.events)-1], true
}

// instance is one service of the bulk fleet.
type instance struct {
	name   string
	calls  *counter
	syncer *pgsync.Syncer
	reader *pgsync.Reader
	g      *guarded
	stale  staleLog
	stop   func()

	mu    sync.Mutex
	syncs []pgsync.SyncEvent
}

func startInstance(t *testing.T, name, url string, pool *pgxpool.Pool) *instance {
	t.Helper()
	in := &instance{name: name, calls: &counter{}}
	var err error
	in.syncer, err = pgsync.NewSyncer(client(t, in.calls), url, pgsync.SyncerOptions{Interval: interval,
		OnSync: func(ev pgsync.SyncEvent) {
			in.mu.Lock()
			defer in.mu.Unlock()
			in.syncs = append(in.syncs, ev)
		}})
	if err != nil {
		t.Fatal(err)
	}
	in.reader, err = pgsync.NewReader(pool, url, pgsync.ReaderOptions{MaxStaleness: bulkBound, TTL: time.Hour,
		OnStale: in.stale.add})
	if err != nil {
		t.Fatal(err)
	}
	in.g = newGuarded(t, in.reader.Check)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { in.syncer.Run(ctx) })
	wg.Go(func() { in.reader.Run(ctx) })
	var once sync.Once
	in.stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(in.stop)
	return in
}

func (in *instance) syncEvents() []pgsync.SyncEvent {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]pgsync.SyncEvent(nil), in.syncs...)
}

// lastGoodSync returns the last complete sync, if any.
func (in *instance) lastGoodSync() (pgsync.SyncEvent, bool) {
	ev := in.syncEvents()
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Err == nil {
			return ev[i], true
		}
	}
	return pgsync.SyncEvent{}, false
}

// TestOnTheEmulator proves both modes on the real Firebase Auth emulator
// and a real PostgreSQL: 2,500 users, revocations and disables made in
// the emulator, two instances of a fleet, a sync instance that dies, and
// the emulator stopped and continued.
func TestOnTheEmulator(t *testing.T) {
	url := pgtest.Database(t)
	emu := emulatortest.Start(t, project)
	t.Setenv(firebaseusers.EmulatorHostEnv, emu.Host)

	accounts := make([]emulatortest.Account, users)
	for i := range accounts {
		accounts[i] = account(i)
	}
	start := time.Now()
	emu.CreateUsers(t, accounts)
	t.Logf("%d users created through accounts:batchCreate in %v", users, time.Since(start).Round(time.Millisecond))
	tokens := make([]string, withTokens)
	for i := range tokens {
		tokens[i] = emu.SignIn(t, accounts[i].Email, accounts[i].Password)
	}
	// Firebase compares auth_time and validSince in whole seconds, and a
	// token of the very second of a revocation stands: let that second
	// pass before anything is revoked.
	signedIn := time.Now().Unix()
	for time.Now().Unix() == signedIn {
		time.Sleep(10 * time.Millisecond)
	}

	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pgsync.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}

	// Per-user mode.
	perUserCalls := &counter{}
	var perUserStale staleLog
	checker, err := firebaseusers.NewChecker(client(t, perUserCalls), firebaseusers.CheckerOptions{
		TTL: ttl, MaxStaleness: perUserBound, OnStale: perUserStale.add})
	if err != nil {
		t.Fatal(err)
	}
	perUser := newGuarded(t, checker.Check)

	t.Run("per-user: one lookup per distinct uid per TTL", func(t *testing.T) {
		start := time.Now()
		var wg sync.WaitGroup
		var refused atomic.Int64
		for i := range 3 {
			for range 100 {
				wg.Go(func() {
					if code, _ := perUser.serve(tokens[perUserKept+i]); code != http.StatusOK {
						refused.Add(1)
					}
				})
			}
		}
		wg.Wait()
		took := time.Since(start)
		if n := refused.Load(); n != 0 {
			t.Fatalf("%d of 300 requests refused", n)
		}
		if took >= ttl {
			t.Fatalf("300 requests took %v, more than one TTL (%v): the count below would not be of one TTL", took, ttl)
		}
		if n := perUserCalls.lookups.Load(); n != 3 {
			t.Fatalf("%d lookups for 300 requests of 3 uids within one TTL, want 3", n)
		}
		t.Logf("300 concurrent requests of 3 users in %v: %d lookups", took.Round(time.Millisecond), perUserCalls.lookups.Load())
	})

	t.Run("per-user: revoked and disabled refused within one TTL", func(t *testing.T) {
		emu.Revoke(t, accounts[perUserRevoked].UID)
		emu.Disable(t, accounts[perUserDisabled].UID)
		changed := time.Now()
		tests := []struct {
			name  string
			token string
			code  string
		}{
			{"revoked", tokens[perUserRevoked], "token_revoked"},
			{"disabled", tokens[perUserDisabled], "user_disabled"},
		}
		for _, tt := range tests {
			within(t, ttl+slack, tt.name, func() bool {
				status, code := perUser.serve(tt.token)
				return status == http.StatusUnauthorized && code == tt.code
			})
			t.Logf("%s refused (401 %s) %v after the change (TTL %v)", tt.name, tt.code,
				time.Since(changed).Round(time.Millisecond), ttl)
		}
		if status, code := perUser.serve(tokens[perUserKept]); status != http.StatusOK {
			t.Errorf("untouched user: %d %s, want 200", status, code)
		}
	})

	// Bulk mode: two instances of a fleet on one database.
	a := startInstance(t, "a", url, pool)
	b := startInstance(t, "b", url, pool)
	fleet := []*instance{a, b}
	var holder, other *instance

	t.Run("bulk: exactly one instance syncs, ceil(users/1000) pages a sync", func(t *testing.T) {
		within(t, 30*time.Second, "a first complete sync", func() bool {
			_, okA := a.lastGoodSync()
			_, okB := b.lastGoodSync()
			return okA || okB
		})
		time.Sleep(3 * interval)
		switch {
		case a.syncer.Holding() && !b.syncer.Holding():
			holder, other = a, b
		case b.syncer.Holding() && !a.syncer.Holding():
			holder, other = b, a
		default:
			t.Fatalf("holding: a=%v b=%v; want exactly one", a.syncer.Holding(), b.syncer.Holding())
		}
		if n := len(other.syncEvents()); n != 0 || other.calls.batchGets.Load() != 0 {
			t.Fatalf("instance %s synced %d times (%d calls) without the lock", other.name, n, other.calls.batchGets.Load())
		}
		syncs := holder.syncEvents()
		for _, ev := range syncs {
			if ev.Err != nil || ev.Pages != pages || ev.Users != users {
				t.Fatalf("sync %+v; want %d pages of %d users", ev, pages, users)
			}
		}
		// The calls counted at the transport, not by the Syncer: a sync in
		// progress may have made some of its calls already.
		calls := holder.calls.batchGets.Load()
		if calls < int64(len(syncs)*pages) || calls > int64((len(syncs)+1)*pages) {
			t.Fatalf("%d accounts:batchGet calls for %d syncs; want %d a sync", calls, len(syncs), pages)
		}
		t.Logf("instance %s syncs: %d syncs of %d pages in %v each (last); instance %s made no call",
			holder.name, len(syncs), pages, syncs[len(syncs)-1].Duration.Round(time.Millisecond), other.name)
		var size int64
		if err := pool.QueryRow(context.Background(), `SELECT pg_total_relation_size('firebase_users')`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		t.Logf("firebase_users with its index: %d bytes for %d users, %d a user", size, users, size/users)
		for _, in := range fleet {
			for i := bulkKept; i <= bulkDisabled; i++ {
				if status, code := in.g.serve(tokens[i]); status != http.StatusOK {
					t.Fatalf("instance %s, %s before any change: %d %s", in.name, accounts[i].UID, status, code)
				}
			}
		}
	})
	if holder == nil {
		t.FailNow()
	}

	t.Run("bulk: both instances refuse within one interval plus NOTIFY", func(t *testing.T) {
		emu.Revoke(t, accounts[bulkRevoked].UID)
		emu.Disable(t, accounts[bulkDisabled].UID)
		changed := time.Now()
		for _, in := range fleet {
			within(t, interval+slack, "instance "+in.name+" refuses the revoked token", func() bool {
				status, code := in.g.serve(tokens[bulkRevoked])
				return status == http.StatusUnauthorized && code == "token_revoked"
			})
			within(t, interval+slack, "instance "+in.name+" refuses the disabled user", func() bool {
				status, code := in.g.serve(tokens[bulkDisabled])
				return status == http.StatusUnauthorized && code == "user_disabled"
			})
			if status, code := in.g.serve(tokens[bulkKept]); status != http.StatusOK {
				t.Errorf("instance %s, untouched user: %d %s", in.name, status, code)
			}
			t.Logf("instance %s refuses both %v after the changes (interval %v)", in.name,
				time.Since(changed).Round(time.Millisecond), interval)
		}
	})

	t.Run("bulk: the lock passes on within one interval when the syncing instance dies", func(t *testing.T) {
		before := len(other.syncEvents())
		holder.stop()
		stopped := time.Now()
		took := within(t, interval+slack, "instance "+other.name+" holds the lock", other.syncer.Holding)
		within(t, 30*time.Second, "instance "+other.name+" syncs", func() bool {
			ev := other.syncEvents()
			return len(ev) > before && ev[len(ev)-1].Err == nil
		})
		ev, _ := other.lastGoodSync()
		if ev.Pages != pages {
			t.Errorf("sync after takeover: %d pages, want %d", ev.Pages, pages)
		}
		t.Logf("instance %s took the lock %v after %s stopped, and synced %v after (interval %v)", other.name,
			took.Round(time.Millisecond), holder.name, time.Since(stopped).Round(time.Millisecond), interval)
	})

	t.Run("emulator stopped: both modes refuse with 503 after the bound, and recover", func(t *testing.T) {
		survivor := other
		// SIGSTOP: the emulator neither answers nor refuses, as a hung
		// service or a lost network; each call waits for its timeout.
		emu.Pause(t)
		stopped := time.Now()
		modes := []struct {
			name  string
			g     *guarded
			token string
			bound time.Duration
			stale *staleLog
		}{
			{"per-user", perUser, tokens[perUserKept], perUserBound, &perUserStale},
			{"bulk", survivor.g, tokens[bulkKept], bulkBound, &survivor.stale},
		}
		for _, m := range modes {
			within(t, m.bound+interval+3*slack, m.name+" stale", func() bool {
				status, code := m.g.serve(m.token)
				if status != http.StatusServiceUnavailable || code != "revocation_check_failed" {
					return false
				}
				_, err := m.g.v.Verify(context.Background(), m.token)
				return errors.Is(err, firebaseusers.ErrStale)
			})
			if ev, ok := m.stale.last(); !ok || !ev.Stale {
				t.Errorf("%s: last stale event %+v, want one that says stale", m.name, ev)
			}
			t.Logf("%s: 503 revocation_check_failed, stale, %v after the emulator stopped (bound %v)",
				m.name, time.Since(stopped).Round(time.Millisecond), m.bound)
		}

		emu.Continue(t)
		back := time.Now()
		for _, m := range modes {
			within(t, interval+3*slack, m.name+" answers again", func() bool {
				status, _ := m.g.serve(m.token)
				return status == http.StatusOK
			})
			t.Logf("%s: 200 again %v after the emulator continued", m.name, time.Since(back).Round(time.Millisecond))
			if ev, ok := m.stale.last(); !ok || ev.Stale {
				t.Errorf("%s: last stale event %+v, want one that says fresh", m.name, ev)
			}
		}
		if ev, _ := survivor.lastGoodSync(); ev.Pages != pages || ev.Users != users {
			t.Errorf("sync after the emulator continued: %+v; want %d pages of %d users", ev, pages, users)
		}
	})
}
