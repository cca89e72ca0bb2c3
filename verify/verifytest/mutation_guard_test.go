package verifytest_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// payloadOf decodes a minted token's payload.
func payloadOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWithKeyUsesTheGivenKey(t *testing.T) {
	k := verifytest.GenerateKey()
	s := verifytest.NewSigner("my-project", verifytest.WithKey(k.Private, "kid-1"))
	if got := s.Key(); got.ID != "kid-1" || !got.Private.Equal(k.Private) {
		t.Fatalf("signing key = %q, not the given key", got.ID)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("NewSigner accepted WithKey(nil, \"\")")
		}
	}()
	verifytest.NewSigner("my-project", verifytest.WithKey(nil, ""))
}

func TestSessionCookieShape(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := verifytest.NewSigner("my-project", verifytest.WithClock(func() time.Time { return at }))
	c := payloadOf(t, s.SessionCookie("u1"))
	if c["iss"] != "https://session.firebase.google.com/my-project" || c["aud"] != "my-project" {
		t.Fatalf("session cookie iss %v, aud %v", c["iss"], c["aud"])
	}
	if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != 24*3600 || iat != float64(at.Unix()) {
		t.Fatalf("session cookie iat %v, exp %v: want a lifetime of one day from the clock", iat, exp)
	}
	// Project keeps the kind of the token it changes.
	for _, c := range []struct {
		name  string
		token string
		iss   string
	}{
		{"session cookie", s.SessionCookie("u1", verifytest.Project("my-other")), "https://session.firebase.google.com/my-other"},
		{"ID token", s.IDToken("u1", verifytest.Project("my-other")), "https://securetoken.google.com/my-other"},
		{"bare session prefix", s.SessionCookie("u1", verifytest.Claim("iss", "https://session.firebase.google.com/"), verifytest.Project("my-other")),
			"https://session.firebase.google.com/my-other"},
		{"short issuer", s.IDToken("u1", verifytest.Claim("iss", "x"), verifytest.Project("my-other")), "https://securetoken.google.com/my-other"},
	} {
		p := payloadOf(t, c.token)
		if p["iss"] != c.iss || p["aud"] != "my-other" {
			t.Errorf("%s with Project: iss %v, aud %v; want %s", c.name, p["iss"], p["aud"], c.iss)
		}
	}
}
