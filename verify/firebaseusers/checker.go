package firebaseusers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fbverify/fbverify/verify"
)

// ErrStale is what a check returns, wrapped, while its knowledge of
// Firebase is older than the staleness bound its caller set: the Verifier
// refuses the token with verify.ErrRevocationCheckFailed (503 at its
// middleware) rather than trust an answer that may predate a revocation.
var ErrStale = errors.New("firebaseusers: revocation state is stale")

// StaleEvent says that a check became stale or fresh again.
type StaleEvent struct {
	// Stale is true when the check starts refusing every token, false
	// when it answers again.
	Stale bool
	// LastSuccess is the last successful lookup or sync; zero if none.
	LastSuccess time.Time
	// Err is the failure that made the check stale; nil when fresh.
	Err error
}

// LookupEvent reports one accounts:lookup call of a Checker.
type LookupEvent struct {
	// Duration is how long the call took.
	Duration time.Duration
	// Err is the call's error: nil for a found user, one wrapping
	// ErrUserNotFound for a user Firebase does not have.
	Err error
}

// CheckerOptions configures a Checker. Every field is optional.
type CheckerOptions struct {
	// TTL is how long a user's answer is kept: a revocation or a disable
	// made in Firebase is seen at most this long after it, and each active
	// user costs one call per TTL. If zero, verify.DefaultRevocationTTL.
	// If negative, nothing is kept: one call per token checked, as the
	// Admin SDKs' VerifyIDTokenAndCheckRevoked.
	TTL time.Duration
	// MaxEntries bounds how many users' answers are kept. If zero,
	// verify.DefaultRevocationMaxEntries.
	MaxEntries int
	// MaxStaleness bounds how long the Checker trusts what it knows
	// without hearing from Firebase: once the last successful lookup is
	// older than this, the kept answers are dropped and the next checks
	// ask Firebase; while those lookups fail, every token is refused with
	// ErrStale, until one succeeds. If zero, the TTL (kept answers then
	// expire on their own first). A smaller value refuses sooner when
	// Firebase stops answering, and costs a quiet service at most one more
	// lookup per MaxStaleness.
	MaxStaleness time.Duration
	// Now is the clock of the TTL and the staleness bound. If nil,
	// time.Now.
	Now func() time.Time
	// OnLookup, if set, is called after each accounts:lookup call, on the
	// goroutine of the check: keep it quick.
	OnLookup func(LookupEvent)
	// OnStale, if set, is called when the Checker becomes stale and when
	// it is fresh again.
	OnStale func(StaleEvent)
}

// Checker is the per-user mode: a verify.RevocationCheck that asks
// Firebase (accounts:lookup) for a user's validSince and disabled at most
// once per TTL, through a verify.RevocationCache, so that concurrent
// checks of one uid share one call. A user Firebase does not have (a
// deleted account) is answered as disabled: fail closed.
type Checker struct {
	client   *Client
	cache    *verify.RevocationCache
	maxStale time.Duration
	now      func() time.Time
	onLookup func(LookupEvent)
	onStale  func(StaleEvent)

	mu          sync.Mutex
	lastSuccess time.Time
	failing     error // the last lookup's failure; nil after a success
	dropped     bool  // kept answers were dropped since the last success
	stale       bool
}

// NewChecker returns a Checker that looks users up through client.
func NewChecker(client *Client, opts CheckerOptions) (*Checker, error) {
	if client == nil {
		return nil, errors.New("firebaseusers: nil client")
	}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = verify.DefaultRevocationTTL
	}
	c := &Checker{client: client, maxStale: opts.MaxStaleness, now: opts.Now,
		onLookup: opts.OnLookup, onStale: opts.OnStale}
	if c.maxStale < 0 {
		return nil, fmt.Errorf("firebaseusers: negative staleness bound %v", c.maxStale)
	}
	if c.maxStale == 0 {
		c.maxStale = max(ttl, 0)
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.lastSuccess = c.now()
	c.cache = verify.NewRevocationCache(c.lookup, verify.RevocationCacheOptions{
		TTL: ttl, MaxEntries: opts.MaxEntries, Now: c.now,
	})
	return c, nil
}

