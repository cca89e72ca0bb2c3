package jwks_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
)

// caKey signs the test certificates; generated once, since only its
// signature's presence matters.
var caKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// publicKeyOfBits returns an RSA public key whose modulus has exactly bits
// bits. The modulus is random and odd, not a product of two primes: the key
// set parsers only read it, so any size is cheap to build.
func publicKeyOfBits(t *testing.T, bits int) *rsa.PublicKey {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits-1)))
	if err != nil {
		t.Fatal(err)
	}
	n.SetBit(n, bits-1, 1)
	n.SetBit(n, 0, 1)
	if n.BitLen() != bits {
		t.Fatalf("built a %d-bit modulus, want %d", n.BitLen(), bits)
	}
	return &rsa.PublicKey{N: n, E: 65537}
}

// certificatePEM returns a PEM certificate for pub, signed by caKey.
func certificatePEM(t *testing.T, pub *rsa.PublicKey) string {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "securetoken.system.gserviceaccount.com"},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, caKey())
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// jsonString quotes s as a JSON string.
func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// certEntry is one `"kid": "<PEM>"` member of a certificate map.
func certEntry(t *testing.T, kid string, pub *rsa.PublicKey) string {
	t.Helper()
	return jsonString(t, kid) + ":" + jsonString(t, certificatePEM(t, pub))
}

// jwkJSON is a JWK for pub, in the shape of Google's, with extra members
// appended verbatim.
func jwkJSON(kid string, pub *rsa.PublicKey, extra string) string {
	n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	return `{"kty":"RSA","alg":"RS256","use":"sig","kid":"` + kid + `","n":"` + n + `","e":"` + e + `"` + extra + `}`
}

