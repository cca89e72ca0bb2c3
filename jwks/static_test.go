package jwks_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/verifytest"
)

var update = flag.Bool("update", false, "rewrite the key set fixtures in ../testdata from the fixture key")

// fixtureSigner is the Signer whose key is kept in ../testdata, so the
// committed JWKS and certificate map can be checked against it.
func fixtureSigner(t *testing.T) *verifytest.Signer {
	t.Helper()
	pemBytes, err := os.ReadFile("../testdata/signing-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	kid, err := os.ReadFile("../testdata/signing-key.kid")
	if err != nil {
		t.Fatal(err)
	}
	key, err := verifytest.LoadKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	return verifytest.NewSigner("fbverify-fixtures", verifytest.WithKey(key, strings.TrimSpace(string(kid))))
}

func TestFixturesMatchTheFixtureKey(t *testing.T) {
	s := fixtureSigner(t)
	for name, want := range map[string][]byte{"jwks.json": s.JWKS(), "x509.json": s.X509()} {
		path := filepath.Join("..", "testdata", name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./jwks -run Fixtures -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the fixture key's key set; run go test ./jwks -run Fixtures -update", path)
		}
	}
}

func TestLoadFileReadsBothOfGooglesShapes(t *testing.T) {
	s := fixtureSigner(t)
	want := &s.Key().Private.PublicKey
	for _, name := range []string{"jwks.json", "x509.json"} {
		t.Run(name, func(t *testing.T) {
			src, err := jwks.LoadFile(filepath.Join("..", "testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if ids := src.KeyIDs(); len(ids) != 1 || ids[0] != s.Key().ID {
				t.Fatalf("KeyIDs() = %v, want [%s]", ids, s.Key().ID)
			}
			got, err := src.PublicKey(context.Background(), s.Key().ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) {
				t.Error("loaded key differs from the fixture key")
			}
			if _, err := src.PublicKey(context.Background(), "other"); !errors.Is(err, jwks.ErrUnknownKey) {
				t.Errorf("unknown kid: err = %v, want ErrUnknownKey", err)
			}
		})
	}
}

func TestParseKeySetRefusesUnusableSets(t *testing.T) {
	s := verifytest.NewSigner("p")
	good := string(s.JWKS())
	cases := []struct {
		name string
		doc  string
	}{
		{"not JSON", `keys`},
		{"array", `[]`},
		{"empty JWKS", `{"keys":[]}`},
		{"only EC keys", `{"keys":[{"kty":"EC","crv":"P-256","kid":"a","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`},
		{"RSA key for encryption", strings.ReplaceAll(good, `"use": "sig"`, `"use": "enc"`)},
		{"RSA key for RS512", strings.ReplaceAll(good, `"alg": "RS256"`, `"alg": "RS512"`)},
		{"duplicate kid", `{"keys":[` + jwkOf(t, good) + `,` + jwkOf(t, good) + `]}`},
		{"certificate map with a non-string", `{"a": 1}`},
		{"certificate map with garbage", `{"a": "not a certificate"}`},
		{"empty object", `{}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := jwks.ParseKeySet([]byte(c.doc)); !errors.Is(err, jwks.ErrInvalidKeySet) {
				t.Fatalf("err = %v, want ErrInvalidKeySet", err)
			}
		})
	}
}

// jwkOf extracts the single JWK of a one-key JWKS document.
func jwkOf(t *testing.T, doc string) string {
	t.Helper()
	start := strings.Index(doc, "{\n      ")
	end := strings.Index(doc, "}\n  ]")
	if start < 0 || end < 0 {
		t.Fatalf("unexpected JWKS layout: %s", doc)
	}
	return doc[start : end+1]
}

func TestParseKeySetSkipsOtherKeysButKeepsRSA(t *testing.T) {
	s := verifytest.NewSigner("p")
	ec := `{"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`
	doc := `{"keys":[` + ec + `,` + jwkOf(t, string(s.JWKS())) + `]}`
	src, err := jwks.ParseKeySet([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if ids := src.KeyIDs(); len(ids) != 1 || ids[0] != s.Key().ID {
		t.Fatalf("KeyIDs() = %v, want only the RSA key", ids)
	}
}

func TestNewStaticRefusesWeakKeys(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jwks.NewStatic(map[string]*rsa.PublicKey{"small": &small.PublicKey}); !errors.Is(err, jwks.ErrInvalidKeySet) {
		t.Errorf("1024-bit key: err = %v, want ErrInvalidKeySet", err)
	}
	if _, err := jwks.NewStatic(nil); !errors.Is(err, jwks.ErrInvalidKeySet) {
		t.Errorf("no keys: err = %v, want ErrInvalidKeySet", err)
	}
	s := verifytest.NewSigner("p")
	if _, err := jwks.NewStatic(map[string]*rsa.PublicKey{"": &s.Key().Private.PublicKey}); !errors.Is(err, jwks.ErrInvalidKeySet) {
		t.Errorf("empty kid: err = %v, want ErrInvalidKeySet", err)
	}
}
