package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
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

func TestKeysFetchLimits(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	padded := func(size int) []byte {
		doc := bytes.TrimRight(s.JWKS(), "\n")
		return append(append(doc[:len(doc)-1:len(doc)-1], bytes.Repeat([]byte(" "), size-len(doc))...), '}')
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string // in stderr; "" means success
	}{
		{"1 MiB accepted", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(padded(1 << 20)) }, ""},
		{"1 MiB and a byte refused", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(padded(1<<20 + 1)) }, "response larger than 1048576 bytes"},
		{"a kid twice", func(w http.ResponseWriter, _ *http.Request) {
			k := s.Key()
			q, _ := json.Marshal(k.ID)
			c, _ := json.Marshal(k.CertificatePEM)
			_, _ = w.Write([]byte("{" + string(q) + ":" + string(c) + "," + string(q) + ":" + string(c) + "}"))
		}, "appears twice"},
		{"status 203", statusHandler(s, http.StatusNonAuthoritativeInfo), "status 203"},
		{"status 204", statusHandler(s, http.StatusNoContent), "status 204"},
		{"status 301", statusHandler(s, http.StatusMovedPermanently), "status 301"},
		{"status 304", statusHandler(s, http.StatusNotModified), "status 304"},
		{"status 307", statusHandler(s, http.StatusTemporaryRedirect), "status 307"},
		{"status 404", statusHandler(s, http.StatusNotFound), "status 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := &cli{keyURL: func(verify.Kind) string { return srv.URL }}
			r := runCLI(t, c, "", "keys", "fetch")
			if tt.want == "" {
				if r.code != exitOK || len(r.stdout) != 1<<20+1 {
					t.Fatalf("exit %d, %d bytes out; want 0 and the body with a newline; stderr %s", r.code, len(r.stdout), r.stderr)
				}
				return
			}
			if r.code != exitUsage || r.stdout != "" {
				t.Fatalf("exit %d stdout %q, want 2 and nothing", r.code, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("stderr %q does not mention %q", r.stderr, tt.want)
			}
		})
	}
}

// statusHandler answers with status and a valid key set (where the status
// allows a body), with a Location to follow for a redirect.
func statusHandler(s *verifytest.Signer, status int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "/jwks")
		w.WriteHeader(status)
		_, _ = w.Write(s.JWKS())
	}
}

// deadlineTransport answers locally and records the request's deadline.
type deadlineTransport struct {
	body []byte
	left time.Duration
	set  bool
}

func (d *deadlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if dl, ok := req.Context().Deadline(); ok {
		d.left, d.set = time.Until(dl), true
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req,
		Body: io.NopCloser(bytes.NewReader(d.body))}, nil
}

func TestKeysFetchTimeoutIsFifteenSeconds(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	rt := &deadlineTransport{body: s.JWKS()}
	c := &cli{keyURL: func(verify.Kind) string { return "https://keys.invalid/jwks" }, httpClient: &http.Client{Transport: rt}}
	r := runCLI(t, c, "", "keys", "fetch")
	if r.code != exitOK {
		t.Fatalf("exit %d; stderr %s", r.code, r.stderr)
	}
	if !rt.set || rt.left > 15*time.Second || rt.left < 12*time.Second {
		t.Fatalf("fetch deadline %v away (set: %v), want just under 15s", rt.left, rt.set)
	}
}

func TestKeysFetchDefaultURLs(t *testing.T) {
	// Without the test seam, keys fetch asks Google's endpoints (here
	// answered by a local transport: no network).
	s := verifytest.NewSigner(testProject)
	for _, tt := range []struct {
		args []string
		url  string
	}{
		{nil, "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com"},
		{[]string{"--session-cookie"}, "https://www.googleapis.com/identitytoolkit/v3/relyingparty/publicKeys"},
	} {
		var asked string
		rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
			asked = req.URL.String()
			body := s.JWKS()
			if strings.HasSuffix(asked, "publicKeys") {
				body = s.X509()
			}
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req, Body: io.NopCloser(bytes.NewReader(body))}, nil
		})
		r := runCLI(t, &cli{httpClient: &http.Client{Transport: rt}}, "", append([]string{"keys", "fetch"}, tt.args...)...)
		if r.code != exitOK || asked != tt.url {
			t.Fatalf("keys fetch %v: exit %d, asked %q; want 0 and %s (stderr %s)", tt.args, r.code, asked, tt.url, r.stderr)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
