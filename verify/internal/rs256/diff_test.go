package rs256

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"sync"
	"testing"
)

// The tests here hold Keys.Verify and Key.Verify to crypto/rsa's verdict:
// every input is checked by both, and any difference is a failure.

// testKey is a key pair the tests sign with; priv.D is what the
// fuzz target and the forgery tests raise encodings to.
type testKey struct {
	name string
	priv *rsa.PrivateKey
}

var (
	keysOnce sync.Once
	keyList  []testKey
	keysErr  error
)

// freshKeys makes every test key anew instead of reading the larger ones
// from testdata; their generation takes seconds to minutes on a busy
// machine, so it is not the default.
var freshKeys = flag.Bool("fresh-keys", false, "generate the 3072- and 4096-bit test keys instead of reading testdata/keys.pem")

// testKeys returns, once per test binary, keys of 2048, 3072 and 4096 bits
// with e = 65537 and of 2048 and 3072 bits with e = 3. The 2048-bit keys
// are generated on every run; the others come from testdata/keys.pem
// (random keys made once by go test -run TestWriteKeyFixtures -fresh-keys
// -write-keys), or are generated too with -fresh-keys. The fuzz target
// reads its 2048-bit keys from that file as well (see fuzzKeys).
func testKeys(t testing.TB) []testKey {
	t.Helper()
	keysOnce.Do(func() { keyList, keysErr = makeTestKeys() })
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keyList
}

func makeTestKeys() ([]testKey, error) {
	var fixtures map[string]*rsa.PrivateKey
	if !*freshKeys {
		var err error
		if fixtures, err = readKeyFixtures(keyFixtures); err != nil {
			return nil, err
		}
	}
	var list []testKey
	for _, spec := range []struct {
		bits, e int
	}{{2048, 65537}, {3072, 65537}, {4096, 65537}, {2048, 3}, {3072, 3}} {
		name := fmt.Sprintf("%d-bit e=%d", spec.bits, spec.e)
		priv := fixtures[name]
		if spec.bits == 2048 || priv == nil {
			var err error
			if spec.e == 65537 {
				priv, err = rsa.GenerateKey(rand.Reader, spec.bits)
			} else {
				priv, err = generateSmallExponentKey(spec.bits, spec.e)
			}
			if err != nil {
				return nil, err
			}
		}
		if priv.N.BitLen() != spec.bits || priv.E != spec.e {
			return nil, fmt.Errorf("key %s has %d bits and e=%d", name, priv.N.BitLen(), priv.E)
		}
		list = append(list, testKey{name, priv})
	}
	return list, nil
}

// generateSmallExponentKey builds an RSA key with public exponent e from
// two primes, as rsa.GenerateKey only makes e = 65537.
func generateSmallExponentKey(bits, e int) (*rsa.PrivateKey, error) {
	bigE := big.NewInt(int64(e))
	one := big.NewInt(1)
	for {
		p, err := rand.Prime(rand.Reader, bits/2)
		if err != nil {
			return nil, err
		}
		q, err := rand.Prime(rand.Reader, bits-bits/2)
		if err != nil {
			return nil, err
		}
		n := new(big.Int).Mul(p, q)
		if p.Cmp(q) == 0 || n.BitLen() != bits {
			continue
		}
		pm1, qm1 := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
		phi := new(big.Int).Mul(pm1, qm1)
		d := new(big.Int).ModInverse(bigE, phi)
		if d == nil {
			continue // e divides p-1 or q-1
		}
		priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: e}, D: d, Primes: []*big.Int{p, q}}
		priv.Precompute()
		if err := priv.Validate(); err != nil {
			return nil, err
		}
		return priv, nil
	}
}

// checker compares one key's verdicts with crypto/rsa's.
type checker struct {
	t        *testing.T
	pub      *rsa.PublicKey
	keys     *Keys
	checked  int
	accepted int
}

// check verifies sig over digest both ways, fails the test if the verdicts
// differ, and returns crypto/rsa's verdict.
func (c *checker) check(what string, digest [sha256.Size]byte, sig []byte) bool {
	c.t.Helper()
	want := rsa.VerifyPKCS1v15(c.pub, crypto.SHA256, digest[:], sig) == nil
	got := c.keys.Verify(c.pub, &digest, sig) == nil
	c.checked++
	if got {
		c.accepted++
	}
	if got != want {
		c.t.Errorf("%s: rs256 says valid=%v, crypto/rsa says valid=%v (%d-byte signature)", what, got, want, len(sig))
	}
	return want
}

