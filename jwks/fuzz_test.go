package jwks_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/fbverify/fbverify/jwks"
)

// FuzzParseKeySet: ParseKeySet never panics, refuses with
// ErrInvalidKeySet, and whatever it accepts is only RSA keys of
// MinKeyBits..MaxKeyBits with a sane exponent, under non-empty key IDs.
func FuzzParseKeySet(f *testing.F) {
	jwksDoc, err := os.ReadFile("../testdata/jwks.json")
	if err != nil {
		f.Fatal(err)
	}
	x509Doc, err := os.ReadFile("../testdata/x509.json")
	if err != nil {
		f.Fatal(err)
	}
	good := string(jwksDoc)
	n := good[strings.Index(good, `"n": "`)+6:]
	n = n[:strings.IndexByte(n, '"')]
	ec := `{"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`
	for _, seed := range []string{
		good,
		string(x509Doc),
		strings.Replace(good, n, n[:86], 1), // a 512-bit modulus
		strings.Replace(good, `"AQAB"`, `"Ag"`, 1),
		strings.Replace(good, `"AQAB"`, `"AQ"`, 1),
		strings.Replace(good, `"use": "sig"`, `"use": "enc"`, 1),
		strings.Replace(good, `"alg": "RS256"`, `"alg": "HS256"`, 1),
		strings.Replace(good, `"kty": "RSA"`, `"kty": "oct", "k": "c2VjcmV0"`, 1),
		strings.Replace(good, `"e": "AQAB"`, `"e": "AQAB", "d": "AQAB"`, 1),
		strings.Replace(good, `"kid": "`, `"kid": "`+strings.Repeat("k", 100), 1),
		`{"keys":[` + ec + `]}`,
		`{"keys":[]}`,
		`{"keys":{}}`,
		`{"keys":null}`,
		`{}`,
		`[]`,
		`{"a":1}`,
		`{"a":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}`,
		`{"a":"` + strings.Repeat("-", 100) + `"}`,
		string(x509Doc[:len(x509Doc)/2]),
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := jwks.ParseKeySet(data)
		if err != nil {
			if set != nil {
				t.Fatal("a key set returned with an error")
			}
			if !errors.Is(err, jwks.ErrInvalidKeySet) {
				t.Fatalf("refusal %v does not wrap ErrInvalidKeySet", err)
			}
			return
		}
		ids := set.KeyIDs()
		if len(ids) == 0 {
			t.Fatal("accepted an empty key set")
		}
		for _, kid := range ids {
			key, err := set.PublicKey(context.Background(), kid)
			if err != nil {
				t.Fatalf("listed key %q: %v", kid, err)
			}
			if kid == "" {
				t.Fatal("accepted an empty key ID")
			}
			if bits := key.N.BitLen(); bits < jwks.MinKeyBits || bits > jwks.MaxKeyBits {
				t.Fatalf("accepted a %d-bit key", bits)
			}
			if key.E < 3 || key.E%2 == 0 {
				t.Fatalf("accepted exponent %d", key.E)
			}
		}
		if _, err := set.PublicKey(context.Background(), "\x00not-a-kid"); !errors.Is(err, jwks.ErrUnknownKey) {
			t.Fatalf("unknown kid: %v", err)
		}
	})
}
