package pgsync_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/firebaseusers"
	"github.com/fbverify/fbverify/verify/firebaseusers/pgsync"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// instance is one service of a fleet: a Reader and a Verifier using it.
type instance struct {
	reader *pgsync.Reader
	v      *verify.Verifier
	signer *verifytest.Signer

	mu    sync.Mutex
	stale []firebaseusers.StaleEvent
}

func startInstance(t *testing.T, d *db, signer *verifytest.Signer, opts pgsync.ReaderOptions) *instance {
	t.Helper()
	in := &instance{signer: signer}
	opts.OnStale = func(ev firebaseusers.StaleEvent) {
		in.mu.Lock()
		defer in.mu.Unlock()
		in.stale = append(in.stale, ev)
	}
	var err error
	in.reader, err = pgsync.NewReader(d.pool, d.url, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.reader.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	in.v, err = verify.New(project, verify.WithKeySource(signer.KeySource()), verify.WithRevocationCheck(in.reader.Check))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.v.Close() })
	return in
}

func (in *instance) verify(token string) error {
	_, err := in.v.Verify(context.Background(), token)
	return err
}

func (in *instance) staleEvents() []firebaseusers.StaleEvent {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]firebaseusers.StaleEvent(nil), in.stale...)
}

// eventually polls cond every 10 ms for at most d, and returns how long
// it took to hold.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// TestReadersSeeChangesByNotify: two instances on one database, with an
// hour of TTL, see a revocation and a disable within one interval plus
// the NOTIFY delay.
func TestReadersSeeChangesByNotify(t *testing.T) {
	d := newDB(t)
	srv := newFirebase(t, "alice", "bob", "carol")
	const interval = 300 * time.Millisecond
	s := newSyncs()
	startSyncer(t, newClient(t, srv), d.url, interval, s)
	signer := verifytest.NewSigner(project)
	opts := pgsync.ReaderOptions{MaxStaleness: time.Minute, TTL: time.Hour}
	fleet := []*instance{startInstance(t, d, signer, opts), startInstance(t, d, signer, opts)}
	tokens := map[string]string{}
	for _, uid := range []string{"alice", "bob", "carol"} {
		tokens[uid] = signer.IDToken(uid, verifytest.AuthTime(time.Now().Add(-time.Minute)))
	}
	for i, in := range fleet {
		eventually(t, 10*time.Second, "first sync seen", func() bool { return !in.reader.Stale() })
		for uid, tok := range tokens {
			if err := in.verify(tok); err != nil {
				t.Fatalf("instance %d, %s: %v", i, uid, err)
			}
		}
	}

	srv.Revoke("bob", time.Now())
	srv.SetDisabled("carol", true)
	changed := time.Now()
	for i, in := range fleet {
		eventually(t, interval+2*time.Second, "bob revoked", func() bool {
			return errors.Is(in.verify(tokens["bob"]), verify.ErrRevoked)
		})
		eventually(t, interval+2*time.Second, "carol disabled", func() bool {
			return errors.Is(in.verify(tokens["carol"]), verify.ErrUserDisabled)
		})
		if err := in.verify(tokens["alice"]); err != nil {
			t.Errorf("instance %d, alice untouched: %v", i, err)
		}
		t.Logf("instance %d refuses both %v after the changes (interval %v)", i, time.Since(changed).Round(time.Millisecond), interval)
	}
}

func TestReaderStaleness(t *testing.T) {
	d := newDB(t)
	srv := newFirebase(t, "alice")
	signer := verifytest.NewSigner(project)
	const bound = time.Second
	in := startInstance(t, d, signer, pgsync.ReaderOptions{MaxStaleness: bound})
	token := signer.IDToken("alice")

	// No sync yet: nothing is known, so everything is refused.
	if err := in.verify(token); !errors.Is(err, verify.ErrRevocationCheckFailed) || !errors.Is(err, firebaseusers.ErrStale) {
		t.Fatalf("before any sync = %v; want %v, %v", err, verify.ErrRevocationCheckFailed, firebaseusers.ErrStale)
	}
	s := newSyncs()
	startSyncer(t, newClient(t, srv), d.url, 200*time.Millisecond, s)
	eventually(t, 10*time.Second, "fresh after the first sync", func() bool { return in.verify(token) == nil })

	srv.SetDown(true)
	eventually(t, bound+2*time.Second, "stale after the bound", func() bool {
		err := in.verify(token)
		return errors.Is(err, firebaseusers.ErrStale) && verify.IsServerSide(err)
	})
	// The bound runs from the end of the last sync, not from the failure.
	if age := time.Since(in.reader.LastSync()); age < bound {
		t.Errorf("stale when the last sync ended %v ago, within the bound %v", age, bound)
	}
	srv.SetDown(false)
	eventually(t, 5*time.Second, "fresh again", func() bool { return in.verify(token) == nil })
	ev := in.staleEvents()
	if len(ev) < 3 || !ev[len(ev)-2].Stale || ev[len(ev)-1].Stale {
		t.Errorf("stale events = %+v; want ... stale, fresh", ev)
	}
}

func TestReaderUnknownUID(t *testing.T) {
	d := newDB(t)
	srv := newFirebase(t, "alice")
	s := newSyncs()
	startSyncer(t, newClient(t, srv), d.url, time.Hour, s)
	s.next(t, 10*time.Second)
	srv.AddUser("newcomer") // made after the sync

	signer := verifytest.NewSigner(project)
	strict := startInstance(t, d, signer, pgsync.ReaderOptions{MaxStaleness: time.Hour})
	checker, err := firebaseusers.NewChecker(newClient(t, srv), firebaseusers.CheckerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	helped := startInstance(t, d, signer, pgsync.ReaderOptions{MaxStaleness: time.Hour, Unknown: checker.Check})
	eventually(t, 10*time.Second, "readers fresh", func() bool { return !strict.reader.Stale() && !helped.reader.Stale() })

	token := signer.IDToken("newcomer")
	if err := strict.verify(token); !errors.Is(err, verify.ErrUserDisabled) {
		t.Errorf("unknown uid without Unknown = %v; want %v (fail closed)", err, verify.ErrUserDisabled)
	}
	before := srv.Lookups()
	for range 3 {
		if err := helped.verify(token); err != nil {
			t.Fatalf("unknown uid with a Checker = %v", err)
		}
	}
	if n := srv.Lookups() - before; n != 1 {
		t.Errorf("%d lookups for a new user checked 3 times, want 1", n)
	}
	if err := helped.verify(signer.IDToken("never-existed")); !errors.Is(err, verify.ErrUserDisabled) {
		t.Errorf("uid Firebase does not have = %v; want %v", err, verify.ErrUserDisabled)
	}
}

func TestNewReaderRefusesBadConfig(t *testing.T) {
	d := newDB(t)
	if _, err := pgsync.NewReader(nil, d.url, pgsync.ReaderOptions{MaxStaleness: time.Minute}); err == nil {
		t.Error("nil pool accepted")
	}
	if _, err := pgsync.NewReader(d.pool, d.url, pgsync.ReaderOptions{}); err == nil {
		t.Error("no staleness bound accepted")
	}
	if _, err := pgsync.NewReader(d.pool, "postgres://[bad", pgsync.ReaderOptions{MaxStaleness: time.Minute}); err == nil {
		t.Error("bad connection string accepted")
	}
}
