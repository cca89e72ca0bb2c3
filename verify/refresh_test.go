package verify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// localTransport answers every request itself, from a fake issuer's key
// documents, and records the URLs asked for: the default key source's
// production URLs are exercised without any network.
type localTransport struct {
	signer *verifytest.Signer
	down   bool

	mu   sync.Mutex
	urls []string
}

func (lt *localTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	lt.mu.Lock()
	lt.urls = append(lt.urls, req.URL.String())
	down := lt.down
	lt.mu.Unlock()
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req}
	switch {
	case down:
		resp.StatusCode = http.StatusServiceUnavailable
		resp.Body = io.NopCloser(bytes.NewReader(nil))
		return resp, nil
	case req.URL.Path == "/identitytoolkit/v3/relyingparty/publicKeys":
		resp.Body = io.NopCloser(bytes.NewReader(lt.signer.X509()))
	default:
		resp.Body = io.NopCloser(bytes.NewReader(lt.signer.JWKS()))
	}
	resp.Header.Set("Cache-Control", "public, max-age=3600")
	return resp, nil
}

func (lt *localTransport) requested() []string {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return append([]string(nil), lt.urls...)
}

var refreshNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestDefaultKeySourceFetchesGooglesURLForEachKind(t *testing.T) {
	signer := verifytest.NewSigner("my-project", verifytest.WithClock(func() time.Time { return refreshNow }))
	clock := verify.WithClock(func() time.Time { return refreshNow })
	cases := []struct {
		name  string
		url   string
		build func(client *http.Client) (refresh func(context.Context) error, check func(context.Context) error, closeFn func() error, err error)
	}{
		{"ID token", "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com",
			func(client *http.Client) (func(context.Context) error, func(context.Context) error, func() error, error) {
				v, err := verify.New("my-project", verify.WithHTTPClient(client), clock)
				if err != nil {
					return nil, nil, nil, err
				}
				return v.Refresh, func(ctx context.Context) error { _, err := v.Verify(ctx, signer.IDToken("u1")); return err }, v.Close, nil
			}},
		{"session cookie", "https://www.googleapis.com/identitytoolkit/v3/relyingparty/publicKeys",
			func(client *http.Client) (func(context.Context) error, func(context.Context) error, func() error, error) {
				v, err := verify.NewSessionCookieVerifier("my-project", verify.WithHTTPClient(client), clock)
				if err != nil {
					return nil, nil, nil, err
				}
				return v.Refresh, func(ctx context.Context) error { _, err := v.Verify(ctx, signer.SessionCookie("u1")); return err }, v.Close, nil
			}},
		{"App Check", "https://firebaseappcheck.googleapis.com/v1/jwks",
			func(client *http.Client) (func(context.Context) error, func(context.Context) error, func() error, error) {
				a, err := verify.NewAppCheck(verify.AppCheckProject{Number: "123456789012", ID: "my-project"}, verify.WithHTTPClient(client), clock)
				if err != nil {
					return nil, nil, nil, err
				}
				return a.Refresh, func(ctx context.Context) error {
					_, err := a.Verify(ctx, signer.AppCheckToken("123456789012", "1:123456789012:web:abc"))
					return err
				}, a.Close, nil
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lt := &localTransport{signer: signer}
			refresh, check, closeFn, err := c.build(&http.Client{Transport: lt})
			if err != nil {
				t.Fatal(err)
			}
			defer closeFn()
			ctx := context.Background()
			if err := refresh(ctx); err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if got := lt.requested(); len(got) != 1 || got[0] != c.url {
				t.Fatalf("Refresh fetched %q, want only %s", got, c.url)
			}
			if err := check(ctx); err != nil {
				t.Fatalf("a token of the fake issuer after Refresh: %v", err)
			}
			if got := lt.requested(); len(got) != 1 {
				t.Fatalf("verifying after Refresh fetched again: %q", got)
			}
		})
	}
}

func TestRefreshReportsAnUnreachableEndpoint(t *testing.T) {
	signer := verifytest.NewSigner("my-project")
	lt := &localTransport{signer: signer, down: true}
	v, err := verify.New("my-project", verify.WithHTTPClient(&http.Client{Transport: lt}))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	err = v.Refresh(context.Background())
	if !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("err = %v, want ErrKeysUnavailable", err)
	}
	if len(lt.requested()) != 1 {
		t.Fatalf("requests = %q, want one", lt.requested())
	}
	// Refresh fetches now whatever the rate limit: a readiness probe that
	// retries is answered by a fresh attempt each time.
	lt.mu.Lock()
	lt.down = false
	lt.mu.Unlock()
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatalf("Refresh after the endpoint came back: %v", err)
	}
}

