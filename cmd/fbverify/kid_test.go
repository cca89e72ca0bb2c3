package main

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// fixtureDerivedKid is the kid mint derives for testdata/signing-key.pem,
// computed outside Go:
//
//	openssl pkey -in testdata/signing-key.pem -pubout -outform DER | sha256sum | cut -c1-40
const fixtureDerivedKid = "0169ebc95c0437a6c1920449a8275b69686d0804"

// spkiKid computes the documented kid formula without crypto/x509: the
// hex of the first 20 bytes of the SHA-256 of the key's DER
// SubjectPublicKeyInfo, built here field by field (RFC 8017 A.1.1 inside
// RFC 5280 4.1.2.7).
func spkiKid(t *testing.T, pub *rsa.PublicKey) string {
	t.Helper()
	pkcs1, err := asn1.Marshal(struct {
		N *big.Int
		E int
	}{pub.N, pub.E})
	if err != nil {
		t.Fatal(err)
	}
	type algorithm struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue
	}
	spki, err := asn1.Marshal(struct {
		Algorithm algorithm
		Key       asn1.BitString
	}{
		Algorithm: algorithm{OID: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}, Params: asn1.NullRawValue},
		Key:       asn1.BitString{Bytes: pkcs1, BitLength: 8 * len(pkcs1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(spki)
	return hex.EncodeToString(sum[:20])
}

// headerKid returns the kid of a minted token's header.
func headerKid(t *testing.T, token string) string {
	t.Helper()
	seg, _, ok := strings.Cut(strings.TrimSpace(token), ".")
	if !ok {
		t.Fatalf("not a compact JWS: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

func TestMintDerivesTheKidFromThePublicKey(t *testing.T) {
	fixture := filepath.Join("..", "..", "testdata", "signing-key.pem")
	pemBytes, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	fixtureKey, err := verifytest.LoadKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	if got := spkiKid(t, &fixtureKey.PublicKey); got != fixtureDerivedKid {
		t.Fatalf("the test's own formula gives %s for the fixture, openssl gave %s", got, fixtureDerivedKid)
	}
	r := runCLI(t, &cli{}, "", "mint", "--key", fixture, "--project", "my-project", "--uid", "u1")
	if r.code != exitOK {
		t.Fatalf("mint: exit %d, stderr %s", r.code, r.stderr)
	}
	if got := headerKid(t, r.stdout); got != fixtureDerivedKid {
		t.Fatalf("mint's kid for the fixture = %q, want %q", got, fixtureDerivedKid)
	}
	r = runCLI(t, &cli{}, "", "mint", "--key", fixture, "--kid", "chosen-kid", "--project", "my-project", "--uid", "u1")
	if got := headerKid(t, r.stdout); r.code != exitOK || got != "chosen-kid" {
		t.Fatalf("mint --kid chosen-kid: exit %d, kid %q", r.code, got)
	}

	// A key mint generates itself: the kid it reports, puts in the token
	// and publishes with jwks is the formula's, in every place.
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "new.pem")
	r = runCLI(t, &cli{}, "", "mint", "--key", keyFile, "--project", "my-project", "--uid", "u1")
	if r.code != exitOK {
		t.Fatalf("mint with a new key: exit %d, stderr %s", r.code, r.stderr)
	}
	newPEM, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := verifytest.LoadKey(newPEM)
	if err != nil {
		t.Fatal(err)
	}
	want := spkiKid(t, &newKey.PublicKey)
	if len(want) != 40 || want == fixtureDerivedKid {
		t.Fatalf("formula gave %q", want)
	}
	if got := headerKid(t, r.stdout); got != want {
		t.Fatalf("kid of a token of a new key = %q, want %q", got, want)
	}
	if !strings.Contains(r.stderr, "(kid "+want+")") {
		t.Fatalf("stderr %q does not report kid %s", r.stderr, want)
	}
	checkPublishedKid(t, keyFile, want)
}

// checkPublishedKid checks that jwks publishes the key in keyFile, as a
// JWK Set and as certificates, under the kid want.
func checkPublishedKid(t *testing.T, keyFile, want string) {
	t.Helper()
	set := runCLI(t, &cli{}, "", "jwks", "--key", keyFile)
	var jwkSet struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(set.stdout), &jwkSet); err != nil || len(jwkSet.Keys) != 1 || jwkSet.Keys[0].Kid != want {
		t.Fatalf("jwks: %v, %s; want one key named %s", err, set.stdout, want)
	}
	certs := runCLI(t, &cli{}, "", "jwks", "--key", keyFile, "--x509")
	var certMap map[string]string
	if err := json.Unmarshal([]byte(certs.stdout), &certMap); err != nil || len(certMap) != 1 || certMap[want] == "" {
		t.Fatalf("jwks --x509: %v, %s; want one certificate under %s", err, certs.stdout, want)
	}
}
