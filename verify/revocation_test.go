package verify_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// fakeClock is a clock that tests move by hand, safe for concurrent use.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// userStore is a revocation store in memory that counts the calls it gets.
type userStore struct {
	mu    sync.Mutex
	users map[string]verify.UserStatus
	fail  error
	calls atomic.Int64
}

func newUserStore() *userStore { return &userStore{users: map[string]verify.UserStatus{}} }

func (s *userStore) Check(_ context.Context, uid string) (verify.UserStatus, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return verify.UserStatus{}, s.fail
	}
	return s.users[uid], nil
}

func (s *userStore) set(uid string, st verify.UserStatus) {
	s.mu.Lock()
	s.users[uid] = st
	s.mu.Unlock()
}

func (s *userStore) setFailure(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

const testTTL = 30 * time.Second

func newTestCache(store *userStore, clock *fakeClock, opts verify.RevocationCacheOptions) *verify.RevocationCache {
	if opts.TTL == 0 {
		opts.TTL = testTTL
	}
	opts.Now = clock.Now
	return verify.NewRevocationCache(store.Check, opts)
}

// checkMany runs n checks of uids uid-0 … uid-(users-1) from workers
// goroutines, failing the test on any error.
func checkMany(t *testing.T, c *verify.RevocationCache, n, users, workers int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	per := n / workers
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				uid := fmt.Sprintf("uid-%d", (w*per+i)%users)
				if _, err := c.Check(context.Background(), uid); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestRevocationCacheCallsStoreOncePerUserPerTTL(t *testing.T) {
	store, clock := newUserStore(), newFakeClock()
	c := newTestCache(store, clock, verify.RevocationCacheOptions{})

	checkMany(t, c, 10000, 100, 50)
	if got := store.calls.Load(); got != 100 {
		t.Fatalf("10,000 checks of 100 uids made %d store calls, want 100 (one per uid)", got)
	}
	clock.Advance(testTTL - time.Nanosecond)
	checkMany(t, c, 10000, 100, 50)
	if got := store.calls.Load(); got != 100 {
		t.Fatalf("within the TTL: %d store calls in all, want still 100", got)
	}
	clock.Advance(time.Nanosecond)
	checkMany(t, c, 10000, 100, 50)
	if got := store.calls.Load(); got != 200 {
		t.Fatalf("one TTL later: %d store calls in all, want 200", got)
	}
}

// A revoked user is refused at most TTL after the store changed, through
// a Verifier as a service would use it.
func TestRevocationCacheStalenessIsBoundedByTTL(t *testing.T) {
	store, clock := newUserStore(), newFakeClock()
	c := newTestCache(store, clock, verify.RevocationCacheOptions{})
	signer := verifytest.NewSigner("cache-test", verifytest.WithClock(clock.Now))
	v, err := verify.New("cache-test", verify.WithKeySource(signer.KeySource()), verify.WithClock(clock.Now),
		verify.WithRevocationCheck(c.Check))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	token := signer.IDToken("alice")
	ctx := context.Background()
	if _, err := v.Verify(ctx, token); err != nil {
		t.Fatal(err)
	}

	clock.Advance(7 * time.Second) // the store changes partway through the kept answer's life
	revokedAt := clock.Now()
	store.set("alice", verify.UserStatus{ValidAfter: revokedAt})
	var refusedAt time.Time
	for range 100 {
		if _, err := v.Verify(ctx, token); err != nil {
			if !errors.Is(err, verify.ErrRevoked) {
				t.Fatalf("want ErrRevoked, got %v", err)
			}
			refusedAt = clock.Now()
			break
		}
		clock.Advance(time.Second)
	}
	if refusedAt.IsZero() {
		t.Fatal("the revoked token was still accepted 100 s after the revocation")
	}
	if late := refusedAt.Sub(revokedAt); late > testTTL {
		t.Errorf("refused %v after the revocation, want at most the TTL %v", late, testTTL)
	}
	if _, err := v.Verify(ctx, signer.IDToken("alice")); err != nil {
		t.Errorf("a token from a sign-in after the revocation: %v", err)
	}
}

func TestRevocationCacheInvalidateTakesEffectAtOnce(t *testing.T) {
	store, clock := newUserStore(), newFakeClock()
	c := newTestCache(store, clock, verify.RevocationCacheOptions{})
	ctx := context.Background()
	for _, uid := range []string{"a", "b", "c"} {
		if _, err := c.Check(ctx, uid); err != nil {
			t.Fatal(err)
		}
	}
	store.set("a", verify.UserStatus{Disabled: true})
	store.set("b", verify.UserStatus{Disabled: true})
	store.set("c", verify.UserStatus{Disabled: true})

	if st, _ := c.Check(ctx, "a"); st.Disabled {
		t.Fatal("the kept answer was not used before Invalidate")
	}
	c.Invalidate("a")
	if st, _ := c.Check(ctx, "a"); !st.Disabled {
		t.Error("after Invalidate(a), Check(a) still gives the old answer")
	}
	if st, _ := c.Check(ctx, "b"); st.Disabled {
		t.Error("Invalidate(a) dropped b's answer too")
	}
	c.InvalidateAll()
	for _, uid := range []string{"b", "c"} {
		if st, _ := c.Check(ctx, uid); !st.Disabled {
			t.Errorf("after InvalidateAll, Check(%s) still gives the old answer", uid)
		}
	}
}

// blockingCheck is a wrapped check whose calls wait to be released (or
// for their context), so that tests can act while a call is in flight.
// Calls are numbered from 1 in the order they start.
type blockingCheck struct {
	started chan string // gets the uid of each call as it starts
	answer  atomic.Pointer[verify.UserStatus]
	err     atomic.Pointer[error]
	calls   atomic.Int64

	mu    sync.Mutex
	gates map[int64]chan struct{}
	all   chan struct{} // closed by releaseAll
}

func newBlockingCheck() *blockingCheck {
	b := &blockingCheck{started: make(chan string, 16), gates: map[int64]chan struct{}{}, all: make(chan struct{})}
	b.answer.Store(&verify.UserStatus{})
	return b
}

func (b *blockingCheck) gate(n int64) chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.gates[n]
	if !ok {
		g = make(chan struct{})
		b.gates[n] = g
	}
	return g
}

// release lets call n return.
func (b *blockingCheck) release(n int64) { close(b.gate(n)) }

// releaseAll lets every call, present and future, return.
func (b *blockingCheck) releaseAll() { close(b.all) }

func (b *blockingCheck) Check(ctx context.Context, uid string) (verify.UserStatus, error) {
	n := b.calls.Add(1)
	st := *b.answer.Load() // read as the call starts, as a database would
	b.started <- uid
	select {
	case <-b.gate(n):
	case <-b.all:
	case <-ctx.Done():
		return verify.UserStatus{}, ctx.Err()
	}
	if e := b.err.Load(); e != nil {
		return verify.UserStatus{}, *e
	}
	return st, nil
}

// awaitStart waits up to five seconds for the next call to start.
func (b *blockingCheck) awaitStart(t *testing.T, what string) {
	t.Helper()
	select {
	case <-b.started:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// await waits up to five seconds for a result.
func await(t *testing.T, what string, r <-chan result) result {
	t.Helper()
	select {
	case res := <-r:
		return res
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		return result{}
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

type result struct {
	st  verify.UserStatus
	err error
}

func checkAsync(c *verify.RevocationCache, ctx context.Context, uid string) <-chan result {
	out := make(chan result, 1)
	go func() {
		st, err := c.Check(ctx, uid)
		out <- result{st, err}
	}()
	return out
}

func TestRevocationCacheSharesOneCallAmongConcurrentCallers(t *testing.T) {
	b := newBlockingCheck()
	c := verify.NewRevocationCache(b.Check, verify.RevocationCacheOptions{Now: newFakeClock().Now})
	ctx := context.Background()
	const callers = 20
	var results []<-chan result
	for range callers {
		results = append(results, checkAsync(c, ctx, "u"))
	}
	b.awaitStart(t, "the first call")
	waitFor(t, "every caller to join the call", func() bool { return verify.RevocationWaiters(c, "u") == callers-1 })
	b.releaseAll()
	for _, r := range results {
		if res := await(t, "a caller", r); res.err != nil {
			t.Fatal(res.err)
		}
	}
	if got := b.calls.Load(); got != 1 {
		t.Errorf("%d concurrent callers made %d calls, want 1", callers, got)
	}
}

func TestRevocationCacheSharesButDoesNotKeepErrors(t *testing.T) {
	b := newBlockingCheck()
	down := errors.New("database unreachable")
	b.err.Store(&down)
	c := verify.NewRevocationCache(b.Check, verify.RevocationCacheOptions{Now: newFakeClock().Now})
	ctx := context.Background()
	const callers = 10
	var results []<-chan result
	for range callers {
		results = append(results, checkAsync(c, ctx, "u"))
	}
	b.awaitStart(t, "the first call")
	waitFor(t, "every caller to join the failing call", func() bool { return verify.RevocationWaiters(c, "u") == callers-1 })
	b.releaseAll()
	for _, r := range results {
		if res := await(t, "a caller", r); !errors.Is(res.err, down) {
			t.Fatalf("a caller of the failing call got %v, want the store's error", res.err)
		}
	}
	if got := b.calls.Load(); got != 1 {
		t.Fatalf("%d callers of a failing store made %d calls, want 1 shared call", callers, got)
	}

	b.err.Store(nil)
	if _, err := c.Check(ctx, "u"); err != nil {
		t.Fatalf("the store is back, yet Check fails: %v (was the error kept?)", err)
	}
	if got := b.calls.Load(); got != 2 {
		t.Errorf("after the failure, %d calls in all, want 2: an error must not be kept", got)
	}
}

// Through a Verifier, a failing store refuses with ErrRevocationCheckFailed
// every time it fails, and the service recovers with the store.
func TestRevocationCacheFailingStoreFailsClosed(t *testing.T) {
	store, clock := newUserStore(), newFakeClock()
	c := newTestCache(store, clock, verify.RevocationCacheOptions{})
	signer := verifytest.NewSigner("cache-test", verifytest.WithClock(clock.Now))
	v, err := verify.New("cache-test", verify.WithKeySource(signer.KeySource()), verify.WithClock(clock.Now),
		verify.WithRevocationCheck(c.Check))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	store.setFailure(errors.New("connection refused"))
	for range 3 {
		_, err := v.Verify(context.Background(), signer.IDToken("bob"))
		if !errors.Is(err, verify.ErrRevocationCheckFailed) {
			t.Fatalf("store down: got %v, want ErrRevocationCheckFailed", err)
		}
	}
	if got := store.calls.Load(); got != 3 {
		t.Errorf("3 checks of a failing store made %d calls, want 3", got)
	}
	store.setFailure(nil)
	if _, err := v.Verify(context.Background(), signer.IDToken("bob")); err != nil {
		t.Errorf("store back: %v", err)
	}
}

// The generation race: an answer read before Invalidate and returned after
// it must not be kept, whichever call ends last; and callers after
// Invalidate make a call of their own instead of waiting for the old one.
func TestRevocationCacheInvalidateDuringCallDropsItsAnswer(t *testing.T) {
	for _, oldEndsLast := range []bool{true, false} {
		t.Run(fmt.Sprintf("old call ends last %v", oldEndsLast), func(t *testing.T) {
			b := newBlockingCheck()
			c := verify.NewRevocationCache(b.Check, verify.RevocationCacheOptions{Now: newFakeClock().Now})
			ctx := context.Background()

			old := checkAsync(c, ctx, "u") // call 1 reads the old status, then blocks
			b.awaitStart(t, "the first call")
			b.answer.Store(&verify.UserStatus{Disabled: true}) // the store changes...
			c.Invalidate("u")                                  // ...and the push comes while call 1 is in flight

			fresh := checkAsync(c, ctx, "u")
			b.awaitStart(t, "a call of its own for the caller after Invalidate")
			first, second, firstRes, secondRes := int64(2), int64(1), &fresh, &old
			if !oldEndsLast {
				first, second, firstRes, secondRes = 1, 2, &old, &fresh
			}
			b.release(first)
			r1 := await(t, "the call released first", *firstRes)
			b.release(second)
			r2 := await(t, "the call released second", *secondRes)
			oldRes, freshRes := r2, r1
			if !oldEndsLast {
				oldRes, freshRes = r1, r2
			}
			if oldRes.err != nil || oldRes.st.Disabled {
				t.Fatalf("the caller from before the change: %+v, want the old answer", oldRes)
			}
			if freshRes.err != nil || !freshRes.st.Disabled {
				t.Fatalf("the caller after Invalidate: %+v, want the new answer", freshRes)
			}
			b.releaseAll()
			st, err := c.Check(ctx, "u")
			if err != nil || !st.Disabled {
				t.Fatalf("after both calls: %+v, %v: the stale in-flight answer was kept", st, err)
			}
			if got := b.calls.Load(); got != 2 {
				t.Errorf("%d calls, want 2: the new answer should have been kept", got)
			}
		})
	}
}

// The same race with InvalidateAll.
func TestRevocationCacheInvalidateAllDuringCallDropsItsAnswer(t *testing.T) {
	b := newBlockingCheck()
	c := verify.NewRevocationCache(b.Check, verify.RevocationCacheOptions{Now: newFakeClock().Now})
	ctx := context.Background()
	old := checkAsync(c, ctx, "u")
	b.awaitStart(t, "the first call")
	b.answer.Store(&verify.UserStatus{Disabled: true})
	c.InvalidateAll()
	b.releaseAll()
	if r := await(t, "the old call", old); r.err != nil || r.st.Disabled {
		t.Fatalf("the caller from before the change: %+v", r)
	}
	if st, err := c.Check(ctx, "u"); err != nil || !st.Disabled {
		t.Fatalf("after InvalidateAll and the old call's end: %+v, %v: the stale answer was kept", st, err)
	}
}

// A caller whose context ends leaves without failing the others, whether
// it made the call or waited for it.
func TestRevocationCacheCancelledCallerDoesNotFailOthers(t *testing.T) {
	t.Run("the caller that made the call", func(t *testing.T) {
		b := newBlockingCheck()
		c := verify.NewRevocationCache(b.Check, verify.RevocationCacheOptions{Now: newFakeClock().Now})
		leaderCtx, cancel := context.WithCancel(context.Background())
		leader := checkAsync(c, leaderCtx, "u")
		b.awaitStart(t, "the first call")
		waiter := checkAsync(c, context.Background(), "u")
		waitFor(t, "the waiter to join", func() bool { return verify.RevocationWaiters(c, "u") == 1 })
		cancel()
		if r := await(t, "the cancelled caller", leader); !errors.Is(r.err, context.Canceled) {
			t.Fatalf("the cancelled caller: %v, want context.Canceled", r.err)
		}
		b.awaitStart(t, "the waiter to ask again on its own")
		b.releaseAll()
		if r := await(t, "the waiter", waiter); r.err != nil {
			t.Fatalf("the waiter inherited the cancellation: %v", r.err)
		}
		if got := b.calls.Load(); got != 2 {
			t.Errorf("%d calls, want 2", got)
		}
	})
	t.Run("a caller waiting for the call", func(t *testing.T) {
		b := newBlockingCheck()
		c := verify.NewRevocationCache(b.Check, verify.RevocationCacheOptions{Now: newFakeClock().Now})
		leader := checkAsync(c, context.Background(), "u")
		b.awaitStart(t, "the first call")
		waiterCtx, cancel := context.WithCancel(context.Background())
		waiter := checkAsync(c, waiterCtx, "u")
		waitFor(t, "the waiter to join", func() bool { return verify.RevocationWaiters(c, "u") == 1 })
		cancel()
		if r := await(t, "the cancelled waiter", waiter); !errors.Is(r.err, context.Canceled) {
			t.Fatalf("the cancelled waiter: %v, want context.Canceled", r.err)
		}
		b.releaseAll()
		if r := await(t, "the caller that made the call", leader); r.err != nil {
			t.Fatalf("the caller that made the call: %v", r.err)
		}
		if _, err := c.Check(context.Background(), "u"); err != nil || b.calls.Load() != 1 {
			t.Errorf("the answer was not kept: %v, %d calls", err, b.calls.Load())
		}
	})
}

func TestRevocationCacheIsBounded(t *testing.T) {
	store, clock := newUserStore(), newFakeClock()
	c := newTestCache(store, clock, verify.RevocationCacheOptions{MaxEntries: 10})
	ctx := context.Background()
	for i := range 1000 {
		if _, err := c.Check(ctx, "hot"); err != nil { // used between every other uid
			t.Fatal(err)
		}
		if _, err := c.Check(ctx, fmt.Sprintf("cold-%d", i)); err != nil {
			t.Fatal(err)
		}
		if n := c.Len(); n > 10 {
			t.Fatalf("%d answers kept, want at most MaxEntries 10", n)
		}
	}
	if got := store.calls.Load(); got != 1001 {
		t.Errorf("%d store calls, want 1001: the most recently used uid must stay kept", got)
	}
}

func TestRevocationCacheDefaults(t *testing.T) {
	store, clock := newUserStore(), newFakeClock()
	c := verify.NewRevocationCache(store.Check, verify.RevocationCacheOptions{Now: clock.Now})
	ctx := context.Background()
	for i := range verify.DefaultRevocationMaxEntries + 10 {
		if _, err := c.Check(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Len(); n != verify.DefaultRevocationMaxEntries {
		t.Errorf("zero MaxEntries kept %d answers, want %d", n, verify.DefaultRevocationMaxEntries)
	}
	calls := store.calls.Load()
	last := fmt.Sprint(verify.DefaultRevocationMaxEntries + 9)
	clock.Advance(verify.DefaultRevocationTTL - time.Second)
	_, _ = c.Check(ctx, last)
	if store.calls.Load() != calls {
		t.Errorf("zero TTL: the answer was not kept for %v", verify.DefaultRevocationTTL-time.Second)
	}
	clock.Advance(time.Second)
	_, _ = c.Check(ctx, last)
	if store.calls.Load() != calls+1 {
		t.Errorf("zero TTL: the answer was kept past %v", verify.DefaultRevocationTTL)
	}
}

func TestRevocationCacheNegativeTTLKeepsNothing(t *testing.T) {
	store, clock := newUserStore(), newFakeClock()
	c := newTestCache(store, clock, verify.RevocationCacheOptions{TTL: -1})
	for range 5 {
		if _, err := c.Check(context.Background(), "u"); err != nil {
			t.Fatal(err)
		}
	}
	if got := store.calls.Load(); got != 5 {
		t.Errorf("negative TTL: 5 checks made %d calls, want 5", got)
	}
	if c.Len() != 0 {
		t.Errorf("negative TTL kept %d answers", c.Len())
	}
}

func TestRevocationCacheNilCheckFailsClosed(t *testing.T) {
	c := verify.NewRevocationCache(nil, verify.RevocationCacheOptions{})
	signer := verifytest.NewSigner("cache-test")
	v, err := verify.New("cache-test", verify.WithKeySource(signer.KeySource()), verify.WithRevocationCheck(c.Check))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	_, err = v.Verify(context.Background(), signer.IDToken("u"))
	if !errors.Is(err, verify.ErrRevocationCheckFailed) {
		t.Errorf("nil check: got %v, want ErrRevocationCheckFailed", err)
	}
}

func TestRevocationCachePanickingCheckFreesWaiters(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	c := verify.NewRevocationCache(func(ctx context.Context, uid string) (verify.UserStatus, error) {
		if calls.Add(1) == 1 {
			<-release
			panic("store bug")
		}
		return verify.UserStatus{}, nil
	}, verify.RevocationCacheOptions{})
	panicked := make(chan any, 1)
	go func() {
		defer func() { panicked <- recover() }()
		_, _ = c.Check(context.Background(), "u")
	}()
	waitFor(t, "the first call", func() bool { return calls.Load() == 1 })
	waiter := checkAsync(c, context.Background(), "u")
	waitFor(t, "the waiter to join", func() bool { return verify.RevocationWaiters(c, "u") == 1 })
	close(release)
	select {
	case p := <-panicked:
		if p == nil {
			t.Fatal("the panic was swallowed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for the panic")
	}
	if r := await(t, "the waiter", waiter); r.err != nil {
		t.Fatalf("the waiter of a panicking call: %v, want a call of its own", r.err)
	}
}

// Many goroutines check, change and invalidate at once (run with -race).
// The invariant: once Invalidate(uid) has returned after a change, no
// Check that starts later sees an older answer.
func TestRevocationCacheConcurrentUse(t *testing.T) {
	const users, workers, opsPerWorker = 50, 32, 2000
	var versions [users]atomic.Int64  // the store: ValidAfter is version seconds
	var published [users]atomic.Int64 // the version every later Check must see at least
	check := func(_ context.Context, uid string) (verify.UserStatus, error) {
		var i int
		fmt.Sscan(uid, &i)
		return verify.UserStatus{ValidAfter: time.Unix(versions[i].Load(), 0)}, nil
	}
	clock := newFakeClock()
	c := verify.NewRevocationCache(check, verify.RevocationCacheOptions{TTL: time.Hour, MaxEntries: 20, Now: clock.Now})
	var wg sync.WaitGroup
	var failures atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for range opsPerWorker {
				i := rng.IntN(users)
				uid := fmt.Sprint(i)
				switch op := rng.IntN(100); {
				case op < 5: // a revocation: change the store, then push
					v := versions[i].Add(1)
					c.Invalidate(uid)
					for {
						p := published[i].Load()
						if p >= v || published[i].CompareAndSwap(p, v) {
							break
						}
					}
				case op < 6:
					c.InvalidateAll()
				case op < 8:
					clock.Advance(time.Minute)
				default:
					min := published[i].Load()
					st, err := c.Check(context.Background(), uid)
					if err != nil || st.ValidAfter.Unix() < min {
						failures.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := failures.Load(); n > 0 {
		t.Errorf("%d checks saw an answer older than an Invalidate that had returned", n)
	}
	if n := c.Len(); n > 20 {
		t.Errorf("%d answers kept, want at most 20", n)
	}
}

// BenchmarkRevocationCacheHit times a Check answered from memory, the cost
// a request pays instead of a query.
func BenchmarkRevocationCacheHit(b *testing.B) {
	store := newUserStore()
	c := verify.NewRevocationCache(store.Check, verify.RevocationCacheOptions{TTL: time.Hour})
	ctx := context.Background()
	if _, err := c.Check(ctx, "u"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Check(ctx, "u"); err != nil {
			b.Fatal(err)
		}
	}
}
