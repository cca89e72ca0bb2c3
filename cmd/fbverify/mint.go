package main

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest/mint"
)

const mintUsage = `Usage: fbverify mint --key FILE --uid UID [flags]

Mints a Firebase-shaped test token signed with the RSA key in FILE (a PEM
private key). If FILE does not exist, a new 2048-bit key is generated and
saved there (mode 0600). The key's kid is derived from its public key (hex
of the first 20 bytes of the SHA-256 of its DER encoding) unless --kid is
given. Publish the key with "fbverify jwks --key FILE > keys.json", then
"fbverify verify --keys keys.json" accepts the token: no network needed.

With --emulator it mints an unsigned ID token (alg "none", empty
signature) as the Firebase Auth emulator does, and needs no key; only
"fbverify verify --emulator" accepts it.

Never use such a key for anything but tests.
`

const mintExamples = `  fbverify mint --key test-key.pem --project my-project --uid alice > token.txt
  fbverify jwks --key test-key.pem > keys.json
  fbverify verify --project my-project --keys keys.json < token.txt
  fbverify mint --key test-key.pem --project my-project --uid bob --claims '{"admin":true}' --ttl 10m
  fbverify mint --key test-key.pem --project my-project --uid carol --at 2026-01-01T00:00:00Z
  fbverify mint --emulator --project demo-project --uid dave | fbverify verify --project demo-project --emulator
`

const jwksUsage = `Usage: fbverify jwks --key FILE [--kid ID] [--x509]

Prints the public half of the key in FILE (as made by "fbverify mint") as
a JWK Set, or with --x509 as a map of kid to self-signed X.509 certificate:
the two shapes Google serves and "fbverify verify --keys" reads.
`

const jwksExamples = `  fbverify jwks --key test-key.pem > keys.json
  fbverify jwks --key test-key.pem --x509 > x509.json
`

// mintFlagsError says what is wrong with mint's required flags, or "".
func mintFlagsError(keyFile, uid string, emulator, session bool) string {
	switch {
	case keyFile == "" && !emulator:
		return "--key is required"
	case emulator && session:
		return "--emulator mints ID tokens only"
	case uid == "":
		return "--uid is required"
	}
	return ""
}

// newMintToken is the unsigned token mint starts from: an emulator ID
// token, a session cookie or an ID token.
func newMintToken(emulator, session bool, projectID, uid, kid string, issued time.Time) *mint.Token {
	switch {
	case emulator:
		return mint.EmulatorIDToken(projectID, uid, issued)
	case session:
		return mint.SessionCookie(projectID, uid, kid, issued)
	}
	return mint.IDToken(projectID, uid, kid, issued)
}

// maxCustomClaimsBytes bounds --claims.
const maxCustomClaimsBytes = 64 << 10

func (c *cli) mint(args []string) int {
	cmd := newCommand("mint", mintUsage, mintExamples)
	f := cmd.fs
	keyFile := f.String("key", "", "PEM private key `FILE`; created if missing (required)")
	kid := f.String("kid", "", "key `ID` for the kid header (default: derived from the public key)")
	project := f.String("project", "", "Firebase project `ID` (default $FIREBASE_PROJECT_ID, then $GOOGLE_CLOUD_PROJECT)")
	uid := f.String("uid", "", "the user's `UID`: sub and user_id (required)")
	extra := f.String("claims", "", "`JSON` object of claims merged into the payload, e.g. '{\"admin\":true}'")
	ttl := f.Duration("ttl", time.Hour, "lifetime: exp is iat plus this (Firebase ID tokens live at most 1h)")
	var at timeFlag
	f.Var(&at, "at", "issue time `TIME` (iat and auth_time), RFC 3339 or Unix seconds (default now)")
	session := f.Bool("session-cookie", false, "mint a session cookie (iss https://session.firebase.google.com/<project>)")
	tenant := f.String("tenant", "", "set firebase.tenant to `ID`")
	emulator := f.Bool("emulator", false, "mint an unsigned ID token (alg none) as the Firebase Auth emulator does; --key is then not needed")
	rest, stop, status := c.parse(cmd, args)
	if stop {
		return status
	}
	if len(rest) > 0 {
		return c.usageError(cmd, "unexpected argument %q", rest[0])
	}
	if msg := mintFlagsError(*keyFile, *uid, *emulator, *session); msg != "" {
		return c.usageError(cmd, "%s", msg)
	}
	projectID := c.project(*project)
	if projectID == "" {
		return c.usageError(cmd, "no project: pass --project or set FIREBASE_PROJECT_ID")
	}
	if err := verify.CheckProjectID(projectID); err != nil {
		// A token for a project ID that no verifier accepts tests nothing.
		return c.usageError(cmd, "%s", plainMessage(err))
	}
	if *ttl <= 0 {
		return c.usageError(cmd, "--ttl must be positive, got %v", *ttl)
	}
	var custom map[string]any
	if *extra != "" {
		var err error
		if custom, err = parseClaims(*extra); err != nil {
			return c.usageError(cmd, "--claims: %v", err)
		}
	}
	issued := c.now()
	if at.set {
		issued = at.t
	}
	var key *rsa.PrivateKey
	if *keyFile != "" {
		var err error
		if key, err = c.loadOrCreateKey(*keyFile); err != nil {
			fmt.Fprintf(c.stderr, "fbverify mint: %v\n", err)
			return exitUsage
		}
		if *kid == "" {
			*kid = deriveKeyID(&key.PublicKey)
		}
	}
	t := newMintToken(*emulator, *session, projectID, *uid, *kid, issued)
	t.Payload["exp"] = issued.Add(*ttl).Unix()
	maps.Copy(t.Payload, custom)
	if *tenant != "" {
		t.Firebase()["tenant"] = *tenant
	}
	var token string
	var err error
	if *emulator {
		token, err = t.Unsigned()
	} else {
		token, err = t.Sign(key)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "fbverify mint: %v\n", err)
		return exitUsage
	}
	fmt.Fprintln(c.stdout, token)
	return exitOK
}

