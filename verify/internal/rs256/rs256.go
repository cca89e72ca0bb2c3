// Package rs256 verifies RSASSA-PKCS1-v1_5 signatures over SHA-256 digests
// (JWS "RS256") against public keys prepared once and then reused.
//
// crypto/rsa.VerifyPKCS1v15 takes a *rsa.PublicKey and, on every call,
// rebuilds the Montgomery constants of its modulus (a reduction of 2^(2k)
// mod n that costs about a third of a 2048-bit verification). A verifier
// sees the same few keys millions of times, so this package builds that
// state once per key (a Key) and keeps the prepared keys in a small
// lock-free cache (Keys). The arithmetic is filippo.io/bigmod, the
// standard library's own constant-time bigmod package re-exported; nothing
// here does modular arithmetic itself.
//
// The check is the one crypto/rsa makes: the signature must be exactly as
// long as the modulus and below it, s^e mod n is computed, and the whole
// result is compared with the one encoding PKCS #1 v1.5 allows for the
// digest, 00 01 FF..FF 00 || DigestInfo(SHA-256) || digest. Nothing is
// parsed out of the recovered value. Keys that crypto/rsa refuses are
// refused too.
//
// When crypto/fips140.Enabled reports true, Keys.Verify hands every call to
// crypto/rsa, so a FIPS 140-3 user gets the validated module.
package rs256

import (
	"crypto"
	"crypto/fips140"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"

	"filippo.io/bigmod"
)

// Errors. Verification failures wrap ErrVerification; keys refused by
// NewKey wrap ErrBadKey.
var (
	// ErrVerification: the signature does not verify with the key.
	ErrVerification = errors.New("rs256: verification error")
	// ErrBadKey: the key is one that crypto/rsa would refuse.
	ErrBadKey = errors.New("rs256: unusable public key")
)

// Limits on the keys NewKey accepts, the same as crypto/rsa's by default.
const (
	// MinKeyBits is crypto/rsa's smallest accepted modulus.
	MinKeyBits = 1024
	// MaxExponent is crypto/rsa's largest accepted public exponent.
	MaxExponent = 1<<31 - 1
)

// digestInfoSHA256 is the DER encoding of the DigestInfo that precedes a
// SHA-256 digest in a PKCS #1 v1.5 signature (RFC 8017, section 9.2,
// note 1).
var digestInfoSHA256 = []byte{
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
}

// Key is an RSA public key prepared for RS256 verification. It is
// immutable and safe for concurrent use.
type Key struct {
	pub *rsa.PublicKey
	// n is the modulus with its Montgomery constants, built once.
	n *bigmod.Modulus
	e uint
	// prefix is the expected encoding up to the digest:
	// 00 01 FF..FF 00 || DigestInfo, n.Size()-32 bytes.
	prefix []byte
	// words and exp are copies of pub.N's words and pub.E when the Key was
	// made, so a cache can tell that a *rsa.PublicKey was changed in place.
	words []big.Word
	exp   int
}

// NewKey prepares pub. It refuses what crypto/rsa refuses (no modulus, an
// even modulus, fewer than MinKeyBits bits, an exponent below 2, even, or
// above MaxExponent) and two things crypto/rsa lets through: a modulus
// that is not positive (crypto/rsa uses its absolute value) and, under
// GODEBUG=rsa1024min=0, a modulus below MinKeyBits.
func NewKey(pub *rsa.PublicKey) (*Key, error) {
	if err := checkPublicKey(pub); err != nil {
		return nil, err
	}
	n, err := bigmod.NewModulus(pub.N.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	k := n.Size()
	// k >= 128 here, far above the 11 bytes of padding and the 51 of
	// DigestInfo and digest that an encoding needs.
	prefix := make([]byte, k-sha256.Size)
	prefix[1] = 0x01
	ps := prefix[2 : len(prefix)-len(digestInfoSHA256)-1]
	for i := range ps {
		ps[i] = 0xff
	}
	copy(prefix[len(prefix)-len(digestInfoSHA256):], digestInfoSHA256)
	return &Key{
		pub:    pub,
		n:      n,
		e:      uint(pub.E),
		prefix: prefix,
		words:  append([]big.Word(nil), pub.N.Bits()...),
		exp:    pub.E,
	}, nil
}

func checkPublicKey(pub *rsa.PublicKey) error {
	switch {
	case pub == nil || pub.N == nil:
		return fmt.Errorf("%w: no modulus", ErrBadKey)
	case pub.N.Sign() <= 0:
		return fmt.Errorf("%w: the modulus is not positive", ErrBadKey)
	case pub.N.Bit(0) == 0:
		return fmt.Errorf("%w: the modulus is even", ErrBadKey)
	case pub.N.BitLen() < MinKeyBits:
		return fmt.Errorf("%w: %d-bit modulus, want at least %d", ErrBadKey, pub.N.BitLen(), MinKeyBits)
	case pub.E < 2 || pub.E > MaxExponent:
		return fmt.Errorf("%w: public exponent %d, want 3 to %d", ErrBadKey, pub.E, MaxExponent)
	case pub.E%2 == 0:
		return fmt.Errorf("%w: public exponent %d is even", ErrBadKey, pub.E)
	}
	return nil
}

// Verify reports whether sig is a valid RSASSA-PKCS1-v1_5 signature of
// digest, a SHA-256 hash, returning nil or an error wrapping
// ErrVerification.
func (k *Key) Verify(digest *[sha256.Size]byte, sig []byte) error {
	if len(sig) != k.n.Size() {
		return fmt.Errorf("%w: %d-byte signature for a %d-byte modulus", ErrVerification, len(sig), k.n.Size())
	}
	s, err := bigmod.NewNat().SetBytes(sig, k.n)
	if err != nil {
		return fmt.Errorf("%w: the signature is not below the modulus", ErrVerification)
	}
	em := bigmod.NewNat().ExpShortVarTime(s, k.e, k.n).Bytes(k.n)
	split := len(k.prefix)
	if subtle.ConstantTimeCompare(em[:split], k.prefix)&subtle.ConstantTimeCompare(em[split:], digest[:]) != 1 {
		return ErrVerification
	}
	return nil
}

// unchanged reports whether pub still has the modulus and exponent k was
// made from.
func (k *Key) unchanged(pub *rsa.PublicKey) bool {
	if pub.E != k.exp || pub.N == nil {
		return false
	}
	words := pub.N.Bits()
	if len(words) != len(k.words) || pub.N.Sign() <= 0 {
		return false
	}
	for i, w := range words {
		if w != k.words[i] {
			return false
		}
	}
	return true
}

// verifyStdlib is the check Key.Verify replaces: crypto/rsa's
// VerifyPKCS1v15 with SHA-256. Keys.Verify uses it in FIPS 140-3 mode.
func verifyStdlib(pub *rsa.PublicKey, digest *[sha256.Size]byte, sig []byte) error {
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return fmt.Errorf("%w: %v", ErrVerification, err)
	}
	return nil
}

// fipsMode reports whether every verification must go to crypto/rsa.
func fipsMode() bool { return fips140.Enabled() }
