package rs256

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

// FuzzMatchesCryptoRSA holds Keys.Verify to crypto/rsa's verdict on
// arbitrary input, with the 2048-bit keys (e = 65537 and e = 3). The low
// bit of mode says what data is: the signature itself, or the value the
// signature must recover (data raised to the private exponent becomes the
// signature), which lets the fuzzer reach every encoding, the nearly
// right ones included. The next bit picks the key.
func FuzzMatchesCryptoRSA(f *testing.F) {
	keys := fuzzKeys(f)
	msg := []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9")
	digest := sha256.Sum256(msg)
	for i, priv := range keys {
		k := priv.Size()
		key := uint8(i << 1)
		sig := sign(f, priv, crypto.SHA256, digest[:])
		f.Add(msg, sig, key)
		f.Add(msg, sig[1:], key)
		f.Add(msg, append([]byte{0}, sig...), key)
		f.Add(msg, make([]byte, k), key)
		f.Add(msg, priv.N.Bytes(), key)
		em := canonicalEncoding(k, digest)
		f.Add(msg, em, key|1)
		bad := append([]byte(nil), em...)
		bad[k-33] ^= 0x01
		f.Add(msg, bad, key|1)
		f.Add([]byte("other"), em, key|1)
	}
	var prepared Keys // shared by every input, as a Verifier shares it
	f.Fuzz(func(t *testing.T, msg, data []byte, mode uint8) {
		priv := keys[int(mode>>1)%len(keys)]
		pub := &priv.PublicKey
		sig := data
		if mode&1 == 1 {
			if len(data) > priv.Size() {
				data = data[:priv.Size()]
			}
			sig = signEncoding(priv, data)
		}
		digest := sha256.Sum256(msg)
		want := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
		got := prepared.Verify(pub, &digest, sig) == nil
		if got != want {
			t.Fatalf("rs256 says valid=%v, crypto/rsa says valid=%v", got, want)
		}
	})
}

// fuzzKeys returns the 2048-bit keys of testdata/keys.pem: a fuzzing
// worker runs instrumented code, where generating keys would take most
// of its time.
func fuzzKeys(f *testing.F) []*rsa.PrivateKey {
	fixtures, err := readKeyFixtures(keyFixtures)
	if err != nil {
		f.Fatal(err)
	}
	var keys []*rsa.PrivateKey
	for _, name := range []string{"2048-bit e=65537", "2048-bit e=3"} {
		if fixtures[name] == nil {
			f.Fatalf("%s lacks key %q", keyFixtures, name)
		}
		keys = append(keys, fixtures[name])
	}
	return keys
}
