package verify

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/claims"
)

// MaxCacheSize is the largest size WithCache accepts.
const MaxCacheSize = 1 << 20

// WithCache makes the Verifier remember up to n tokens that passed every
// check, keyed by the exact token string, so that a token presented again
// skips the parsing and the RSA signature. A hit still applies every claim
// rule with the Verifier's clock (so a cached token stops being served the
// moment it expires, or if its tenant is no longer accepted) and still calls
// the revocation check; a token that failed is never cached. When full, the
// cache evicts with the CLOCK algorithm (recently hit tokens stay); it
// keeps no goroutine. n must be between 1 and MaxCacheSize.
//
// A cached token stays valid until exp even if its signing key is retired
// meanwhile, as with any cache of verified tokens. Memory is bounded by n
// times the token size limit (WithMaxTokenBytes) plus the decoded claims.
// The Token returned on a hit is a copy of the cached one, so changing it
// cannot change what later hits return.
func WithCache(n int) Option {
	return verifierOption(func(s *settings) error {
		if n < 1 || n > MaxCacheSize {
			return fmt.Errorf("verify: cache size %d out of range [1, %d]", n, MaxCacheSize)
		}
		s.cacheSize = n
		return nil
	})
}

// tokenCache maps token strings to their verified claims. Lookups are
// lock-free (a sync.Map and an atomic reference bit); insertions, which
// follow a full verification, take a mutex to run the CLOCK hand.
type tokenCache struct {
	entries sync.Map // token string → *cacheEntry

	mu   sync.Mutex
	ring []*cacheEntry // every entry in entries is in ring
	hand int
	size int
}

type cacheEntry struct {
	token string
	tok   *claims.Token
	ref   atomic.Bool // hit since the hand last passed
}

func newTokenCache(n int) *tokenCache {
	return &tokenCache{ring: make([]*cacheEntry, 0, min(n, 1024)), size: n}
}

// get returns the cached entry for token, marking it recently used.
func (c *tokenCache) get(token string) (*cacheEntry, bool) {
	v, ok := c.entries.Load(token)
	if !ok {
		return nil, false
	}
	e := v.(*cacheEntry)
	if !e.ref.Load() {
		e.ref.Store(true)
	}
	return e, true
}

// put caches tok, which just passed every check, under token.
func (c *tokenCache) put(token string, tok *claims.Token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries.Load(token); ok {
		return
	}
	e := &cacheEntry{token: token, tok: tok}
	if len(c.ring) < c.size {
		c.ring = append(c.ring, e)
	} else {
		// CLOCK: skip (and clear) entries hit since the last pass; after
		// two full turns evict where the hand stands, so a storm of hits
		// cannot stall an insertion.
		for i := 0; i < 2*c.size; i++ {
			old := c.ring[c.hand]
			if !old.ref.Load() {
				break
			}
			old.ref.Store(false)
			c.hand = (c.hand + 1) % c.size
		}
		old := c.ring[c.hand]
		c.entries.CompareAndDelete(old.token, old)
		c.ring[c.hand] = e
		c.hand = (c.hand + 1) % c.size
	}
	c.entries.Store(token, e)
}

// remove forgets e, which failed its re-check. Its ring slot is reused
// when the hand reaches it.
func (c *tokenCache) remove(e *cacheEntry) {
	c.entries.CompareAndDelete(e.token, e)
}

// len counts the cached tokens.
func (c *tokenCache) len() int {
	n := 0
	c.entries.Range(func(any, any) bool { n++; return true })
	return n
}

// verifyCached serves a hit: the claim rules again at the current time,
// then the revocation check, and a copy of the cached Token.
func (v *Verifier) verifyCached(ctx context.Context, e *cacheEntry) (*claims.Token, error) {
	if err := claimcheck.Validate(e.tok, v.expected, v.now()); err != nil {
		v.cache.remove(e)
		return nil, err
	}
	if err := v.checkRevocation(ctx, e.tok); err != nil {
		return nil, err
	}
	tok := *e.tok
	return &tok, nil
}
