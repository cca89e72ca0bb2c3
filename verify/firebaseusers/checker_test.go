package firebaseusers_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/firebaseusers"
	"github.com/fbverify/fbverify/verify/firebaseusers/firebaseuserstest"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// clock is a settable clock shared by the signer, the Verifier and the
// Checker.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a Verifier checking revocations through a Checker against a
// firebaseuserstest.Server.
type fixture struct {
	srv     *firebaseuserstest.Server
	clock   *clock
	signer  *verifytest.Signer
	checker *firebaseusers.Checker
	v       *verify.Verifier
	stale   []firebaseusers.StaleEvent
	mu      sync.Mutex
}

func newFixture(t *testing.T, opts firebaseusers.CheckerOptions, users ...string) *fixture {
	t.Helper()
	f := &fixture{srv: firebaseuserstest.NewServer(project), clock: newClock()}
	t.Cleanup(f.srv.Close)
	for _, u := range users {
		f.srv.AddUser(u)
	}
	opts.Now = f.clock.Now
	opts.OnStale = func(ev firebaseusers.StaleEvent) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.stale = append(f.stale, ev)
	}
	var err error
	f.checker, err = firebaseusers.NewChecker(newClient(t, f.srv.ClientOptions()), opts)
	if err != nil {
		t.Fatal(err)
	}
	f.signer = verifytest.NewSigner(project, verifytest.WithClock(f.clock.Now))
	f.v, err = verify.New(project, verify.WithKeySource(f.signer.KeySource()), verify.WithClock(f.clock.Now),
		verify.WithRevocationCheck(f.checker.Check))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.v.Close() })
	return f
}

// verify checks a token of uid that was signed in a minute ago.
func (f *fixture) verify(uid string) error {
	tok := f.signer.IDToken(uid, verifytest.AuthTime(f.clock.Now().Add(-time.Minute)))
	_, err := f.v.Verify(context.Background(), tok)
	return err
}

func (f *fixture) staleEvents() []firebaseusers.StaleEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]firebaseusers.StaleEvent(nil), f.stale...)
}