// countingRefresher is a custom key source that can refresh.
type countingRefresher struct {
	jwks.KeySource
	refreshes int
	err       error
}

func (c *countingRefresher) Refresh(context.Context) error {
	c.refreshes++
	return c.err
}

func TestRefreshUsesTheKeySourcesOwnRefresh(t *testing.T) {
	signer := verifytest.NewSigner("my-project")
	ctx := context.Background()

	static, err := verify.New("my-project", verify.WithKeySource(signer.KeySource()))
	if err != nil {
		t.Fatal(err)
	}
	if err := static.Refresh(ctx); err != nil {
		t.Fatalf("Refresh with a static set: %v, want nil (nothing to fetch)", err)
	}

	custom := &countingRefresher{KeySource: signer.KeySource()}
	v, err := verify.New("my-project", verify.WithKeySource(custom))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Refresh(ctx); err != nil || custom.refreshes != 1 {
		t.Fatalf("Refresh = %v with %d calls of the source's Refresh, want nil and 1", err, custom.refreshes)
	}
	custom.err = fmt.Errorf("custom: %w", jwks.ErrKeysUnavailable)
	if err := v.Refresh(ctx); !errors.Is(err, jwks.ErrKeysUnavailable) || custom.refreshes != 2 {
		t.Fatalf("Refresh = %v after %d calls, want the source's error", err, custom.refreshes)
	}
}

func TestWithKeySnapshotSurvivesARestartWhileGoogleIsDown(t *testing.T) {
	now := refreshNow
	clock := func() time.Time { return now }
	signer := verifytest.NewSigner("my-project", verifytest.WithClock(clock))
	path := filepath.Join(t.TempDir(), "google-keys.json")
	ctx := context.Background()

	up := &localTransport{signer: signer}
	first, err := verify.New("my-project", verify.WithHTTPClient(&http.Client{Transport: up}), verify.WithClock(clock), verify.WithKeySnapshot(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	first.Close()

	// The service restarts three hours later; Google is unreachable.
	now = now.Add(3 * time.Hour)
	down := &localTransport{signer: signer, down: true}
	second, err := verify.New("my-project", verify.WithHTTPClient(&http.Client{Transport: down}), verify.WithClock(clock), verify.WithKeySnapshot(path))
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if err := second.Refresh(ctx); !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("Refresh with Google down: %v, want ErrKeysUnavailable", err)
	}
	tok, err := second.Verify(ctx, signer.IDToken("u1"))
	if err != nil {
		t.Fatalf("a token of a known key after the restart: %v", err)
	}
	if tok.UID != "u1" {
		t.Fatalf("uid = %q, want u1", tok.UID)
	}
	if _, err := verify.New("my-project", verify.WithKeySnapshot("")); err == nil {
		t.Fatal("WithKeySnapshot(\"\") accepted")
	}
}

// A snapshot file holding an attacker's key under the kid Google serves
// must not verify the attacker's tokens while Google answers: the file is
// a fallback for outages, never a source that outranks the endpoint.
func TestWithKeySnapshotNeverOutranksGoogle(t *testing.T) {
	for _, age := range []time.Duration{time.Minute, 23 * time.Hour} {
		t.Run("snapshot fetched "+age.String()+" ago", func(t *testing.T) {
			now := refreshNow
			clock := func() time.Time { return now }
			google := verifytest.NewSigner("my-project", verifytest.WithClock(clock), verifytest.WithKey(verifytest.GenerateKey().Private, "good"))
			attacker := verifytest.NewSigner("my-project", verifytest.WithClock(clock), verifytest.WithKey(verifytest.GenerateKey().Private, "good"))
			path := filepath.Join(t.TempDir(), "google-keys.json")
			file := `{"format":"fbverify-key-snapshot/1","url":"https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com",` +
				`"fetched":"` + now.Add(-age).Format(time.RFC3339) + `","max_age_seconds":86400,"document":` + string(attacker.JWKS()) + `}`
			if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
				t.Fatal(err)
			}
			v, err := verify.New("my-project", verify.WithHTTPClient(&http.Client{Transport: &localTransport{signer: google}}),
				verify.WithClock(clock), verify.WithKeySnapshot(path))
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			ctx := context.Background()
			if _, err := v.Verify(ctx, attacker.IDToken("victim")); !errors.Is(err, verify.ErrInvalidSignature) {
				t.Fatalf("the attacker's token on the first verification: err = %v, want ErrInvalidSignature", err)
			}
			if tok, err := v.Verify(ctx, google.IDToken("u1")); err != nil || tok.UID != "u1" {
				t.Fatalf("Google's token: %v, %v; want u1 verified", tok, err)
			}
		})
	}
}
