package jwks

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"os"
	"sort"

	"github.com/MicahParks/keyfunc/v3"
)

// Google's key endpoints.
const (
	// IDTokenJWKSURL serves the keys of Firebase ID tokens as a JWK Set.
	IDTokenJWKSURL = "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com"
	// IDTokenX509URL serves the same keys as a map of key ID to X.509 PEM certificate.
	IDTokenX509URL = "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
	// SessionCookieX509URL serves the keys of Firebase session cookies as a
	// map of key ID to X.509 PEM certificate.
	SessionCookieX509URL = "https://www.googleapis.com/identitytoolkit/v3/relyingparty/publicKeys"
	// AppCheckJWKSURL serves the keys of Firebase App Check tokens as a JWK Set.
	AppCheckJWKSURL = "https://firebaseappcheck.googleapis.com/v1/jwks"
)

// Key size bounds. Google's keys are 2048 bits; smaller keys are forgeable
// and much larger ones would make every verification slow.
const (
	MinKeyBits = 2048
	MaxKeyBits = 8192
)

// Errors. Every error from this package wraps one of them.
var (
	// ErrUnknownKey: the source has no key with the token's kid, even after
	// any refresh it was allowed to make.
	ErrUnknownKey = errors.New("jwks: unknown key ID")
	// ErrKeysUnavailable: the source has no keys at all, because fetching
	// them failed or it was closed.
	ErrKeysUnavailable = errors.New("jwks: keys unavailable")
	// ErrInvalidKeySet: a key set document could not be used: bad JSON, an
	// unknown shape, a member named twice in one object (so a key ID given
	// twice in either shape, or two "keys" arrays), a private key, or no
	// usable RSA key.
	ErrInvalidKeySet = errors.New("jwks: invalid key set")
)

// KeySource gives the RSA public key for a key ID. Implementations must be
// safe for concurrent use.
//
// The verifiers in package verify prepare each key they are given once and
// recognize it afterwards by its pointer, so a source that returns the same
// *rsa.PublicKey for a key until the key changes (as Static and Remote do)
// keeps verification fast. A new pointer on every call still works, at the
// cost of preparing the key again each time.
type KeySource interface {
	// PublicKey returns the key named kid, or an error wrapping ErrUnknownKey
	// or ErrKeysUnavailable.
	PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, error)
}

// Static is a fixed set of keys: for tests, and for airgapped services that
// ship a snapshot of Google's keys.
type Static struct {
	keys map[string]*rsa.PublicKey
}

// NewStatic makes a Static source from keys by ID. It refuses an empty set
// and keys outside MinKeyBits..MaxKeyBits. The map is copied.
func NewStatic(keys map[string]*rsa.PublicKey) (*Static, error) {
	if err := checkKeys(keys); err != nil {
		return nil, err
	}
	return &Static{keys: maps.Clone(keys)}, nil
}

// ParseKeySet makes a Static source from a key set document in either of
// Google's shapes, told apart by their content: a JWK Set ({"keys": [...]})
// or a map of key ID to X.509 PEM certificate. Keys that are not RSA
// signature keys are skipped; a set with none left is refused. A document
// that names a member twice in one object (a key ID, a JWK field, the
// "keys" array), exactly or differing only in case, or that holds a
// private key, is refused whole with ErrInvalidKeySet.
func ParseKeySet(data []byte) (*Static, error) {
	keys, err := parseKeySet(data)
	if err != nil {
		return nil, err
	}
	return &Static{keys: keys}, nil
}

// LoadFile reads a key set document from a file and parses it with
// ParseKeySet.
func LoadFile(path string) (*Static, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	s, err := ParseKeySet(data)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return s, nil
}

// PublicKey implements KeySource.
func (s *Static) PublicKey(_ context.Context, kid string) (*rsa.PublicKey, error) {
	if k, ok := s.keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownKey, kid)
}

// KeyIDs lists the IDs of the keys in the set, sorted.
func (s *Static) KeyIDs() []string {
	return sortedIDs(s.keys)
}

func sortedIDs(keys map[string]*rsa.PublicKey) []string {
	ids := make([]string, 0, len(keys))
	for kid := range keys {
		ids = append(ids, kid)
	}
	sort.Strings(ids)
	return ids
}

func checkKey(kid string, k *rsa.PublicKey) error {
	if kid == "" {
		return fmt.Errorf("%w: empty key ID", ErrInvalidKeySet)
	}
	if k == nil || k.N == nil {
		return fmt.Errorf("%w: key %q is nil", ErrInvalidKeySet, kid)
	}
	if bits := k.N.BitLen(); bits < MinKeyBits || bits > MaxKeyBits {
		return fmt.Errorf("%w: key %q has %d bits, want %d to %d", ErrInvalidKeySet, kid, bits, MinKeyBits, MaxKeyBits)
	}
	if k.E < 3 || k.E%2 == 0 {
		return fmt.Errorf("%w: key %q has a bad public exponent", ErrInvalidKeySet, kid)
	}
	return nil
}

