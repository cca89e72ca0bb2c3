package verifytest

import (
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/verify/verifytest/mint"
)

// TokenOption changes one thing about a minted token.
type TokenOption interface {
	applyToToken(*tokenSpec)
}

// tokenOption is a TokenOption that makes one change.
type tokenOption func(*tokenSpec)

func (f tokenOption) applyToToken(t *tokenSpec) { f(t) }

type tokenSpec struct {
	*mint.Token
	key *Key
}

// Claim sets a top-level claim to value (any JSON-encodable value, so a
// test can give a claim the wrong type), replacing the default.
func Claim(name string, value any) TokenOption {
	return tokenOption(func(t *tokenSpec) { t.Payload[name] = value })
}

// WithoutClaim removes a claim.
func WithoutClaim(name string) TokenOption {
	return tokenOption(func(t *tokenSpec) { delete(t.Payload, name) })
}

// Header sets a header parameter to value, replacing the default.
func Header(name string, value any) TokenOption {
	return tokenOption(func(t *tokenSpec) { t.Header[name] = value })
}

// WithoutHeader removes a header parameter.
func WithoutHeader(name string) TokenOption {
	return tokenOption(func(t *tokenSpec) { delete(t.Header, name) })
}

// IssuedAt dates the token: iat and auth_time become at, and exp one hour
// later.
func IssuedAt(at time.Time) TokenOption {
	return tokenOption(func(t *tokenSpec) {
		t.Payload["iat"] = at.Unix()
		t.Payload["auth_time"] = at.Unix()
		t.Payload["exp"] = at.Add(time.Hour).Unix()
	})
}

// ExpiresAt sets exp.
func ExpiresAt(at time.Time) TokenOption {
	return tokenOption(func(t *tokenSpec) { t.Payload["exp"] = at.Unix() })
}

// AuthTime sets auth_time, when the user signed in.
func AuthTime(at time.Time) TokenOption {
	return tokenOption(func(t *tokenSpec) { t.Payload["auth_time"] = at.Unix() })
}

// Project makes the token one of another project: aud and iss both.
func Project(projectID string) TokenOption {
	return tokenOption(func(t *tokenSpec) {
		iss, _ := t.Payload["iss"].(string)
		prefix := claimcheck.IDTokenIssuerPrefix
		if len(iss) >= len(claimcheck.SessionCookieIssuerPrefix) && iss[:len(claimcheck.SessionCookieIssuerPrefix)] == claimcheck.SessionCookieIssuerPrefix {
			prefix = claimcheck.SessionCookieIssuerPrefix
		}
		t.Payload["aud"] = projectID
		t.Payload["iss"] = prefix + projectID
	})
}

// Email sets email and email_verified, and the password provider's identity.
func Email(address string, verified bool) TokenOption {
	return tokenOption(func(t *tokenSpec) {
		t.Payload["email"] = address
		t.Payload["email_verified"] = verified
		fb := t.Firebase()
		fb["identities"] = map[string]any{"email": []string{address}}
		fb["sign_in_provider"] = "password"
	})
}

// Tenant sets firebase.tenant.
func Tenant(tenantID string) TokenOption {
	return tokenOption(func(t *tokenSpec) { t.Firebase()["tenant"] = tenantID })
}

// SignInProvider sets firebase.sign_in_provider.
func SignInProvider(provider string) TokenOption {
	return tokenOption(func(t *tokenSpec) { t.Firebase()["sign_in_provider"] = provider })
}

// SignedBy signs the token with key instead of the Signer's signing key;
// its kid header becomes key.ID. Use a key from GenerateKey to make a
// token whose signature is valid but whose key is not published.
func SignedBy(key *Key) TokenOption {
	return tokenOption(func(t *tokenSpec) {
		t.key = key
		t.Header["kid"] = key.ID
	})
}

// IDToken mints an ID token for uid, as Firebase Authentication issues
// one: RS256 with the signing key's kid, aud the project, iss
// https://securetoken.google.com/<project>, iat and auth_time now, exp an
// hour later, and a firebase claim for the "custom" provider. opts change
// any of it.
func (s *Signer) IDToken(uid string, opts ...TokenOption) string {
	key := s.Key()
	return sign(key, mint.IDToken(s.projectID, uid, key.ID, s.now()), opts)
}

// SessionCookie mints a session cookie for uid: as IDToken, but with iss
// https://session.firebase.google.com/<project> and a lifetime of one day.
func (s *Signer) SessionCookie(uid string, opts ...TokenOption) string {
	key := s.Key()
	return sign(key, mint.SessionCookie(s.projectID, uid, key.ID, s.now()), opts)
}

// EmulatorIDToken mints an ID token the way the Firebase Auth emulator
// does: alg "none", no kid, and an empty signature.
func (s *Signer) EmulatorIDToken(uid string, opts ...TokenOption) string {
	t := apply(nil, mint.EmulatorIDToken(s.projectID, uid, s.now()), opts)
	token, err := t.Unsigned()
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	return token
}

// AppCheckToken mints a Firebase App Check token for appID in the project
// with the given number: RS256 with typ "JWT", iss
// https://firebaseappcheck.googleapis.com/<number>, aud
// ["projects/<number>", "projects/<project ID>"], exp an hour after iat.
func (s *Signer) AppCheckToken(projectNumber, appID string, opts ...TokenOption) string {
	key := s.Key()
	return sign(key, mint.AppCheckToken(projectNumber, s.projectID, appID, key.ID, s.now()), opts)
}

// sign applies opts to token and signs it with key, or the key SignedBy
// chose.
func sign(key *Key, token *mint.Token, opts []TokenOption) string {
	t := apply(key, token, opts)
	signed, err := t.Sign(t.key.Private)
	if err != nil {
		panic("verifytest: " + err.Error())
	}
	return signed
}

// apply applies opts to token, to be signed by key unless one of them
// says otherwise.
func apply(key *Key, token *mint.Token, opts []TokenOption) *tokenSpec {
	t := &tokenSpec{Token: token, key: key}
	for _, opt := range opts {
		opt.applyToToken(t)
	}
	return t
}
