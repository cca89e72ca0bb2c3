// Package verifytest is a fake Firebase token issuer for tests, in the
// spirit of net/http/httptest: a Signer holds RSA keys, mints
// Firebase-shaped tokens with sensible defaults and overrides for every
// claim and header, serves its keys in Google's two shapes, rotates keys,
// and builds a Verifier wired to itself.
//
// Nothing here is for production: the Signer's keys live in memory and
// anyone holding the Signer can mint any token.
package verifytest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest/mint"
)

// KeyBits is the size of the keys a Signer generates, as Google's.
const KeyBits = mint.KeyBits

// Key is one signing key of a Signer.
type Key struct {
	// ID is the key's kid.
	ID string
	// Private is the RSA private key.
	Private *rsa.PrivateKey
	// CertificatePEM is a self-signed X.509 certificate for the key, as in
	// Google's certificate map.
	CertificatePEM string
}

// Signer is a fake Firebase issuer. It is safe for concurrent use.
type Signer struct {
	projectID string
	now       func() time.Time

	mu     sync.Mutex
	keys   []*Key // keys[0] signs; all are published
	maxAge time.Duration

	requests atomic.Int64
	server   *httptest.Server
}

// SignerOption configures a Signer.
type SignerOption func(*Signer) error

// WithClock sets the clock that dates minted tokens. If not given, time.Now.
func WithClock(now func() time.Time) SignerOption {
	return func(s *Signer) error {
		s.now = now
		return nil
	}
}

// WithKey makes key, named kid, the Signer's signing key instead of a
// freshly generated one (see LoadKey). The key must be one package jwks
// accepts (jwks.MinKeyBits to jwks.MaxKeyBits), since the Signer publishes
// it.
func WithKey(key *rsa.PrivateKey, kid string) SignerOption {
	return func(s *Signer) error {
		if key != nil {
			if _, err := jwks.NewStatic(map[string]*rsa.PublicKey{kid: &key.PublicKey}); err != nil {
				return err
			}
		}
		k, err := newKey(key, kid)
		if err != nil {
			return err
		}
		s.keys = []*Key{k}
		return nil
	}
}

// NewSigner makes a Signer for projectID with a fresh 2048-bit key. Like
// httptest.NewServer it panics if it cannot (crypto/rand failing, or a bad
// option), since it is for tests and start-up of test fixtures only.
func NewSigner(projectID string, opts ...SignerOption) *Signer {
	s := &Signer{projectID: projectID, now: time.Now, maxAge: time.Hour}
	for _, opt := range opts {
		if err := opt(s); err != nil {
			panic("verifytest: " + err.Error())
		}
	}
	if len(s.keys) == 0 {
		s.keys = []*Key{GenerateKey()}
	}
	return s
}

// GenerateKey makes a new 2048-bit key with a random kid. It panics if
// crypto/rand fails.
func GenerateKey() *Key {
	priv, err := mint.GenerateKey()
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	kid, err := mint.RandomKeyID()
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	k, err := newKey(priv, kid)
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	return k
}

// LoadKey parses a PEM private key (PKCS #1 or PKCS #8 RSA).
func LoadKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	k, err := mint.ParseKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("verifytest: %w", err)
	}
	return k, nil
}

// EncodeKey returns key as a PKCS #8 PEM block, the inverse of LoadKey.
func EncodeKey(key *rsa.PrivateKey) []byte {
	b, err := mint.EncodeKey(key)
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	return b
}

func newKey(priv *rsa.PrivateKey, kid string) (*Key, error) {
	if priv == nil || kid == "" {
		return nil, errors.New("a key needs a private key and a kid")
	}
	cert, err := mint.Certificate(priv)
	if err != nil {
		return nil, err
	}
	return &Key{ID: kid, Private: priv, CertificatePEM: string(mint.CertificatePEM(cert))}, nil
}

// ProjectID returns the Signer's project.
func (s *Signer) ProjectID() string { return s.projectID }

// Now returns the Signer's clock reading.
func (s *Signer) Now() time.Time { return s.now() }

// Key returns the current signing key.
func (s *Signer) Key() *Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[0]
}

// Rotate makes a new key the signing key and returns it. The old keys stay
// published until RetireOldKeys, as Google does during a rotation.
func (s *Signer) Rotate() *Key {
	k := GenerateKey()
	s.mu.Lock()
	s.keys = append([]*Key{k}, s.keys...)
	s.mu.Unlock()
	return k
}

// RetireOldKeys stops publishing every key but the signing key.
func (s *Signer) RetireOldKeys() {
	s.mu.Lock()
	s.keys = s.keys[:1]
	s.mu.Unlock()
}

// SetMaxAge sets the Cache-Control max-age the key server sends (one hour
// unless set).
func (s *Signer) SetMaxAge(d time.Duration) {
	s.mu.Lock()
	s.maxAge = d
	s.mu.Unlock()
}

