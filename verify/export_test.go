package verify

// CacheLen counts the tokens in v's cache, for tests.
func CacheLen(v *Verifier) int {
	if v.cache == nil {
		return 0
	}
	return v.cache.len()
}
