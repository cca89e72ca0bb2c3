package verify

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Defaults of RevocationCacheOptions.
const (
	// DefaultRevocationTTL is how long a RevocationCache keeps a user's
	// answer when RevocationCacheOptions.TTL is zero: a revoked session is
	// refused at most this long after the store changed, and one user costs
	// the store at most one call per this much time.
	DefaultRevocationTTL = 30 * time.Second
	// DefaultRevocationMaxEntries is how many users a RevocationCache keeps
	// when RevocationCacheOptions.MaxEntries is zero. An entry is well under
	// 200 bytes, so the default stays under 2 MB.
	DefaultRevocationMaxEntries = 10000
)

// errNilRevocationCheck is what Check returns when the cache wraps no check.
var errNilRevocationCheck = errors.New("verify: revocation cache: nil check")

// RevocationCacheOptions configures a RevocationCache.
type RevocationCacheOptions struct {
	// TTL is how long a user's answer is kept: the bound on how stale an
	// answer may be, counted from the moment the wrapped check was called.
	// If zero, DefaultRevocationTTL: a cache whose zero value keeps nothing
	// would surprise the caller who asked for a cache. If negative, no
	// answer is kept and the cache only makes concurrent checks of one uid
	// share one call, so no answer is ever stale.
	TTL time.Duration
	// MaxEntries bounds how many users' answers are kept; past it the least
	// recently used answer is dropped. If zero or negative,
	// DefaultRevocationMaxEntries. Calls in flight are not counted: there
	// are at most as many as there are concurrent callers.
	MaxEntries int
	// Now is the clock that judges TTL. If nil, time.Now.
	Now func() time.Time
}

// RevocationCache puts a bounded, time-limited memory in front of a
// RevocationCheck, so that a busy service asks its store about each user
// at most once per TTL instead of once per request. Its Check method is
// itself a RevocationCheck, for WithRevocationCheck.
//
// Only answers are kept: an error is handed to the callers who shared the
// failing call and then forgotten, so the next check asks the store
// again. Concurrent checks of one uid share one call of the wrapped check;
// a caller whose context ends stops waiting without failing the others.
// Invalidate and InvalidateAll drop answers at once, for a service told of
// a change (a revocation, a disabled account) by a push. The cache runs no
// goroutine of its own, so it needs no Close. It is safe for concurrent use.
type RevocationCache struct {
	check      RevocationCheck
	ttl        time.Duration // negative: keep nothing
	maxEntries int
	now        func() time.Time

	mu       sync.Mutex
	answers  map[string]*list.Element // of *revocationAnswer; front is most recently used
	lru      *list.List
	inFlight map[string]*revocationCall
}

// revocationAnswer is one kept answer.
type revocationAnswer struct {
	uid     string
	status  UserStatus
	expires time.Time // the moment the call was made, plus TTL
}

// revocationCall is one call of the wrapped check that other callers of
// the same uid wait for.
type revocationCall struct {
	done   chan struct{} // closed when status and err are set
	status UserStatus
	err    error
	// abandoned means the call failed because its caller's context ended:
	// the callers waiting for it should not inherit that, and ask again.
	abandoned bool
	waiters   int // callers that joined the call, counted under the cache's lock
}