// published returns a copy of the published keys.
func (s *Signer) published() []*Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Key(nil), s.keys...)
}

// JWKS returns the published keys as a JWK Set, in the shape of Google's
// securetoken endpoint (jwks.EncodeJWKS).
func (s *Signer) JWKS() []byte {
	out, err := jwks.EncodeJWKS(s.publicKeys())
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	return out
}

// X509 returns the published keys as a map of key ID to PEM certificate,
// in the shape of Google's robot/v1/metadata/x509 endpoints
// (jwks.EncodeX509).
func (s *Signer) X509() []byte {
	certs := map[string]*x509.Certificate{}
	for _, k := range s.published() {
		block, _ := pem.Decode([]byte(k.CertificatePEM))
		if block == nil {
			panic(fmt.Sprintf("verifytest: key %q: CertificatePEM holds no PEM block", k.ID))
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			panic(fmt.Sprintf("verifytest: key %q: %v", k.ID, err))
		}
		certs[k.ID] = cert
	}
	out, err := jwks.EncodeX509(certs)
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	return out
}

// KeySource returns the published keys as a static key source, for tests
// that need no HTTP at all.
func (s *Signer) KeySource() *jwks.Static {
	st, err := jwks.NewStatic(s.publicKeys())
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	return st
}

// publicKeys returns the published keys by ID.
func (s *Signer) publicKeys() map[string]*rsa.PublicKey {
	keys := map[string]*rsa.PublicKey{}
	for _, k := range s.published() {
		keys[k.ID] = &k.Private.PublicKey
	}
	return keys
}

// ServeHTTP serves the published keys: /jwks as a JWK Set and /x509 as a
// certificate map, each with Cache-Control max-age. Every request is
// counted (see Requests). Wrap it to make a misbehaving key endpoint.
func (s *Signer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	var body []byte
	switch r.URL.Path {
	case "/jwks":
		body = s.JWKS()
	case "/x509":
		body = s.X509()
	default:
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	maxAge := s.maxAge
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d, must-revalidate, no-transform", int(maxAge/time.Second)))
	_, _ = w.Write(body)
}

// Requests counts the requests ServeHTTP has answered.
func (s *Signer) Requests() int { return int(s.requests.Load()) }

// URL starts the key server on loopback, if it is not running, and returns
// its base URL; the JWK Set is at URL()+"/jwks" and the certificate map at
// URL()+"/x509". Close stops it.
func (s *Signer) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.server == nil {
		s.server = httptest.NewServer(s)
	}
	return s.server.URL
}

// Close stops the key server, if it runs.
func (s *Signer) Close() {
	s.mu.Lock()
	srv := s.server
	s.server = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// Remote returns a jwks.Remote on the Signer's key server (started if
// need be) with the Signer's clock. opts may set anything else.
func (s *Signer) Remote(opts jwks.RemoteOptions) *jwks.Remote {
	if opts.Now == nil {
		opts.Now = s.now
	}
	r, err := jwks.NewRemote(s.URL()+"/jwks", opts)
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	return r
}

// Verifier returns a Verifier for the Signer's project that fetches keys
// from the Signer's key server through a jwks.Remote and shares the
// Signer's clock: the whole production path, on loopback. opts come after
// those defaults, so they may replace them.
func (s *Signer) Verifier(opts ...verify.Option) (*verify.Verifier, error) {
	base := []verify.Option{
		verify.WithKeySource(s.Remote(jwks.RemoteOptions{})),
		verify.WithClock(s.now),
	}
	return verify.New(s.projectID, append(base, opts...)...)
}

// SessionCookieVerifier is Verifier for session cookies: a
// verify.NewSessionCookieVerifier wired to s the same way.
func (s *Signer) SessionCookieVerifier(opts ...verify.Option) (*verify.Verifier, error) {
	base := []verify.Option{
		verify.WithKeySource(s.Remote(jwks.RemoteOptions{})),
		verify.WithClock(s.now),
	}
	return verify.NewSessionCookieVerifier(s.projectID, append(base, opts...)...)
}

// Sign returns a compact JWS of header and payload, exactly as given,
// signed with RS256 by the signing key: the way to build hostile tokens
// (duplicate keys, odd types) that are still correctly signed.
func (s *Signer) Sign(header, payload []byte) string {
	return SignWith(s.Key().Private, header, payload)
}

// SignWith is Sign with any key, such as one that is not published.
func SignWith(key *rsa.PrivateKey, header, payload []byte) string {
	token, err := mint.Sign(key, header, payload)
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	return token
}

// Unsigned returns header and payload as an unsigned compact JWS with an
// empty signature, as the Firebase Auth emulator issues.
func Unsigned(header, payload []byte) string {
	return mint.Unsigned(header, payload)
}