func (c *cli) jwks(args []string) int {
	cmd := newCommand("jwks", jwksUsage, jwksExamples)
	f := cmd.fs
	keyFile := f.String("key", "", "PEM private key `FILE` (required)")
	kid := f.String("kid", "", "key `ID` (default: derived from the public key, as mint does)")
	x509Map := f.Bool("x509", false, "print a map of kid to X.509 certificate instead of a JWK Set")
	rest, stop, status := c.parse(cmd, args)
	if stop {
		return status
	}
	if len(rest) > 0 {
		return c.usageError(cmd, "unexpected argument %q", rest[0])
	}
	if *keyFile == "" {
		return c.usageError(cmd, "--key is required")
	}
	key, err := loadKey(*keyFile)
	if err != nil {
		fmt.Fprintf(c.stderr, "fbverify jwks: %v\n", err)
		return exitUsage
	}
	if *kid == "" {
		*kid = deriveKeyID(&key.PublicKey)
	}
	doc, err := encodePublicKey(key, *kid, *x509Map)
	if err != nil {
		fmt.Fprintf(c.stderr, "fbverify jwks: %s: %v\n", *keyFile, err)
		return exitUsage
	}
	_, _ = c.stdout.Write(doc)
	return exitOK
}

// encodePublicKey publishes the public half of key under kid as a JWK
// Set, or as a map of kid to a certificate self-signed with key.
func encodePublicKey(key *rsa.PrivateKey, kid string, x509Map bool) ([]byte, error) {
	if !x509Map {
		return jwks.EncodeJWKS(map[string]*rsa.PublicKey{kid: &key.PublicKey})
	}
	cert, err := mint.Certificate(key)
	if err != nil {
		return nil, err
	}
	return jwks.EncodeX509(map[string]*x509.Certificate{kid: cert})
}

// parseClaims reads --claims: one JSON object, numbers kept exact.
func parseClaims(s string) (map[string]any, error) {
	if len(s) > maxCustomClaimsBytes {
		return nil, fmt.Errorf("longer than %d bytes", maxCustomClaimsBytes)
	}
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, errors.New("want a JSON object, such as '{\"admin\":true}'")
	}
	if d.More() {
		return nil, errors.New("data after the JSON object")
	}
	return m, nil
}

// deriveKeyID names a key after its public half: hex of the first 20 bytes
// of the SHA-256 of its PKIX DER encoding, so the same key always gets the
// same kid.
func deriveKeyID(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("fbverify: marshal an RSA public key: " + err.Error()) // cannot happen for RSA
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:20])
}

// loadKey reads a PEM RSA private key of a usable size.
func loadKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := mint.ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if bits := key.N.BitLen(); bits < jwks.MinKeyBits || bits > jwks.MaxKeyBits {
		return nil, fmt.Errorf("%s: a %d-bit key; want %d to %d bits", path, bits, jwks.MinKeyBits, jwks.MaxKeyBits)
	}
	return key, nil
}

// loadOrCreateKey loads the key at path, or generates one and saves it
// there (0600, never overwriting a file) when there is none.
func (c *cli) loadOrCreateKey(path string) (*rsa.PrivateKey, error) {
	key, err := loadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	priv, err := mint.GenerateKey()
	if err != nil {
		return nil, err
	}
	encoded, err := mint.EncodeKey(priv)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(encoded); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	fmt.Fprintf(c.stderr, "fbverify: generated a new test key in %s (kid %s)\n", path, deriveKeyID(&priv.PublicKey))
	return priv, nil
}
