package jwks_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// selfSigned makes a certificate for key, signed by key, as a publisher of
// its own keys would with crypto/x509.
func selfSigned(t *testing.T, pub, priv any) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "encode-test"},
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestEncodedKeySetsParseBackToTheSameKeys(t *testing.T) {
	a, b := verifytest.GenerateKey(), verifytest.GenerateKey()
	keys := map[string]*rsa.PublicKey{"key-b": &b.Private.PublicKey, "key-a": &a.Private.PublicKey}
	certs := map[string]*x509.Certificate{
		"key-b": selfSigned(t, &b.Private.PublicKey, b.Private),
		"key-a": selfSigned(t, &a.Private.PublicKey, a.Private),
	}
	jwksDoc, err := jwks.EncodeJWKS(keys)
	if err != nil {
		t.Fatal(err)
	}
	x509Doc, err := jwks.EncodeX509(certs)
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"JWK Set": jwksDoc, "X.509 map": x509Doc} {
		t.Run(name, func(t *testing.T) {
			set, err := jwks.ParseKeySet(doc)
			if err != nil {
				t.Fatalf("ParseKeySet: %v\n%s", err, doc)
			}
			if ids := set.KeyIDs(); !slices.Equal(ids, []string{"key-a", "key-b"}) {
				t.Fatalf("KeyIDs = %v", ids)
			}
			for kid, want := range keys {
				got, err := set.PublicKey(t.Context(), kid)
				if err != nil || !got.Equal(want) {
					t.Errorf("PublicKey(%q) = %v, %v; want the encoded key", kid, got, err)
				}
			}
			if doc[len(doc)-1] != '\n' {
				t.Error("no final newline")
			}
		})
	}
	// Key ID order, whatever the map's: the output is the same every time.
	again, _ := jwks.EncodeJWKS(keys)
	if string(again) != string(jwksDoc) {
		t.Error("EncodeJWKS is not deterministic")
	}
}

func TestEncodersRefuseWhatTheParserWould(t *testing.T) {
	good := verifytest.GenerateKey().Private
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	badExponent := &rsa.PublicKey{N: good.N, E: 4}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwkCases := []struct {
		name string
		keys map[string]*rsa.PublicKey
		want string
	}{
		{"no keys", nil, "no keys"},
		{"empty key ID", map[string]*rsa.PublicKey{"": &good.PublicKey}, "empty key ID"},
		{"nil key", map[string]*rsa.PublicKey{"k": nil}, `key "k" is nil`},
		{"1024-bit key", map[string]*rsa.PublicKey{"k": &small.PublicKey}, "1024 bits"},
		{"even exponent", map[string]*rsa.PublicKey{"k": badExponent}, "bad public exponent"},
	}
	for _, tt := range jwkCases {
		t.Run("JWKS/"+tt.name, func(t *testing.T) {
			doc, err := jwks.EncodeJWKS(tt.keys)
			checkRefused(t, doc, err, tt.want)
		})
	}
	x509Cases := []struct {
		name  string
		certs map[string]*x509.Certificate
		want  string
	}{
		{"no certificates", map[string]*x509.Certificate{}, "no keys"},
		{"nil certificate", map[string]*x509.Certificate{"k": nil}, `certificate "k" is nil`},
		{"unparsed template", map[string]*x509.Certificate{"k": {PublicKey: &good.PublicKey}}, "no DER encoding"},
		{"ECDSA certificate", map[string]*x509.Certificate{"k": selfSigned(t, &ec.PublicKey, ec)}, "want an RSA public key"},
		{"1024-bit certificate", map[string]*x509.Certificate{"k": selfSigned(t, &small.PublicKey, small)}, "1024 bits"},
	}
	for _, tt := range x509Cases {
		t.Run("X509/"+tt.name, func(t *testing.T) {
			doc, err := jwks.EncodeX509(tt.certs)
			checkRefused(t, doc, err, tt.want)
		})
	}
}

func checkRefused(t *testing.T, doc []byte, err error, want string) {
	t.Helper()
	if !errors.Is(err, jwks.ErrInvalidKeySet) || doc != nil {
		t.Fatalf("got %q, %v; want ErrInvalidKeySet and no document", doc, err)
	}
	if msg := err.Error(); !strings.Contains(msg, want) {
		t.Errorf("error %q does not say %q", msg, want)
	}
}