// Check returns uid's status: a kept answer younger than the TTL, or
// Firebase's. It is a verify.RevocationCheck. It returns an error, and
// the Verifier refuses the token with verify.ErrRevocationCheckFailed,
// when Firebase cannot be asked or the Checker is stale.
//
// While stale, each check still asks Firebase (concurrent checks of one
// uid sharing one call), so that the first answer ends the staleness.
func (c *Checker) Check(ctx context.Context, uid string) (verify.UserStatus, error) {
	_ = c.staleness() // past the bound, the kept answers go first
	st, err := c.cache.Check(ctx, uid)
	if serr := c.staleness(); serr != nil {
		return verify.UserStatus{}, serr
	}
	return st, err
}

// lookup is the check the cache wraps: one accounts:lookup call.
func (c *Checker) lookup(ctx context.Context, uid string) (verify.UserStatus, error) {
	start := time.Now()
	u, err := c.client.Lookup(ctx, uid)
	if c.onLookup != nil {
		c.onLookup(LookupEvent{Duration: time.Since(start), Err: err})
	}
	switch {
	case err == nil:
		c.succeeded()
		return verify.UserStatus{Disabled: u.Disabled, ValidAfter: u.ValidSince}, nil
	case errors.Is(err, ErrUserNotFound):
		// Firebase answered: the account is gone, and its tokens with it.
		c.succeeded()
		return verify.UserStatus{Disabled: true}, nil
	case ctx.Err() != nil:
		// The caller gave up; that says nothing about Firebase.
		return verify.UserStatus{}, err
	}
	c.failed(err)
	return verify.UserStatus{}, err
}

func (c *Checker) succeeded() {
	c.mu.Lock()
	c.lastSuccess, c.failing, c.dropped = c.now(), nil, false
	recovered := c.stale
	c.stale = false
	last := c.lastSuccess
	c.mu.Unlock()
	if recovered && c.onStale != nil {
		c.onStale(StaleEvent{Stale: false, LastSuccess: last})
	}
}

func (c *Checker) failed(err error) {
	c.mu.Lock()
	c.failing = err
	c.mu.Unlock()
}

// staleness applies the bound. Once the last success is older than the
// bound, every kept answer is too: they are dropped (once), so that the
// next checks ask Firebase. If those lookups fail, the Checker is stale
// and staleness returns an error wrapping ErrStale until one succeeds.
func (c *Checker) staleness() error {
	c.mu.Lock()
	age := c.now().Sub(c.lastSuccess)
	if age <= c.maxStale {
		c.mu.Unlock()
		return nil
	}
	drop := !c.dropped
	c.dropped = true
	failing := c.failing
	became := failing != nil && !c.stale
	c.stale = failing != nil
	last := c.lastSuccess
	c.mu.Unlock()
	if drop {
		c.cache.InvalidateAll()
	}
	if failing == nil {
		return nil // not known to fail: let the next lookup tell
	}
	err := fmt.Errorf("%w: no successful lookup for %v (bound %v): %w", ErrStale, age.Round(time.Millisecond), c.maxStale, failing)
	if became && c.onStale != nil {
		c.onStale(StaleEvent{Stale: true, LastSuccess: last, Err: err})
	}
	return err
}

// Stale reports whether the Checker refuses every token for staleness,
// for a health check or a gauge.
func (c *Checker) Stale() bool { return c.staleness() != nil }

// LastSuccess returns when a lookup last succeeded (or when the Checker
// was made, before any).
func (c *Checker) LastSuccess() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastSuccess
}

// Invalidate forgets uid's kept answer, for a service told of a change.
func (c *Checker) Invalidate(uid string) { c.cache.Invalidate(uid) }
