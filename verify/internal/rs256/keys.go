package rs256

import (
	"crypto/rsa"
	"crypto/sha256"
	"sync/atomic"
)

// CacheSize bounds the prepared keys a Keys holds. Google publishes two or
// three keys at a time and a refetched key set brings new *rsa.PublicKey
// values, so a few rotations' worth fit; the oldest entries go first.
const CacheSize = 16

// Keys is a bounded cache of prepared keys by the *rsa.PublicKey they were
// made from, for key sources that hand out the same pointer for a key
// until they replace it (as jwks.Static and jwks.Remote do). Any key
// source works: a pointer not seen before, or a key whose modulus or
// exponent changed in place, is prepared again.
//
// A lookup that hits takes no lock and allocates nothing; a miss prepares
// the key and swaps in a new list. The zero value is an empty cache, safe
// for concurrent use.
type Keys struct {
	list atomic.Pointer[[]*Key] // newest first, at most CacheSize
}

// Key returns the prepared form of pub, preparing and caching it on a miss.
// It returns an error wrapping ErrBadKey for a key NewKey refuses; such
// keys are not cached.
func (c *Keys) Key(pub *rsa.PublicKey) (*Key, error) {
	if list := c.list.Load(); list != nil {
		for _, k := range *list {
			if k.pub == pub {
				if k.unchanged(pub) {
					return k, nil
				}
				break
			}
		}
	}
	k, err := NewKey(pub)
	if err != nil {
		return nil, err
	}
	c.add(k)
	return k, nil
}

// add puts k first, dropping any older entry for the same pointer and the
// entries beyond CacheSize.
func (c *Keys) add(k *Key) {
	for {
		old := c.list.Load()
		next := make([]*Key, 1, CacheSize)
		next[0] = k
		if old != nil {
			for _, o := range *old {
				if o.pub != k.pub && len(next) < CacheSize {
					next = append(next, o)
				}
			}
		}
		if c.list.CompareAndSwap(old, &next) {
			return
		}
	}
}

// Len counts the cached keys.
func (c *Keys) Len() int {
	if list := c.list.Load(); list != nil {
		return len(*list)
	}
	return 0
}

// Verify reports whether sig is a valid RSASSA-PKCS1-v1_5 signature of the
// SHA-256 digest under pub, returning nil or an error wrapping
// ErrVerification or ErrBadKey. It gives the verdict of
// crypto/rsa.VerifyPKCS1v15, and in FIPS 140-3 mode it is that function.
func (c *Keys) Verify(pub *rsa.PublicKey, digest *[sha256.Size]byte, sig []byte) error {
	if fipsMode() {
		return verifyStdlib(pub, digest, sig)
	}
	k, err := c.Key(pub)
	if err != nil {
		return err
	}
	return k.Verify(digest, sig)
}
