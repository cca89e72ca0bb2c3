package verifytest

import (
	"crypto/rsa"
	"encoding/json"
	"time"

	"github.com/fbverify/fbverify/claims"
)

// TokenOption changes one thing about a minted token.
type TokenOption func(*tokenSpec)

type tokenSpec struct {
	header  map[string]any
	payload map[string]any
	key     *Key
}

// Claim sets a top-level claim to value (any JSON-encodable value, so a
// test can give a claim the wrong type), replacing the default.
func Claim(name string, value any) TokenOption {
	return func(t *tokenSpec) { t.payload[name] = value }
}

// WithoutClaim removes a claim.
func WithoutClaim(name string) TokenOption {
	return func(t *tokenSpec) { delete(t.payload, name) }
}

// Header sets a header parameter to value, replacing the default.
func Header(name string, value any) TokenOption {
	return func(t *tokenSpec) { t.header[name] = value }
}

// WithoutHeader removes a header parameter.
func WithoutHeader(name string) TokenOption {
	return func(t *tokenSpec) { delete(t.header, name) }
}

// IssuedAt dates the token: iat and auth_time become at, and exp one hour
// later.
func IssuedAt(at time.Time) TokenOption {
	return func(t *tokenSpec) {
		t.payload["iat"] = at.Unix()
		t.payload["auth_time"] = at.Unix()
		t.payload["exp"] = at.Add(time.Hour).Unix()
	}
}

// ExpiresAt sets exp.
func ExpiresAt(at time.Time) TokenOption {
	return func(t *tokenSpec) { t.payload["exp"] = at.Unix() }
}

// AuthTime sets auth_time, when the user signed in.
func AuthTime(at time.Time) TokenOption {
	return func(t *tokenSpec) { t.payload["auth_time"] = at.Unix() }
}

// Project makes the token one of another project: aud and iss both.
func Project(projectID string) TokenOption {
	return func(t *tokenSpec) {
		iss, _ := t.payload["iss"].(string)
		prefix := claims.IDTokenIssuerPrefix
		if len(iss) >= len(claims.SessionCookieIssuerPrefix) && iss[:len(claims.SessionCookieIssuerPrefix)] == claims.SessionCookieIssuerPrefix {
			prefix = claims.SessionCookieIssuerPrefix
		}
		t.payload["aud"] = projectID
		t.payload["iss"] = prefix + projectID
	}
}

// Email sets email and email_verified, and the password provider's identity.
func Email(address string, verified bool) TokenOption {
	return func(t *tokenSpec) {
		t.payload["email"] = address
		t.payload["email_verified"] = verified
		fb := t.firebase()
		fb["identities"] = map[string]any{"email": []string{address}}
		fb["sign_in_provider"] = "password"
	}
}

// Tenant sets firebase.tenant.
func Tenant(tenantID string) TokenOption {
	return func(t *tokenSpec) { t.firebase()["tenant"] = tenantID }
}

// SignInProvider sets firebase.sign_in_provider.
func SignInProvider(provider string) TokenOption {
	return func(t *tokenSpec) { t.firebase()["sign_in_provider"] = provider }
}

// SignedBy signs the token with key instead of the Signer's signing key;
// its kid header becomes key.ID. Use a key from GenerateKey to make a
// token whose signature is valid but whose key is not published.
func SignedBy(key *Key) TokenOption {
	return func(t *tokenSpec) {
		t.key = key
		t.header["kid"] = key.ID
	}
}

func (t *tokenSpec) firebase() map[string]any {
	fb, ok := t.payload["firebase"].(map[string]any)
	if !ok {
		fb = map[string]any{}
		t.payload["firebase"] = fb
	}
	return fb
}

// IDToken mints an ID token for uid, as Firebase Authentication issues
// one: RS256 with the signing key's kid, aud the project, iss
// https://securetoken.google.com/<project>, iat and auth_time now, exp an
// hour later, and a firebase claim for the "custom" provider. opts change
// any of it.
func (s *Signer) IDToken(uid string, opts ...TokenOption) string {
	return s.mint(claims.IDTokenIssuerPrefix, uid, opts)
}

// SessionCookie mints a session cookie for uid: as IDToken, but with iss
// https://session.firebase.google.com/<project> and a lifetime of one day.
func (s *Signer) SessionCookie(uid string, opts ...TokenOption) string {
	now := s.now()
	opts = append([]TokenOption{ExpiresAt(now.Add(24 * time.Hour))}, opts...)
	return s.mint(claims.SessionCookieIssuerPrefix, uid, opts)
}

// EmulatorIDToken mints an ID token the way the Firebase Auth emulator
// does: alg "none", no kid, and an empty signature.
func (s *Signer) EmulatorIDToken(uid string, opts ...TokenOption) string {
	opts = append([]TokenOption{Header("alg", "none"), WithoutHeader("kid")}, opts...)
	header, payload, _ := s.build(claims.IDTokenIssuerPrefix, uid, opts)
	return Unsigned(header, payload)
}

func (s *Signer) mint(issuerPrefix, uid string, opts []TokenOption) string {
	header, payload, key := s.build(issuerPrefix, uid, opts)
	return SignWith(key, header, payload)
}

// build applies opts to the default header and payload of an ID token or
// session cookie, and encodes them.
func (s *Signer) build(issuerPrefix, uid string, opts []TokenOption) (header, payload []byte, key *rsa.PrivateKey) {
	now := s.now()
	return s.encode(map[string]any{
		"iss":       issuerPrefix + s.projectID,
		"aud":       s.projectID,
		"sub":       uid,
		"user_id":   uid,
		"iat":       now.Unix(),
		"auth_time": now.Unix(),
		"exp":       now.Add(time.Hour).Unix(),
		"firebase": map[string]any{
			"identities":       map[string]any{},
			"sign_in_provider": "custom",
		},
	}, opts)
}

// AppCheckToken mints a Firebase App Check token for appID in the project
// with the given number: RS256 with typ "JWT", iss
// https://firebaseappcheck.googleapis.com/<number>, aud
// ["projects/<number>", "projects/<project ID>"], exp an hour after iat.
func (s *Signer) AppCheckToken(projectNumber, appID string, opts ...TokenOption) string {
	now := s.now()
	header, payload, key := s.encode(map[string]any{
		"iss": claims.AppCheckIssuerPrefix + projectNumber,
		"aud": []string{"projects/" + projectNumber, "projects/" + s.projectID},
		"sub": appID,
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}, opts)
	return SignWith(key, header, payload)
}

// encode applies opts to the default header and the given payload.
func (s *Signer) encode(payload map[string]any, opts []TokenOption) (header, body []byte, key *rsa.PrivateKey) {
	signing := s.Key()
	t := &tokenSpec{
		header:  map[string]any{"alg": "RS256", "kid": signing.ID, "typ": "JWT"},
		payload: payload,
		key:     signing,
	}
	for _, opt := range opts {
		opt(t)
	}
	header, err := json.Marshal(t.header)
	if err != nil {
		panic("verifytest: header: " + err.Error())
	}
	body, err = json.Marshal(t.payload)
	if err != nil {
		panic("verifytest: payload: " + err.Error())
	}
	return header, body, t.key.Private
}
