package verify

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