func TestParseKeySetRefusesRepeatedMembers(t *testing.T) {
	a, b := publicKeyOfBits(t, 2048), publicKeyOfBits(t, 2048)
	jwkA, jwkB := jwkJSON("a", a, ""), jwkJSON("b", b, "")
	bN := `"n":"` + base64.RawURLEncoding.EncodeToString(b.N.Bytes()) + `"`
	cases := []struct {
		name string
		doc  string
	}{
		{"certificate map: a kid twice, different certificates", `{` + certEntry(t, "k1", a) + `,` + certEntry(t, "k1", b) + `}`},
		{"certificate map: a kid twice, same certificate", `{` + certEntry(t, "k1", a) + `,` + certEntry(t, "k1", a) + `}`},
		{"certificate map: a kid twice among others", `{` + certEntry(t, "k1", a) + `,` + certEntry(t, "k2", b) + `,` + certEntry(t, "k1", b) + `}`},
		{"certificate map: kids differing only in case", `{` + certEntry(t, "abc", a) + `,` + certEntry(t, "ABC", b) + `}`},
		{"JWK Set: a kid twice", `{"keys":[` + jwkA + `,` + jwkJSON("a", b, "") + `]}`},
		{"JWK Set: two keys arrays", `{"keys":[` + jwkA + `],"keys":[` + jwkB + `]}`},
		{"JWK Set: keys and Keys", `{"keys":[` + jwkA + `],"Keys":[` + jwkB + `]}`},
		{"JWK: n twice", `{"keys":[` + jwkJSON("a", a, ","+bN) + `]}`},
		{"JWK: kid twice", `{"keys":[` + jwkJSON("a", a, `,"kid":"b"`) + `]}`},
		{"JWK: kid and KID", `{"keys":[` + jwkJSON("a", a, `,"KID":"b"`) + `]}`},
		{"JWK: kty and a Kelvin-sign kty", `{"keys":[` + jwkJSON("a", a, `,"\u212aty":"EC"`) + `]}`},
		{"JWK: a nested object with a member twice", `{"keys":[` + jwkJSON("a", a, `,"ext":{"x":1,"x":2}`) + `]}`},
		{"JWK: an escaped repeat", `{"keys":[` + jwkJSON("a", a, `,"\u006bid":"b"`) + `]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !json.Valid([]byte(c.doc)) {
				t.Fatalf("test document is not JSON: %s", c.doc)
			}
			_, err := jwks.ParseKeySet([]byte(c.doc))
			if !errors.Is(err, jwks.ErrInvalidKeySet) {
				t.Fatalf("err = %v, want ErrInvalidKeySet", err)
			}
			if !strings.Contains(err.Error(), "appears twice") {
				t.Fatalf("err = %v, want it to say a member appears twice", err)
			}
		})
	}
}

func TestParseKeySetAcceptsDistinctMembers(t *testing.T) {
	// The same names in different objects are no repeat.
	a, b := publicKeyOfBits(t, 2048), publicKeyOfBits(t, 2048)
	for name, doc := range map[string]string{
		"JWK Set":         `{"keys":[` + jwkJSON("a", a, "") + `,` + jwkJSON("b", b, "") + `]}`,
		"certificate map": `{` + certEntry(t, "a", a) + `,` + certEntry(t, "b", b) + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			set, err := jwks.ParseKeySet([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if ids := set.KeyIDs(); len(ids) != 2 || ids[0] != "a" || ids[1] != "b" {
				t.Fatalf("KeyIDs() = %v, want [a b]", ids)
			}
			got, err := set.PublicKey(context.Background(), "b")
			if err != nil || !got.Equal(b) {
				t.Fatalf("key b = %v, %v; want the second key", got, err)
			}
		})
	}
}

func TestParseKeySetRepeatCheckIsLinear(t *testing.T) {
	// 50 000 distinct members of one length and first letter in one
	// object: a pairwise comparison would take minutes; the check must
	// finish in well under the test's timeout. A benchmark measures it.
	var sb strings.Builder
	sb.WriteString(`{"keys":[` + jwkJSON("a", publicKeyOfBits(t, 2048), ""))
	sb.WriteString(`],"x":{`)
	for i := 0; i < 50000; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`"k` + strings.Repeat("0", 6-len(itoa(i))) + itoa(i) + `":0`)
	}
	sb.WriteString(`}}`)
	if _, err := jwks.ParseKeySet([]byte(sb.String())); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

func BenchmarkParseKeySetManyMembers(b *testing.B) {
	for _, n := range []int{1000, 4000, 16000} {
		var sb strings.Builder
		sb.WriteString(`{"keys":[],"x":{`)
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(`"k` + strings.Repeat("0", 6-len(itoa(i))) + itoa(i) + `":0`)
		}
		sb.WriteString(`}}`)
		doc := []byte(sb.String())
		b.Run(itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := jwks.ParseKeySet(doc); !errors.Is(err, jwks.ErrInvalidKeySet) {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestParseKeySetKeySizes(t *testing.T) {
	cases := []struct {
		bits int
		ok   bool
	}{
		{1024, false},
		{2047, false},
		{2048, true},
		{3072, true},
		{4096, true},
		{8192, true},
		{8193, false},
		{16384, false},
	}
	for _, c := range cases {
		pub := publicKeyOfBits(t, c.bits)
		for shape, doc := range map[string]string{
			"JWK Set":         `{"keys":[` + jwkJSON("k", pub, "") + `]}`,
			"certificate map": `{` + certEntry(t, "k", pub) + `}`,
		} {
			t.Run(shape+"/"+itoa(c.bits), func(t *testing.T) {
				set, err := jwks.ParseKeySet([]byte(doc))
				if !c.ok {
					if !errors.Is(err, jwks.ErrInvalidKeySet) {
						t.Fatalf("a %d-bit key: err = %v, want ErrInvalidKeySet", c.bits, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("a %d-bit key: %v", c.bits, err)
				}
				if got, err := set.PublicKey(context.Background(), "k"); err != nil || !got.Equal(pub) {
					t.Fatalf("a %d-bit key: got %v, %v", c.bits, got, err)
				}
			})
		}
	}
	// A small key beside a good one is skipped, not fatal, in both shapes.
	small, good := publicKeyOfBits(t, 1024), publicKeyOfBits(t, 2048)
	for shape, doc := range map[string]string{
		"JWK Set":         `{"keys":[` + jwkJSON("small", small, "") + `,` + jwkJSON("good", good, "") + `]}`,
		"certificate map": `{` + certEntry(t, "small", small) + `,` + certEntry(t, "good", good) + `}`,
	} {
		t.Run(shape+"/small beside good", func(t *testing.T) {
			set, err := jwks.ParseKeySet([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if ids := set.KeyIDs(); len(ids) != 1 || ids[0] != "good" {
				t.Fatalf("KeyIDs() = %v, want [good]", ids)
			}
		})
	}
}

func TestParseKeySetRefusesPrivateKeys(t *testing.T) {
	// A set that publishes a private key comes from a compromised set-up:
	// the whole set is refused, even beside good keys, whatever d holds.
	a, b := publicKeyOfBits(t, 2048), publicKeyOfBits(t, 2048)
	for name, extra := range map[string]string{
		"d":            `,"d":"AQAB"`,
		"empty d":      `,"d":""`,
		"null d":       `,"d":null`,
		"numeric d":    `,"d":5`,
		"mistyped use": `,"d":"AQAB"`,
	} {
		t.Run(name, func(t *testing.T) {
			private := jwkJSON("a", a, extra)
			if name == "mistyped use" {
				private = strings.Replace(private, `"use":"sig"`, `"use":5`, 1)
			}
			doc := `{"keys":[` + jwkJSON("good", b, "") + `,` + private + `]}`
			_, err := jwks.ParseKeySet([]byte(doc))
			if !errors.Is(err, jwks.ErrInvalidKeySet) || !strings.Contains(err.Error(), "private") {
				t.Fatalf("err = %v, want ErrInvalidKeySet naming the private key", err)
			}
		})
	}
}

func TestRemoteRefusesRepeatedKids(t *testing.T) {
	a, b := publicKeyOfBits(t, 2048), publicKeyOfBits(t, 2048)
	for name, doc := range map[string]string{
		"certificate map": `{` + certEntry(t, "k1", a) + `,` + certEntry(t, "k1", b) + `}`,
		"JWK Set":         `{"keys":[` + jwkJSON("k1", a, "") + `,` + jwkJSON("k1", b, "") + `]}`,
		"JWK":             `{"keys":[` + jwkJSON("k1", a, `,"kid":"k1"`) + `]}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = w.Write([]byte(doc))
			}))
			defer srv.Close()
			r, err := jwks.NewRemote(srv.URL, jwks.RemoteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			_, err = r.PublicKey(context.Background(), "k1")
			if !errors.Is(err, jwks.ErrKeysUnavailable) || !errors.Is(err, jwks.ErrInvalidKeySet) {
				t.Fatalf("err = %v, want ErrKeysUnavailable wrapping ErrInvalidKeySet", err)
			}
			if !strings.Contains(err.Error(), "appears twice") {
				t.Fatalf("err = %v, want it to say what appears twice", err)
			}
			if st := r.Status(); len(st.KeyIDs) != 0 {
				t.Fatalf("cached keys %v from a set with a repeated kid", st.KeyIDs)
			}
		})
	}
}