func TestCheckerRefusesRevokedDisabledAndDeleted(t *testing.T) {
	const ttl = 30 * time.Second
	f := newFixture(t, firebaseusers.CheckerOptions{TTL: ttl}, "alice", "bob", "carol", "dave")
	for _, uid := range []string{"alice", "bob", "carol", "dave"} {
		for range 3 {
			if err := f.verify(uid); err != nil {
				t.Fatalf("%s: %v", uid, err)
			}
		}
	}
	if n := f.srv.Lookups(); n != 4 {
		t.Fatalf("%d lookups for 12 checks of 4 users, want 4", n)
	}

	f.clock.Add(time.Second)
	f.srv.Revoke("bob", f.clock.Now())
	f.srv.SetDisabled("carol", true)
	f.srv.Delete("dave")
	// Within the TTL the kept answers stand...
	if err := f.verify("bob"); err != nil {
		t.Fatalf("bob within the TTL: %v", err)
	}
	// ...and one TTL after they were fetched, Firebase's answer counts.
	f.clock.Add(ttl)
	tests := []struct {
		uid  string
		want error
	}{
		{"alice", nil},
		{"bob", verify.ErrRevoked},
		{"carol", verify.ErrUserDisabled},
		{"dave", verify.ErrUserDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.uid, func(t *testing.T) {
			err := f.verify(tt.uid)
			if tt.want == nil && err != nil || !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if n := f.srv.Lookups(); n != 8 {
		t.Errorf("%d lookups after one TTL, want 8 (4 users, twice)", n)
	}
	t.Run("signed in again after the revocation", func(t *testing.T) {
		f.clock.Add(time.Second)
		tok := f.signer.IDToken("bob", verifytest.AuthTime(f.clock.Now()))
		if _, err := f.v.Verify(context.Background(), tok); err != nil {
			t.Fatalf("Verify = %v", err)
		}
	})
}

// gate holds every call until it is opened, and counts them.
type gate struct {
	open  chan struct{}
	calls atomic.Int64
	next  http.RoundTripper
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	g.calls.Add(1)
	<-g.open
	return g.next.RoundTrip(r)
}

func TestCheckerConcurrentChecksShareOneLookup(t *testing.T) {
	srv := firebaseuserstest.NewServer(project)
	defer srv.Close()
	srv.AddUser("alice")
	g := &gate{open: make(chan struct{}), next: http.DefaultTransport}
	opts := srv.ClientOptions()
	opts.Transport = g
	checker, err := firebaseusers.NewChecker(newClient(t, opts), firebaseusers.CheckerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := checker.Check(context.Background(), "alice")
			errs <- err
		})
	}
	for g.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others join the call in flight
	close(g.open)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Lookups(); got != 1 {
		t.Errorf("%d lookups for %d concurrent checks of one uid, want 1", got, n)
	}
}

func TestCheckerStaleness(t *testing.T) {
	const ttl, bound = time.Hour, time.Minute
	f := newFixture(t, firebaseusers.CheckerOptions{TTL: ttl, MaxStaleness: bound}, "alice", "bob")
	if err := f.verify("alice"); err != nil {
		t.Fatal(err)
	}
	f.srv.SetDown(true)
	f.clock.Add(bound / 2)
	if err := f.verify("alice"); err != nil {
		t.Fatalf("kept answer within the bound: %v", err)
	}
	if err := f.verify("bob"); !errors.Is(err, verify.ErrRevocationCheckFailed) || errors.Is(err, firebaseusers.ErrStale) {
		t.Fatalf("bob, Firebase down, within the bound = %v; want a failed check that is not stale", err)
	}
	if err := f.verify("alice"); err != nil {
		t.Fatalf("kept answer within the bound, after a failure: %v", err)
	}
	if f.checker.Stale() {
		t.Fatal("stale within the bound")
	}

	f.clock.Add(bound)
	for _, uid := range []string{"alice", "bob"} {
		err := f.verify(uid)
		if !errors.Is(err, verify.ErrRevocationCheckFailed) || !errors.Is(err, firebaseusers.ErrStale) {
			t.Fatalf("%s past the bound = %v; want %v and %v", uid, err, verify.ErrRevocationCheckFailed, firebaseusers.ErrStale)
		}
		if !verify.IsServerSide(err) {
			t.Errorf("%s: IsServerSide = false: the middleware would not answer 503", uid)
		}
	}
	if !f.checker.Stale() {
		t.Error("Stale() = false past the bound")
	}
	if ev := f.staleEvents(); len(ev) != 1 || !ev[0].Stale || ev[0].Err == nil {
		t.Fatalf("stale events = %+v, want one that says stale", ev)
	}

	f.srv.SetDown(false)
	if err := f.verify("alice"); err != nil {
		t.Fatalf("Firebase back: %v", err)
	}
	if err := f.verify("bob"); err != nil {
		t.Fatalf("Firebase back: %v", err)
	}
	if ev := f.staleEvents(); len(ev) != 2 || ev[1].Stale {
		t.Fatalf("stale events = %+v, want a second that says fresh", ev)
	}
}

// TestCheckerQuietService: past the bound without any lookup, Firebase
// answering, the kept answers are asked again once, and nothing is
// refused.
func TestCheckerQuietService(t *testing.T) {
	const ttl, bound = time.Hour, time.Minute
	f := newFixture(t, firebaseusers.CheckerOptions{TTL: ttl, MaxStaleness: bound}, "alice")
	if err := f.verify("alice"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(2 * bound)
	for range 3 {
		if err := f.verify("alice"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.srv.Lookups(); n != 2 {
		t.Errorf("%d lookups, want 2", n)
	}
	if ev := f.staleEvents(); len(ev) != 0 {
		t.Errorf("stale events = %+v, want none", ev)
	}
}

func TestCheckerCallerGivesUp(t *testing.T) {
	f := newFixture(t, firebaseusers.CheckerOptions{MaxStaleness: time.Nanosecond}, "alice")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.checker.Check(ctx, "alice"); err == nil {
		t.Fatal("Check with a cancelled context succeeded")
	}
	f.clock.Add(time.Second)
	if f.checker.Stale() {
		t.Error("a caller that gave up made the Checker stale")
	}
}

func TestNewCheckerRefusesBadConfig(t *testing.T) {
	srv := firebaseuserstest.NewServer(project)
	defer srv.Close()
	if _, err := firebaseusers.NewChecker(nil, firebaseusers.CheckerOptions{}); err == nil {
		t.Error("nil client accepted")
	}
	if _, err := firebaseusers.NewChecker(newClient(t, srv.ClientOptions()), firebaseusers.CheckerOptions{MaxStaleness: -1}); err == nil {
		t.Error("negative staleness bound accepted")
	}
}
