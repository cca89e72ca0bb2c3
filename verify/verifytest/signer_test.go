package verifytest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func TestKeyRoundTripsThroughPEM(t *testing.T) {
	k := verifytest.GenerateKey()
	back, err := verifytest.LoadKey(verifytest.EncodeKey(k.Private))
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(k.Private) {
		t.Fatal("LoadKey(EncodeKey(k)) differs from k")
	}
	if _, err := verifytest.LoadKey([]byte("not pem")); err == nil {
		t.Fatal("LoadKey accepted garbage")
	}
}

func TestServedKeySetsHaveGooglesShapes(t *testing.T) {
	s := verifytest.NewSigner("p")
	defer s.Close()
	s.SetMaxAge(123 * time.Second)
	for _, path := range []string{"/jwks", "/x509"} {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=123") {
			t.Errorf("%s: Cache-Control = %q", path, cc)
		}
		switch path {
		case "/jwks":
			keys, _ := doc["keys"].([]any)
			if len(keys) != 1 || keys[0].(map[string]any)["kid"] != s.Key().ID || keys[0].(map[string]any)["e"] != "AQAB" {
				t.Errorf("JWKS = %v", doc)
			}
		case "/x509":
			pemText, _ := doc[s.Key().ID].(string)
			if !strings.HasPrefix(pemText, "-----BEGIN CERTIFICATE-----") {
				t.Errorf("X.509 map = %v", doc)
			}
		}
	}
	if s.Requests() != 2 {
		t.Errorf("Requests() = %d, want 2", s.Requests())
	}
}

func TestRotateAndRetire(t *testing.T) {
	s := verifytest.NewSigner("p")
	first := s.Key()
	second := s.Rotate()
	if s.Key() != second || first.ID == second.ID {
		t.Fatal("Rotate did not make a new signing key")
	}
	if ids := s.KeySource().KeyIDs(); len(ids) != 2 {
		t.Fatalf("published %v during the rotation, want both keys", ids)
	}
	s.RetireOldKeys()
	if _, err := s.KeySource().PublicKey(context.Background(), first.ID); !errors.Is(err, jwks.ErrUnknownKey) {
		t.Fatalf("retired key still published: %v", err)
	}
}

func TestTokensHaveFirebaseShape(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := verifytest.NewSigner("p", verifytest.WithClock(func() time.Time { return now }))
	token := s.IDToken("u1", verifytest.Claim("admin", true))
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments", len(parts))
	}
	var header, payload map[string]any
	decode(t, parts[0], &header)
	decode(t, parts[1], &payload)
	if header["alg"] != "RS256" || header["kid"] != s.Key().ID || header["typ"] != "JWT" {
		t.Errorf("header = %v", header)
	}
	want := map[string]any{
		"iss": "https://securetoken.google.com/p", "aud": "p", "sub": "u1", "user_id": "u1",
		"iat": float64(now.Unix()), "auth_time": float64(now.Unix()), "exp": float64(now.Add(time.Hour).Unix()),
		"admin": true,
	}
	for k, v := range want {
		if payload[k] != v {
			t.Errorf("payload[%s] = %v, want %v", k, payload[k], v)
		}
	}
	if em := s.EmulatorIDToken("u1"); !strings.HasSuffix(em, ".") || strings.Count(em, ".") != 2 {
		t.Errorf("emulator token %q does not end with an empty signature", em)
	}
}

func TestVerifierUsesTheRemotePath(t *testing.T) {
	s := verifytest.NewSigner("remote-project")
	defer s.Close()
	v, err := s.Verifier(verify.WithLeeway(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), s.IDToken("u1")); err != nil {
		t.Fatal(err)
	}
	if s.Requests() != 1 {
		t.Fatalf("key server requests = %d, want 1", s.Requests())
	}
}

func decode(t *testing.T, seg string, v any) {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}
