package mint

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"
)

var testKey = func() *rsa.PrivateKey {
	k, err := GenerateKey()
	if err != nil {
		panic(err)
	}
	return k
}()

func TestSignedTokenVerifiesWithThePublicKey(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	token, err := IDToken("p-1", "alice", "kid-1", now).Sign(testKey)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%d segments", len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&testKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	var header, payload map[string]any
	decodeSegment(t, parts[0], &header)
	decodeSegment(t, parts[1], &payload)
	if header["alg"] != "RS256" || header["kid"] != "kid-1" || header["typ"] != "JWT" {
		t.Errorf("header = %v", header)
	}
	if payload["iss"] != "https://securetoken.google.com/p-1" || payload["aud"] != "p-1" || payload["sub"] != "alice" ||
		payload["exp"] != float64(now.Add(time.Hour).Unix()) {
		t.Errorf("payload = %v", payload)
	}
}

func TestEmulatorTokenIsUnsignedAndKeyless(t *testing.T) {
	tok := EmulatorIDToken("demo-p", "u", time.Unix(1e9, 0))
	tok.Firebase()["tenant"] = "t1"
	s, err := tok.Unsigned()
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[2] != "" {
		t.Fatalf("token %q: want an empty signature", s)
	}
	var header, payload map[string]any
	decodeSegment(t, parts[0], &header)
	decodeSegment(t, parts[1], &payload)
	if _, ok := header["kid"]; ok || header["alg"] != "none" {
		t.Errorf("header = %v", header)
	}
	if fb, _ := payload["firebase"].(map[string]any); fb["tenant"] != "t1" || fb["sign_in_provider"] != "custom" {
		t.Errorf("firebase = %v", payload["firebase"])
	}
}

func TestFirebaseReplacesANonObjectClaim(t *testing.T) {
	tok := SessionCookie("p-1", "u", "k", time.Unix(1e9, 0))
	tok.Payload["firebase"] = "a string"
	tok.Firebase()["tenant"] = "t"
	if fb, ok := tok.Payload["firebase"].(map[string]any); !ok || len(fb) != 1 {
		t.Errorf("firebase = %v", tok.Payload["firebase"])
	}
}

func TestSignRefusesNoKey(t *testing.T) {
	if _, err := Sign(nil, []byte("{}"), []byte("{}")); err == nil {
		t.Fatal("signed without a key")
	}
}

func TestKeysRoundTripAndForeignKeysAreRefused(t *testing.T) {
	encoded, err := EncodeKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testKey)})
	for name, b := range map[string][]byte{"PKCS #8": encoded, "PKCS #1": pkcs1} {
		back, err := ParseKey(b)
		if err != nil || !back.Equal(testKey) {
			t.Errorf("%s: ParseKey = %v, %v", name, back, err)
		}
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"not PEM", []byte("junk"), "no PEM block"},
		{"ECDSA", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}), "not an RSA key"},
	} {
		if _, err := ParseKey(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ParseKey error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestCertificateIsTheSameForTheSameKey(t *testing.T) {
	a, err := Certificate(testKey)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Certificate(testKey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Raw, b.Raw) {
		t.Error("two certificates for one key differ")
	}
	if pub, ok := a.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&testKey.PublicKey) {
		t.Error("the certificate holds another key")
	}
	if err := a.CheckSignature(a.SignatureAlgorithm, a.RawTBSCertificate, a.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
