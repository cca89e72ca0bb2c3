package rs256

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

// keyFixtures holds the test keys, PKCS #8 PEM blocks each with a "Key"
// header naming it ("3072-bit e=65537").
const keyFixtures = "testdata/keys.pem"

var writeKeys = flag.Bool("write-keys", false, "with -fresh-keys, write the generated test keys to testdata/keys.pem")

func readKeyFixtures(path string) (map[string]*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys := make(map[string]*rsa.PrivateKey)
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: key %q: %v", path, block.Headers["Key"], err)
		}
		priv, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: key %q is not RSA", path, block.Headers["Key"])
		}
		keys[block.Headers["Key"]] = priv
	}
	return keys, nil
}

// TestWriteKeyFixtures rewrites testdata/keys.pem from fresh keys when run
// with -fresh-keys -write-keys; otherwise it checks the file holds the
// five keys the tests expect.
func TestWriteKeyFixtures(t *testing.T) {
	if !*writeKeys {
		keys, err := readKeyFixtures(keyFixtures)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 5 {
			t.Errorf("%s holds %d keys, want 5", keyFixtures, len(keys))
		}
		return
	}
	if !*freshKeys {
		t.Fatal("-write-keys needs -fresh-keys")
	}
	var out strings.Builder
	for _, tk := range testKeys(t) {
		der, err := x509.MarshalPKCS8PrivateKey(tk.priv)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Key": tk.name}, Bytes: der}))
	}
	if err := os.WriteFile(keyFixtures, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