func sign(t testing.TB, priv *rsa.PrivateKey, h crypto.Hash, digest []byte) []byte {
	t.Helper()
	sig, err := rsa.SignPKCS1v15(nil, priv, h, digest)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// fixedLength writes x big-endian into k bytes.
func fixedLength(x *big.Int, k int) []byte {
	return x.FillBytes(make([]byte, k))
}

func TestMatchesCryptoRSA(t *testing.T) {
	for _, tk := range testKeys(t) {
		t.Run(tk.name, func(t *testing.T) {
			pub := &tk.priv.PublicKey
			k := pub.Size()
			c := &checker{t: t, pub: pub, keys: new(Keys)}
			msg := []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9")
			digest := sha256.Sum256(msg)
			sig := sign(t, tk.priv, crypto.SHA256, digest[:])

			if !c.check("valid signature", digest, sig) {
				t.Fatal("crypto/rsa refused a valid signature")
			}
			for bit := 0; bit < 8*k; bit++ {
				flipped := bytes.Clone(sig)
				flipped[bit/8] ^= 1 << (bit % 8)
				if c.check(fmt.Sprintf("signature bit %d flipped", bit), digest, flipped) {
					t.Fatalf("signature bit %d flipped: accepted", bit)
				}
			}
			for bit := 0; bit < 8*sha256.Size; bit++ {
				d := digest
				d[bit/8] ^= 1 << (bit % 8)
				c.check(fmt.Sprintf("digest bit %d flipped", bit), d, sig)
			}

			other := sha256.Sum256([]byte("another message"))
			c.check("signature of another message", digest, sign(t, tk.priv, crypto.SHA256, other[:]))
			c.check("another message's digest", other, sig)
			sum1 := sha1.Sum(msg)
			sum384 := sha512.Sum384(msg)
			sum512 := sha512.Sum512(msg)
			sum224 := sha256.Sum224(msg)
			for _, o := range []struct {
				h      crypto.Hash
				digest []byte
			}{{crypto.SHA1, sum1[:]}, {crypto.SHA224, sum224[:]}, {crypto.SHA384, sum384[:]}, {crypto.SHA512, sum512[:]}} {
				c.check("signature made with "+o.h.String(), digest, sign(t, tk.priv, o.h, o.digest))
			}
			// An unprefixed signature of the bare digest (crypto.Hash(0)).
			c.check("signature without DigestInfo", digest, sign(t, tk.priv, crypto.Hash(0), digest[:]))

			n := pub.N
			s := new(big.Int).SetBytes(sig)
			one := big.NewInt(1)
			values := map[string]*big.Int{
				"s = 0":      new(big.Int),
				"s = 1":      big.NewInt(1),
				"s = 2":      big.NewInt(2),
				"s = n-1":    new(big.Int).Sub(n, one),
				"s = n":      new(big.Int).Set(n),
				"s = n+1":    new(big.Int).Add(n, one),
				"s = 2^8k-1": new(big.Int).Sub(new(big.Int).Lsh(one, uint(8*k)), one),
			}
			if sn := new(big.Int).Add(s, n); sn.BitLen() <= 8*k {
				values["s + n"] = sn
			}
			for what, v := range values {
				if c.check(what, digest, fixedLength(v, k)) {
					t.Fatalf("%s: accepted", what)
				}
			}

			lengths := map[string][]byte{
				"empty":              {},
				"nil":                nil,
				"one byte":           {1},
				"last byte cut":      sig[:k-1],
				"first byte cut":     sig[1:],
				"leading zero added": append([]byte{0}, sig...),
				"zero appended":      append(bytes.Clone(sig), 0),
				"twice as long":      append(bytes.Clone(sig), sig...),
				"s = 1, long":        fixedLength(one, k+1),
			}
			for what, b := range lengths {
				if c.check(what, digest, b) {
					t.Fatalf("%s: accepted", what)
				}
			}
			if c.accepted != 1 {
				t.Errorf("%d of %d inputs accepted, want only the valid signature", c.accepted, c.checked)
			}
		})
	}
}

// TestLeadingZeroSignature checks a valid signature whose first byte is
// zero: it must keep its full length, and verifies only at that length.
func TestLeadingZeroSignature(t *testing.T) {
	tk := testKeys(t)[0]
	c := &checker{t: t, pub: &tk.priv.PublicKey, keys: new(Keys)}
	for i := 0; ; i++ {
		digest := sha256.Sum256(fmt.Appendf(nil, "message %d", i))
		sig := sign(t, tk.priv, crypto.SHA256, digest[:])
		if sig[0] != 0 {
			continue
		}
		if !c.check("valid signature with a leading zero byte", digest, sig) {
			t.Fatal("refused")
		}
		if c.check("the same without its leading zero", digest, sig[1:]) {
			t.Fatal("accepted a short signature")
		}
		return
	}
}

// TestEncodings raises hand-made encodings to the private exponent, so
// the recovered value is exactly the encoding: only the one canonical
// encoding of the digest may verify.
func TestEncodings(t *testing.T) {
	for _, tk := range testKeys(t) {
		t.Run(tk.name, func(t *testing.T) {
			pub := &tk.priv.PublicKey
			k := pub.Size()
			c := &checker{t: t, pub: pub, keys: new(Keys)}
			digest := sha256.Sum256([]byte("payload"))
			good := canonicalEncoding(k, digest)
			if !c.check("canonical encoding", digest, signEncoding(tk.priv, good)) {
				t.Fatal("canonical encoding refused")
			}
			mutate := func(what string, f func(em []byte) []byte) {
				t.Helper()
				em := f(bytes.Clone(good))
				if c.check(what, digest, signEncoding(tk.priv, em)) {
					t.Errorf("%s: accepted", what)
				}
			}
			mutate("block type 2", func(em []byte) []byte { em[1] = 2; return em })
			mutate("first byte 1", func(em []byte) []byte { em[0] = 1; return em })
			mutate("a padding byte 0xfe", func(em []byte) []byte { em[40] = 0xfe; return em })
			mutate("no zero after the padding", func(em []byte) []byte { em[k-52] = 0xff; return em })
			mutate("DigestInfo of SHA-512 tag", func(em []byte) []byte { em[k-32-19+14] = 0x03; return em })
			mutate("DigestInfo without NULL parameters", func(em []byte) []byte {
				// 00 01 FF.. 00 30 2f 30 0b 06 09 <oid> 04 20 <digest>: two bytes shorter, one more FF.
				info := []byte{0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20}
				out := make([]byte, k)
				out[1] = 1
				for i := 2; i < k-32-len(info)-1; i++ {
					out[i] = 0xff
				}
				copy(out[k-32-len(info):], info)
				copy(out[k-32:], digest[:])
				return out
			})
			mutate("garbage after the digest, short padding", func(em []byte) []byte {
				// 00 01 FF 00 || DigestInfo || digest || garbage: the layout
				// that lax parsers accept (Bleichenbacher 2006).
				out := make([]byte, k)
				out[1], out[2] = 1, 0xff
				n := copy(out[4:], digestInfoSHA256)
				copy(out[4+n:], digest[:])
				for i := 4 + n + 32; i < k; i++ {
					out[i] = byte(i)
				}
				return out
			})
		})
	}
}

// TestSmallExponentForgery tries the e = 3 forgery against parsers that
// skip what follows the digest: a cube root of 00 01 FF 00 || DigestInfo
// || digest || garbage, which needs no private key. It must be refused.
func TestSmallExponentForgery(t *testing.T) {
	for _, tk := range testKeys(t) {
		if tk.priv.E != 3 {
			continue
		}
		t.Run(tk.name, func(t *testing.T) {
			pub := &tk.priv.PublicKey
			k := pub.Size()
			c := &checker{t: t, pub: pub, keys: new(Keys)}
			digest := sha256.Sum256([]byte("forged"))
			target := make([]byte, k)
			target[1], target[2] = 1, 0xff
			n := copy(target[4:], digestInfoSHA256)
			copy(target[4+n:], digest[:])
			// The largest value with this prefix, so the cube root's cube
			// keeps the prefix.
			for i := 4 + n + 32; i < k; i++ {
				target[i] = 0xff
			}
			s := cubeRoot(new(big.Int).SetBytes(target))
			cube := new(big.Int).Exp(s, big.NewInt(3), nil)
			if !bytes.Equal(fixedLength(cube, k)[:4+n+32], target[:4+n+32]) {
				t.Fatal("test setup: the cube lost the prefix")
			}
			if c.check("cube-root forgery", digest, fixedLength(s, k)) {
				t.Fatal("forgery accepted")
			}
		})
	}
}

// cubeRoot returns the integer cube root of x, rounded down (Newton's
// method, test use only).
func cubeRoot(x *big.Int) *big.Int {
	r := new(big.Int).Lsh(big.NewInt(1), uint(x.BitLen()/3+1))
	three, two := big.NewInt(3), big.NewInt(2)
	for {
		// next = (2r + x/r²) / 3
		next := new(big.Int).Quo(x, new(big.Int).Mul(r, r))
		next.Add(next, new(big.Int).Mul(two, r))
		next.Quo(next, three)
		if next.Cmp(r) >= 0 {
			return r
		}
		r = next
	}
}

// canonicalEncoding is 00 01 FF..FF 00 || DigestInfo || digest, built
// independently of NewKey.
func canonicalEncoding(k int, digest [sha256.Size]byte) []byte {
	em := append([]byte{0, 1}, bytes.Repeat([]byte{0xff}, k-3-19-32)...)
	em = append(em, 0)
	em = append(em, digestInfoSHA256...)
	return append(em, digest[:]...)
}

// signEncoding raises em (reduced mod n) to the private exponent, by the
// Chinese remainder theorem when the key has its precomputed values (four
// times faster, which the fuzz target needs).
func signEncoding(priv *rsa.PrivateKey, em []byte) []byte {
	m := new(big.Int).SetBytes(em)
	m.Mod(m, priv.N)
	pre := priv.Precomputed
	if len(priv.Primes) != 2 || pre.Dp == nil || pre.Dq == nil || pre.Qinv == nil {
		return fixedLength(new(big.Int).Exp(m, priv.D, priv.N), priv.Size())
	}
	p, q := priv.Primes[0], priv.Primes[1]
	m1 := new(big.Int).Exp(m, pre.Dp, p)
	m2 := new(big.Int).Exp(m, pre.Dq, q)
	h := m1.Sub(m1, m2)
	h.Mul(h, pre.Qinv).Mod(h, p)
	s := h.Mul(h, q).Add(h, m2)
	return fixedLength(s, priv.Size())
}

// TestKeysRefusedLikeCryptoRSA checks keys that crypto/rsa refuses: NewKey
// refuses them too, and no signature verifies.
func TestKeysRefusedLikeCryptoRSA(t *testing.T) {
	base := testKeys(t)[0].priv
	n := base.N
	sig := sign(t, base, crypto.SHA256, make([]byte, 32))
	tests := []struct {
		name string
		pub  *rsa.PublicKey
	}{
		{"nil modulus", &rsa.PublicKey{E: 65537}},
		{"even modulus", &rsa.PublicKey{N: new(big.Int).Add(n, big.NewInt(1)), E: 65537}},
		{"512-bit modulus", &rsa.PublicKey{N: new(big.Int).Rsh(n, 1536), E: 65537}},
		{"e = 1", &rsa.PublicKey{N: n, E: 1}},
		{"e = 0", &rsa.PublicKey{N: n, E: 0}},
		{"e = -3", &rsa.PublicKey{N: n, E: -3}},
		{"e = 2", &rsa.PublicKey{N: n, E: 2}},
		{"e = 65536", &rsa.PublicKey{N: n, E: 65536}},
		{"e = 2^31+1", &rsa.PublicKey{N: n, E: 1<<31 + 1}},
		{"e = 2^32+1", &rsa.PublicKey{N: n, E: 1<<32 + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "512-bit modulus" && tt.pub.N.Bit(0) == 0 {
				tt.pub.N.SetBit(tt.pub.N, 0, 1)
			}
			if _, err := NewKey(tt.pub); err == nil {
				t.Fatal("NewKey accepted the key")
			}
			var digest [32]byte
			if err := rsa.VerifyPKCS1v15(tt.pub, crypto.SHA256, digest[:], sig); err == nil {
				t.Fatal("test setup: crypto/rsa accepted")
			}
			if err := new(Keys).Verify(tt.pub, &digest, sig); err == nil {
				t.Fatal("Keys.Verify accepted")
			}
		})
	}
	// Exponents crypto/rsa accepts: odd, 3 to 2^31-1. Public keys only, on
	// an arbitrary signature (and the valid one for the real exponent).
	for _, e := range []int{3, 5, 17, 65537, 1<<31 - 1} {
		c := &checker{t: t, pub: &rsa.PublicKey{N: n, E: e}, keys: new(Keys)}
		if _, err := NewKey(c.pub); err != nil {
			t.Errorf("e = %d: NewKey: %v", e, err)
		}
		digest := [32]byte{}
		c.check(fmt.Sprintf("e = %d", e), digest, sig)
		c.check(fmt.Sprintf("e = %d, s = 2", e), digest, fixedLength(big.NewInt(2), len(sig)))
	}
}

// TestKeysCache checks the cache: a hit returns the same prepared key, a
// key changed in place is prepared again, and the size stays bounded.
func TestKeysCache(t *testing.T) {
	base := testKeys(t)[0].priv
	var c Keys
	pub := &rsa.PublicKey{N: new(big.Int).Set(base.N), E: base.E}
	k1, err := c.Key(pub)
	if err != nil {
		t.Fatal(err)
	}
	if k2, _ := c.Key(pub); k2 != k1 {
		t.Error("a second lookup prepared the key again")
	}
	// Same pointer, new modulus: the old prepared key must not serve it.
	other := testKeys(t)[3].priv // the 2048-bit e=3 key
	pub.N.Set(other.N)
	pub.E = other.E
	k3, err := c.Key(pub)
	if err != nil {
		t.Fatal(err)
	}
	if k3 == k1 {
		t.Fatal("a key changed in place was served from the cache")
	}
	digest := sha256.Sum256([]byte("m"))
	if err := c.Verify(pub, &digest, sign(t, other, crypto.SHA256, digest[:])); err != nil {
		t.Errorf("signature of the new key refused: %v", err)
	}
	if c.Len() != 1 {
		t.Errorf("Len = %d after re-preparing one pointer, want 1", c.Len())
	}
	for i := 0; i < 3*CacheSize; i++ {
		if _, err := c.Key(&rsa.PublicKey{N: base.N, E: base.E}); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() != CacheSize {
		t.Errorf("Len = %d, want the bound %d", c.Len(), CacheSize)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		if _, err := c.Key(pub); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("a cache hit allocates %v times, want 0", allocs)
	}
}

// TestKeysCacheExponentChangedInPlace: a key whose exponent alone changes
// in place (same pointer, same modulus) is prepared again, both ways: a
// signature made for e=3 verifies once e is 3, and no longer once it is
// 65537 again.
func TestKeysCacheExponentChangedInPlace(t *testing.T) {
	priv := testKeys(t)[3].priv // the 2048-bit e=3 key
	if priv.E != 3 {
		t.Fatalf("test setup: e = %d, want 3", priv.E)
	}
	digest := sha256.Sum256([]byte("m"))
	sig := sign(t, priv, crypto.SHA256, digest[:])
	var c Keys
	pub := &rsa.PublicKey{N: new(big.Int).Set(priv.N), E: 65537}
	if err := c.Verify(pub, &digest, sig); !errors.Is(err, ErrVerification) {
		t.Fatalf("e = 65537: err = %v, want ErrVerification", err)
	}
	pub.E = 3
	if err := c.Verify(pub, &digest, sig); err != nil {
		t.Fatalf("e changed in place to 3: err = %v, want the signature verified", err)
	}
	pub.E = 65537
	if err := c.Verify(pub, &digest, sig); !errors.Is(err, ErrVerification) {
		t.Fatalf("e changed back to 65537: err = %v, want ErrVerification", err)
	}
}

// TestKeysConcurrent prepares and verifies from many goroutines at once,
// for the race detector.
func TestKeysConcurrent(t *testing.T) {
	tk := testKeys(t)[0]
	digest := sha256.Sum256([]byte("m"))
	sig := sign(t, tk.priv, crypto.SHA256, digest[:])
	var c Keys
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				pub := &tk.priv.PublicKey
				if i%4 == 0 {
					pub = &rsa.PublicKey{N: tk.priv.N, E: tk.priv.E} // a fresh pointer: a miss
				}
				if err := c.Verify(pub, &digest, sig); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
