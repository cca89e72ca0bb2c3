package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

func TestVerifyRefusesKeyFilesWithARepeatedKid(t *testing.T) {
	s := verifytest.NewSigner(testProject, verifytest.WithClock(func() time.Time { return fixedNow }))
	defer s.Close()
	token := s.IDToken("u1")
	signing := s.Key()
	other := verifytest.GenerateKey()
	q := func(v string) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	n := func(k *verifytest.Key) string {
		var set struct {
			Keys []map[string]string `json:"keys"`
		}
		if err := json.Unmarshal(verifytest.NewSigner(testProject, verifytest.WithKey(k.Private, k.ID)).JWKS(), &set); err != nil {
			t.Fatal(err)
		}
		return set.Keys[0]["n"]
	}
	jwk := func(k *verifytest.Key) string {
		return `{"kty":"RSA","alg":"RS256","use":"sig","kid":` + q(signing.ID) + `,"n":` + q(n(k)) + `,"e":"AQAB"}`
	}
	for name, doc := range map[string]string{
		// Before the fix the last certificate won, silently.
		"certificate map": `{` + q(signing.ID) + `:` + q(signing.CertificatePEM) + `,` + q(signing.ID) + `:` + q(other.CertificatePEM) + `}`,
		"JWK Set":         `{"keys":[` + jwk(signing) + `,` + jwk(other) + `]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.json")
			if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			r := runCLI(t, &cli{}, "", "verify", "--project", testProject, "--keys", path, token)
			if r.code != exitUsage || r.stdout != "" {
				t.Fatalf("exit %d stdout %q, want 2 and no verdict", r.code, r.stdout)
			}
			for _, want := range []string{"invalid key set", signing.ID, "appears twice", path} {
				if !strings.Contains(r.stderr, want) {
					t.Fatalf("stderr %q does not mention %q", r.stderr, want)
				}
			}
		})
	}
}