// NewRevocationCache returns a RevocationCache in front of check. A nil
// check is not refused here, since the constructor returns no error; the
// cache then fails closed, every Check returning an error.
func NewRevocationCache(check RevocationCheck, opts RevocationCacheOptions) *RevocationCache {
	c := &RevocationCache{
		check:      check,
		ttl:        opts.TTL,
		maxEntries: opts.MaxEntries,
		now:        opts.Now,
		answers:    map[string]*list.Element{},
		lru:        list.New(),
		inFlight:   map[string]*revocationCall{},
	}
	if c.ttl == 0 {
		c.ttl = DefaultRevocationTTL
	}
	if c.maxEntries <= 0 {
		c.maxEntries = DefaultRevocationMaxEntries
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Check returns uid's status: the kept answer if it is younger than TTL,
// else the answer of the wrapped check, shared with every concurrent
// caller asking about uid. It is a RevocationCheck. It returns an error
// when the wrapped check fails or ctx ends first.
func (c *RevocationCache) Check(ctx context.Context, uid string) (UserStatus, error) {
	if c.check == nil {
		return UserStatus{}, errNilRevocationCheck
	}
	for {
		c.mu.Lock()
		if st, ok := c.keptLocked(uid); ok {
			c.mu.Unlock()
			return st, nil
		}
		if call, ok := c.inFlight[uid]; ok {
			call.waiters++
			c.mu.Unlock()
			select {
			case <-call.done:
			case <-ctx.Done():
				return UserStatus{}, fmt.Errorf("verify: revocation cache: gave up waiting for uid %q: %w", uid, ctx.Err())
			}
			if call.abandoned {
				continue // its caller left; ask again, perhaps as the caller
			}
			return call.status, call.err
		}
		call := &revocationCall{done: make(chan struct{})}
		c.inFlight[uid] = call
		c.mu.Unlock()
		return c.call(ctx, uid, call)
	}
}

// keptLocked returns uid's kept answer if it is still fresh, dropping it
// if it is not. c.mu is held.
func (c *RevocationCache) keptLocked(uid string) (UserStatus, bool) {
	el, ok := c.answers[uid]
	if !ok {
		return UserStatus{}, false
	}
	a := el.Value.(*revocationAnswer)
	if !c.now().Before(a.expires) {
		c.dropLocked(el)
		return UserStatus{}, false
	}
	c.lru.MoveToFront(el)
	return a.status, true
}

// call runs the wrapped check for uid on behalf of everyone waiting for
// call, and keeps its answer unless uid was invalidated meanwhile.
func (c *RevocationCache) call(ctx context.Context, uid string, call *revocationCall) (st UserStatus, err error) {
	started := c.now()
	finished := false
	defer func() {
		if !finished { // the check panicked: free the waiters, then go on panicking
			call.err = fmt.Errorf("verify: revocation cache: check of uid %q panicked", uid)
			call.abandoned = true
		}
		c.mu.Lock()
		// A call is current only while inFlight still points at it:
		// Invalidate and InvalidateAll detach it, because its answer may
		// predate the change they announce, and then it must not be kept.
		if c.inFlight[uid] == call {
			delete(c.inFlight, uid)
			if call.err == nil && c.ttl > 0 {
				c.keepLocked(uid, call.status, started.Add(c.ttl))
			}
		}
		c.mu.Unlock()
		close(call.done)
	}()
	call.status, call.err = c.check(ctx, uid)
	if call.err != nil && ctx.Err() != nil {
		call.abandoned = true
	}
	finished = true
	return call.status, call.err
}

// keepLocked stores an answer, dropping the least recently used ones past
// the bound. c.mu is held.
func (c *RevocationCache) keepLocked(uid string, st UserStatus, expires time.Time) {
	if el, ok := c.answers[uid]; ok {
		c.dropLocked(el)
	}
	c.answers[uid] = c.lru.PushFront(&revocationAnswer{uid: uid, status: st, expires: expires})
	for c.lru.Len() > c.maxEntries {
		c.dropLocked(c.lru.Back())
	}
}

func (c *RevocationCache) dropLocked(el *list.Element) {
	delete(c.answers, el.Value.(*revocationAnswer).uid)
	c.lru.Remove(el)
}

// Invalidate forgets uid's answer, so that the next Check asks the store.
// A call in flight for uid when Invalidate is called still answers the
// callers already waiting for it, but its answer is not kept, and callers
// that come after Invalidate do not wait for it: they make a new call.
func (c *RevocationCache) Invalidate(uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.answers[uid]; ok {
		c.dropLocked(el)
	}
	delete(c.inFlight, uid)
}

// InvalidateAll forgets every answer, as Invalidate does for one uid. A
// service calls it when it may have missed pushes, such as after its
// listener reconnects.
func (c *RevocationCache) InvalidateAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.answers)
	c.lru.Init()
	clear(c.inFlight)
}

// Len returns how many users' answers are kept, fresh or not yet dropped.
func (c *RevocationCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
