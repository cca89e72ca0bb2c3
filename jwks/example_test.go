package jwks_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// NewRemote fetches a key set on first use and caches it for the
// response's max-age; Close stops it. In production the URL is one of
// Google's (IDTokenJWKSURL, SessionCookieX509URL, AppCheckJWKSURL); here a
// fake issuer serves its keys on loopback.
func ExampleNewRemote() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	remote, err := jwks.NewRemote(signer.URL()+"/jwks", jwks.RemoteOptions{})
	if err != nil {
		panic(err)
	}
	defer remote.Close()

	// Warm the cache at start-up, so no request waits for a fetch.
	if err := remote.Refresh(context.Background()); err != nil {
		panic(err)
	}
	_, err = remote.PublicKey(context.Background(), signer.Key().ID)
	st := remote.Status()
	fmt.Println(err, len(st.KeyIDs), st.Fetches, st.Expires.Sub(st.Fetched))
	// Output:
	// <nil> 1 1 1h0m0s
}

// ParseKeySet reads either of Google's shapes, told apart by content.
func ExampleParseKeySet() {
	signer := verifytest.NewSigner("my-project")
	for _, doc := range [][]byte{signer.JWKS(), signer.X509()} {
		set, err := jwks.ParseKeySet(doc)
		if err != nil {
			panic(err)
		}
		key, err := set.PublicKey(context.Background(), signer.Key().ID)
		fmt.Println(key.N.BitLen(), err)
	}
	_, err := jwks.ParseKeySet([]byte(`{"keys":[]}`))
	fmt.Println(err)
	// Output:
	// 2048 <nil>
	// 2048 <nil>
	// jwks: invalid key set: no usable RSA signing key (0 in the set)
}

// LoadFile reads a key set snapshot, for a service with no network: here
// one written with EncodeJWKS (the shape "fbverify keys fetch" saves).
func ExampleLoadFile() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	doc, err := jwks.EncodeJWKS(map[string]*rsa.PublicKey{"key-1": &key.PublicKey})
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "jwks-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "keys.json")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		panic(err)
	}

	set, err := jwks.LoadFile(path)
	fmt.Println(set.KeyIDs(), err)
	// Output:
	// [key-1] <nil>
}

// EncodeX509 publishes certificates in the shape of Google's X.509
// endpoints. jwks makes no certificates; crypto/x509 does.
func ExampleEncodeX509() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "my-issuer"},
		NotBefore:    time.Now(),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	doc, err := jwks.EncodeX509(map[string]*x509.Certificate{"key-1": cert})
	if err != nil {
		panic(err)
	}
	set, err := jwks.ParseKeySet(doc)
	fmt.Println(set.KeyIDs(), err)
	// Output:
	// [key-1] <nil>
}
