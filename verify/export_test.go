package verify

// CacheLen counts the tokens in v's cache, for tests.
func CacheLen(v *Verifier) int {
	if v.cache == nil {
		return 0
	}
	return v.cache.len()
}

// RevocationWaiters counts the callers waiting for the call in flight for
// uid, for tests that must know every caller has joined it.
func RevocationWaiters(c *RevocationCache, uid string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if call, ok := c.inFlight[uid]; ok {
		return call.waiters
	}
	return 0
}
