package jwks

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
)

// EncodeJWKS returns keys as a JWK Set in the shape of Google's
// securetoken endpoint: one object per key with kty "RSA", alg "RS256",
// use "sig", kid, n and e, in key ID order, indented, with a final
// newline. ParseKeySet reads it back. It refuses an empty set, an empty
// key ID and the keys NewStatic refuses, with ErrInvalidKeySet.
func EncodeJWKS(keys map[string]*rsa.PublicKey) ([]byte, error) {
	type jwk struct {
		Kty string `json:"kty"`
		Alg string `json:"alg"`
		Use string `json:"use"`
		Kid string `json:"kid"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	if err := checkKeys(keys); err != nil {
		return nil, err
	}
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(keys))}
	for _, kid := range sortedIDs(keys) {
		k := keys[kid]
		set.Keys = append(set.Keys, jwk{
			Kty: "RSA", Alg: "RS256", Use: "sig", Kid: kid,
			N: base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
		})
	}
	return marshalDocument(set)
}

// EncodeX509 returns certs as a map of key ID to PEM certificate, the
// shape of Google's robot/v1/metadata/x509 endpoints, in key ID order,
// indented, with a final newline. ParseKeySet reads it back. Each
// certificate must hold an RSA public key that NewStatic accepts; the set
// must not be empty.
//
// This package holds no private keys, so it makes no certificates: a
// publisher of its own keys creates them with crypto/x509's
// CreateCertificate (as "fbverify jwks --x509" does, self-signed).
func EncodeX509(certs map[string]*x509.Certificate) ([]byte, error) {
	keys := make(map[string]*rsa.PublicKey, len(certs))
	doc := make(map[string]string, len(certs))
	for kid, cert := range certs {
		if cert == nil {
			return nil, fmt.Errorf("%w: certificate %q is nil", ErrInvalidKeySet, kid)
		}
		if len(cert.Raw) == 0 {
			return nil, fmt.Errorf("%w: certificate %q has no DER encoding (Raw): pass one from x509.ParseCertificate", ErrInvalidKeySet, kid)
		}
		key, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: certificate %q holds a %T, want an RSA public key", ErrInvalidKeySet, kid, cert.PublicKey)
		}
		keys[kid] = key
		doc[kid] = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	}
	if err := checkKeys(keys); err != nil {
		return nil, err
	}
	return marshalDocument(doc)
}

// checkKeys refuses an empty set and any key NewStatic refuses.
func checkKeys(keys map[string]*rsa.PublicKey) error {
	if len(keys) == 0 {
		return fmt.Errorf("%w: no keys", ErrInvalidKeySet)
	}
	for _, kid := range sortedIDs(keys) {
		if err := checkKey(kid, keys[kid]); err != nil {
			return err
		}
	}
	return nil
}

// marshalDocument indents v as Google does and ends it with a newline.
func marshalDocument(v any) ([]byte, error) {
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	return append(out, '\n'), nil
}
