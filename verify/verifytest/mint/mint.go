// Package mint builds Firebase-shaped test tokens and the RSA keys that
// sign them, with no HTTP and no test helper: the code that package
// verifytest and the fbverify CLI's mint command share, so that both make
// the same token shapes and the shipped CLI links neither
// net/http/httptest nor verifytest. Tests should use verifytest, which
// adds a key server and a ready Verifier on top of this.
//
// It is public because its two users live under verify/ and cmd/, and Go
// lets an internal package be imported only from below its parent folder,
// which would be the module's root.
//
// Nothing here verifies anything; every token is for tests.
package mint

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"
)

// KeyBits is the size of the keys GenerateKey makes, as Google's.
const KeyBits = 2048

// Lifetimes of the tokens Firebase issues.
const (
	IDTokenLifetime       = time.Hour
	SessionCookieLifetime = 24 * time.Hour
	AppCheckLifetime      = time.Hour
)

// Token is a token before it is signed: its header and payload as JSON
// values, changed freely by the caller, then encoded by Sign or Unsigned.
type Token struct {
	Header  map[string]any
	Payload map[string]any
}

// IDToken is an ID token for uid as Firebase Authentication issues one:
// RS256 with kid, aud the project, iss https://securetoken.google.com/<project>,
// iat and auth_time now, exp an hour later, and a firebase claim for the
// "custom" provider.
func IDToken(projectID, uid, kid string, now time.Time) *Token {
	return user(claimcheck.IDTokenIssuerPrefix, projectID, uid, kid, now, IDTokenLifetime)
}

// SessionCookie is a session cookie for uid: as IDToken, but with iss
// https://session.firebase.google.com/<project> and a lifetime of a day.
func SessionCookie(projectID, uid, kid string, now time.Time) *Token {
	return user(claimcheck.SessionCookieIssuerPrefix, projectID, uid, kid, now, SessionCookieLifetime)
}

// EmulatorIDToken is an ID token as the Firebase Auth emulator issues one:
// as IDToken, but with alg "none" and no kid; encode it with Unsigned.
func EmulatorIDToken(projectID, uid string, now time.Time) *Token {
	t := IDToken(projectID, uid, "", now)
	t.Header["alg"] = "none"
	delete(t.Header, "kid")
	return t
}

// AppCheckToken is a Firebase App Check token for appID in the project
// with the given number and ID: RS256 with typ "JWT", iss
// https://firebaseappcheck.googleapis.com/<number>, aud
// ["projects/<number>", "projects/<project ID>"], exp an hour after iat.
func AppCheckToken(projectNumber, projectID, appID, kid string, now time.Time) *Token {
	return &Token{
		Header: header(kid),
		Payload: map[string]any{
			"iss": claimcheck.AppCheckIssuerPrefix + projectNumber,
			"aud": []string{"projects/" + projectNumber, "projects/" + projectID},
			"sub": appID,
			"iat": now.Unix(),
			"exp": now.Add(AppCheckLifetime).Unix(),
		},
	}
}

func user(issuerPrefix, projectID, uid, kid string, now time.Time, lifetime time.Duration) *Token {
	return &Token{
		Header: header(kid),
		Payload: map[string]any{
			"iss":       issuerPrefix + projectID,
			"aud":       projectID,
			"sub":       uid,
			"user_id":   uid,
			"iat":       now.Unix(),
			"auth_time": now.Unix(),
			"exp":       now.Add(lifetime).Unix(),
			"firebase": map[string]any{
				"identities":       map[string]any{},
				"sign_in_provider": "custom",
			},
		},
	}
}

func header(kid string) map[string]any {
	return map[string]any{"alg": "RS256", "kid": kid, "typ": "JWT"}
}

// Firebase returns the payload's firebase object, replacing the claim with
// an empty object if it is missing or not an object.
func (t *Token) Firebase() map[string]any {
	fb, ok := t.Payload["firebase"].(map[string]any)
	if !ok {
		fb = map[string]any{}
		t.Payload["firebase"] = fb
	}
	return fb
}

// Encode returns the header and payload as JSON.
func (t *Token) Encode() (header, payload []byte, err error) {
	if header, err = json.Marshal(t.Header); err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	if payload, err = json.Marshal(t.Payload); err != nil {
		return nil, nil, fmt.Errorf("payload: %w", err)
	}
	return header, payload, nil
}

// Sign encodes the token and signs it with RS256 by key.
func (t *Token) Sign(key *rsa.PrivateKey) (string, error) {
	header, payload, err := t.Encode()
	if err != nil {
		return "", err
	}
	return Sign(key, header, payload)
}

// Unsigned encodes the token with an empty signature.
func (t *Token) Unsigned() (string, error) {
	header, payload, err := t.Encode()
	if err != nil {
		return "", err
	}
	return Unsigned(header, payload), nil
}

// Sign returns a compact JWS of header and payload, exactly as given,
// signed with RS256 (RSASSA-PKCS1-v1_5 over SHA-256) by key.
func Sign(key *rsa.PrivateKey, header, payload []byte) (string, error) {
	if key == nil {
		return "", errors.New("no signing key")
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// Unsigned returns header and payload as a compact JWS with an empty
// signature, as the Firebase Auth emulator issues.
func Unsigned(header, payload []byte) string {
	return base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
}

// GenerateKey makes a new KeyBits-bit RSA key.
func GenerateKey() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, KeyBits)
}

// RandomKeyID returns a random kid: 40 hex digits, as long as Google's.
func RandomKeyID() (string, error) {
	var id [20]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(id[:]), nil
}

// ParseKey reads a PEM RSA private key, PKCS #1 or PKCS #8.
func ParseKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

// EncodeKey returns key as a PKCS #8 PEM block, the inverse of ParseKey.
func EncodeKey(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Certificate returns a self-signed X.509 certificate for key, named as
// Google's are and valid from 2020 to 2100. It is the same for the same
// key: the serial number and dates are fixed and RSA PKCS #1 v1.5
// signatures are deterministic.
func Certificate(key *rsa.PrivateKey) (*x509.Certificate, error) {
	if key == nil {
		return nil, errors.New("no private key")
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "securetoken.system.gserviceaccount.com"},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// CertificatePEM returns cert as a PEM block.
func CertificatePEM(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}