// parseKeySet reads either of Google's key set shapes into usable keys.
func parseKeySet(data []byte) (map[string]*rsa.PublicKey, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", ErrInvalidKeySet, err)
	}
	if err := checkNoRepeatedMembers(data); err != nil {
		return nil, err
	}
	if raw, ok := doc["keys"]; ok && len(bytes.TrimSpace(raw)) > 0 && bytes.TrimSpace(raw)[0] == '[' {
		return parseJWKS(raw)
	}
	return parseX509Map(doc)
}

// jwkHead is what is read of a JWK before it is handed to keyfunc.
type jwkHead struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	// D is present only in a private key.
	D json.RawMessage `json:"d"`
}

func parseJWKS(rawKeys json.RawMessage) (map[string]*rsa.PublicKey, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(rawKeys, &list); err != nil {
		return nil, fmt.Errorf("%w: keys: %v", ErrInvalidKeySet, err)
	}
	keys := make(map[string]*rsa.PublicKey, len(list))
	var skipped []string
	for i, raw := range list {
		var head jwkHead
		err := json.Unmarshal(raw, &head)
		if head.D != nil {
			// A published private key means the publisher's set-up is
			// compromised: nothing in this set can be trusted. (Unmarshal
			// fills what it can even when another field is mistyped.)
			return nil, fmt.Errorf("%w: key %d (kid %q) carries a private exponent (d): a public key set must never hold a private key", ErrInvalidKeySet, i, head.Kid)
		}
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		switch {
		case head.Kty != "RSA":
			skipped = append(skipped, fmt.Sprintf("key %q: kty %q is not RSA", head.Kid, head.Kty))
			continue
		case head.Use != "" && head.Use != "sig":
			skipped = append(skipped, fmt.Sprintf("key %q: use %q is not sig", head.Kid, head.Use))
			continue
		case head.Alg != "" && head.Alg != "RS256":
			skipped = append(skipped, fmt.Sprintf("key %q: alg %q is not RS256", head.Kid, head.Alg))
			continue
		}
		key, err := rsaFromJWK(raw, head.Kid)
		if err == nil {
			err = checkKey(head.Kid, key)
		}
		if err != nil {
			skipped = append(skipped, err.Error())
			continue
		}
		if _, dup := keys[head.Kid]; dup {
			return nil, fmt.Errorf("%w: key ID %q appears twice", ErrInvalidKeySet, head.Kid)
		}
		keys[head.Kid] = key
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no usable RSA signing key (%d in the set%s)", ErrInvalidKeySet, len(list), skippedNote(skipped))
	}
	return keys, nil
}

// rsaFromJWK decodes one JWK through keyfunc, which validates its fields.
func rsaFromJWK(raw json.RawMessage, kid string) (*rsa.PublicKey, error) {
	kf, err := keyfunc.NewJWKJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: key %q: %v", ErrInvalidKeySet, kid, err)
	}
	jwk, err := kf.Storage().KeyRead(context.Background(), kid)
	if err != nil {
		return nil, fmt.Errorf("%w: key %q: %v", ErrInvalidKeySet, kid, err)
	}
	key, ok := jwk.Key().(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: key %q is not an RSA public key", ErrInvalidKeySet, kid)
	}
	return key, nil
}

func parseX509Map(doc map[string]json.RawMessage) (map[string]*rsa.PublicKey, error) {
	keys := make(map[string]*rsa.PublicKey, len(doc))
	var skipped []string
	for kid, raw := range doc {
		var certPEM string
		if err := json.Unmarshal(raw, &certPEM); err != nil {
			return nil, fmt.Errorf("%w: neither a JWK Set nor a map of key ID to PEM certificate (%q is not a string)", ErrInvalidKeySet, kid)
		}
		key, err := rsaFromCertificate(certPEM)
		if err == nil {
			err = checkKey(kid, key)
		}
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %q: %v", kid, err))
			continue
		}
		keys[kid] = key
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no usable RSA certificate (%d in the map%s)", ErrInvalidKeySet, len(doc), skippedNote(skipped))
	}
	return keys, nil
}

func rsaFromCertificate(certPEM string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("certificate key is not RSA")
	}
	return key, nil
}

func skippedNote(skipped []string) string {
	if len(skipped) == 0 {
		return ""
	}
	sort.Strings(skipped)
	if len(skipped) > 3 {
		skipped = append(skipped[:3], "...")
	}
	return "; skipped: " + fmt.Sprint(skipped)
}
