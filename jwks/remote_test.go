package jwks_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// fakeClock is a settable clock for the key cache.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// keyServer is a JWKS endpoint that can be told to fail.
type keyServer struct {
	signer *verifytest.Signer
	// mode: "" serves keys; "500", "empty", "garbage", "hang" misbehave.
	mu   sync.Mutex
	mode string
	srv  *httptest.Server
}

func newKeyServer(t *testing.T) *keyServer {
	t.Helper()
	ks := &keyServer{signer: verifytest.NewSigner("p")}
	ks.srv = httptest.NewServer(http.HandlerFunc(ks.serve))
	t.Cleanup(ks.srv.Close)
	return ks
}

func (ks *keyServer) setMode(m string) {
	ks.mu.Lock()
	ks.mode = m
	ks.mu.Unlock()
}

func (ks *keyServer) serve(w http.ResponseWriter, r *http.Request) {
	ks.mu.Lock()
	mode := ks.mode
	ks.mu.Unlock()
	switch mode {
	case "500":
		ks.signer.ServeHTTP(httptest.NewRecorder(), r) // count it
		http.Error(w, "boom", http.StatusInternalServerError)
	case "empty":
		ks.signer.ServeHTTP(httptest.NewRecorder(), r)
		_, _ = w.Write([]byte(`{"keys":[]}`))
	case "garbage":
		ks.signer.ServeHTTP(httptest.NewRecorder(), r)
		_, _ = w.Write([]byte(`{"keys":[`))
	case "hang":
		ks.signer.ServeHTTP(httptest.NewRecorder(), r)
		<-r.Context().Done()
	default:
		ks.signer.ServeHTTP(w, r)
	}
}

func (ks *keyServer) remote(t *testing.T, clock *fakeClock, opts jwks.RemoteOptions) *jwks.Remote {
	t.Helper()
	opts.Now = clock.Now
	r, err := jwks.NewRemote(ks.srv.URL+"/jwks", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// waitForRequests waits, boundedly, for a background refresh to be counted.
func waitForRequests(t *testing.T, ks *keyServer, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for ks.signer.Requests() < want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := ks.signer.Requests(); got != want {
		t.Fatalf("requests = %d, want %d", got, want)
	}
}

func TestRemoteHonoursMaxAge(t *testing.T) {
	ks := newKeyServer(t)
	ks.signer.SetMaxAge(10 * time.Minute)
	clock := newFakeClock()
	r := ks.remote(t, clock, jwks.RemoteOptions{})
	kid := ks.signer.Key().ID
	ctx := context.Background()

	if _, err := r.PublicKey(ctx, kid); err != nil {
		t.Fatal(err)
	}
	st := r.Status()
	if got := st.Expires.Sub(st.Fetched); got != 10*time.Minute {
		t.Fatalf("freshness = %v, want the max-age of 10m", got)
	}
	clock.Advance(9 * time.Minute)
	if _, err := r.PublicKey(ctx, kid); err != nil {
		t.Fatal(err)
	}
	if got := ks.signer.Requests(); got != 1 {
		t.Fatalf("requests within max-age = %d, want 1", got)
	}
	clock.Advance(2 * time.Minute)
	if _, err := r.PublicKey(ctx, kid); err != nil {
		t.Fatalf("stale known key must still be served: %v", err)
	}
	waitForRequests(t, ks, 2)
}

func TestRemoteClampsMaxAge(t *testing.T) {
	for _, c := range []struct {
		name   string
		header string
		want   time.Duration
	}{
		{"below the floor", "max-age=5", 2 * time.Minute},
		{"above the ceiling", "public, max-age=99999999", 3 * time.Hour},
		{"missing", "public", 90 * time.Minute},
		{"no-store", "no-store", 2 * time.Minute},
		{"less its Age", "max-age=3600", 50 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := verifytest.NewSigner("p")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", c.header)
				if c.name == "less its Age" {
					w.Header().Set("Age", "600")
				}
				_, _ = w.Write(s.JWKS())
			}))
			defer srv.Close()
			clock := newFakeClock()
			r, err := jwks.NewRemote(srv.URL, jwks.RemoteOptions{Now: clock.Now,
				MinTTL: 2 * time.Minute, MaxTTL: 3 * time.Hour, DefaultTTL: 90 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
			st := r.Status()
			if got := st.Expires.Sub(st.Fetched); got != c.want {
				t.Errorf("freshness = %v, want %v", got, c.want)
			}
		})
	}
}

func TestRemoteRefreshesOnceForUnknownKidWithinItsLimit(t *testing.T) {
	ks := newKeyServer(t)
	clock := newFakeClock()
	r := ks.remote(t, clock, jwks.RemoteOptions{MinRefreshInterval: time.Minute})
	ctx := context.Background()
	if _, err := r.PublicKey(ctx, ks.signer.Key().ID); err != nil {
		t.Fatal(err)
	}

	// A rotation publishes a new key; a token with its kid arrives after the
	// limit, so one refresh finds it.
	clock.Advance(2 * time.Minute)
	rotated := ks.signer.Rotate()
	if _, err := r.PublicKey(ctx, rotated.ID); err != nil {
		t.Fatalf("new kid after rotation: %v", err)
	}
	if got := ks.signer.Requests(); got != 2 {
		t.Fatalf("requests = %d, want 2 (one refresh for the new kid)", got)
	}

	// Made-up kids within the limit cost no request and fail at once.
	for i := 0; i < 50; i++ {
		if _, err := r.PublicKey(ctx, "made-up"); !errors.Is(err, jwks.ErrUnknownKey) {
			t.Fatalf("err = %v, want ErrUnknownKey", err)
		}
	}
	if got := ks.signer.Requests(); got != 2 {
		t.Fatalf("requests after 50 unknown kids within the limit = %d, want 2", got)
	}

	// After the limit, one more refresh is allowed, and only one.
	clock.Advance(time.Minute)
	for i := 0; i < 50; i++ {
		_, _ = r.PublicKey(ctx, "made-up")
	}
	if got := ks.signer.Requests(); got != 3 {
		t.Fatalf("requests after the limit passed = %d, want 3", got)
	}
}

func TestRemoteKeepsLastGoodKeys(t *testing.T) {
	for _, mode := range []string{"500", "empty", "garbage"} {
		t.Run(mode, func(t *testing.T) {
			ks := newKeyServer(t)
			ks.signer.SetMaxAge(time.Minute)
			clock := newFakeClock()
			r := ks.remote(t, clock, jwks.RemoteOptions{MinRefreshInterval: time.Minute})
			ctx := context.Background()
			kid := ks.signer.Key().ID
			if _, err := r.PublicKey(ctx, kid); err != nil {
				t.Fatal(err)
			}
			ks.setMode(mode)
			clock.Advance(2 * time.Minute)
			if err := r.Refresh(ctx); err == nil {
				t.Fatalf("refresh from a broken endpoint (%s) succeeded", mode)
			}
			if _, err := r.PublicKey(ctx, kid); err != nil {
				t.Fatalf("known kid after a failed refresh: %v", err)
			}
			if st := r.Status(); len(st.KeyIDs) != 1 || st.LastError == nil {
				t.Fatalf("status = %+v, want the old key kept and the error reported", st)
			}
			// The endpoint heals: the next allowed refresh recovers.
			ks.setMode("")
			clock.Advance(2 * time.Minute)
			if err := r.Refresh(ctx); err != nil {
				t.Fatalf("refresh after healing: %v", err)
			}
			if st := r.Status(); st.LastError != nil {
				t.Fatalf("LastError after healing = %v", st.LastError)
			}
		})
	}
}

func TestRemoteCollapsesConcurrentFirstFetches(t *testing.T) {
	ks := newKeyServer(t)
	clock := newFakeClock()
	r := ks.remote(t, clock, jwks.RemoteOptions{})
	kid := ks.signer.Key().ID
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	start := make(chan struct{})
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := r.PublicKey(context.Background(), kid)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := ks.signer.Requests(); got != 1 {
		t.Fatalf("100 concurrent first lookups made %d requests, want 1", got)
	}
}

func TestRemoteWaitIsBoundedByTheCallersContext(t *testing.T) {
	ks := newKeyServer(t)
	ks.setMode("hang")
	clock := newFakeClock()
	r := ks.remote(t, clock, jwks.RemoteOptions{FetchTimeout: 30 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := r.PublicKey(ctx, "any")
	if !errors.Is(err, jwks.ErrKeysUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrKeysUnavailable wrapping the deadline", err)
	}
	if waited := time.Since(begin); waited > 5*time.Second {
		t.Fatalf("waited %v for a hanging endpoint", waited)
	}
	// Close ends the hanging fetch and every later lookup fails.
	r.Close()
	if _, err := r.PublicKey(context.Background(), "any"); !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("after Close: err = %v, want ErrKeysUnavailable", err)
	}
}

func TestRemoteCloseForgetsKnownKeys(t *testing.T) {
	ks := newKeyServer(t)
	r := ks.remote(t, newFakeClock(), jwks.RemoteOptions{})
	kid := ks.signer.Key().ID
	if _, err := r.PublicKey(context.Background(), kid); err != nil {
		t.Fatal(err)
	}
	r.Close()
	for _, kid := range []string{kid, "other"} {
		if _, err := r.PublicKey(context.Background(), kid); !errors.Is(err, jwks.ErrKeysUnavailable) {
			t.Fatalf("kid %q after Close: err = %v, want ErrKeysUnavailable", kid, err)
		}
	}
	if err := r.Refresh(context.Background()); !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("Refresh after Close: err = %v, want ErrKeysUnavailable", err)
	}
	if got := ks.signer.Requests(); got != 1 {
		t.Fatalf("requests = %d, want 1: a closed Remote fetches nothing", got)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestRemoteFetchTimeout(t *testing.T) {
	ks := newKeyServer(t)
	ks.setMode("hang")
	r := ks.remote(t, newFakeClock(), jwks.RemoteOptions{FetchTimeout: 50 * time.Millisecond})
	err := r.Refresh(context.Background())
	if !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("err = %v, want ErrKeysUnavailable", err)
	}
}

func TestRemoteRefusesHugeBodies(t *testing.T) {
	s := verifytest.NewSigner("p")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := s.JWKS()
		// Valid JSON, padded past the limit with whitespace.
		_, _ = w.Write(body[:len(body)-2])
		_, _ = w.Write([]byte(strings.Repeat(" ", 2<<20)))
		_, _ = w.Write([]byte("}\n"))
	}))
	defer srv.Close()
	r, err := jwks.NewRemote(srv.URL, jwks.RemoteOptions{MaxBodyBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want a body-size error", err)
	}
}

func TestRemoteDoesNotFollowRedirects(t *testing.T) {
	ks := newKeyServer(t)
	redirect := httptest.NewServer(http.RedirectHandler(ks.srv.URL+"/jwks", http.StatusFound))
	defer redirect.Close()
	r, err := jwks.NewRemote(redirect.URL, jwks.RemoteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(context.Background()); !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("err = %v, want ErrKeysUnavailable for a redirect", err)
	}
	if got := ks.signer.Requests(); got != 0 {
		t.Fatalf("the redirect target got %d requests, want 0", got)
	}
}

func TestRemoteReadsCertificateMaps(t *testing.T) {
	s := verifytest.NewSigner("p")
	r, err := jwks.NewRemote(s.URL()+"/x509", jwks.RemoteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := r.PublicKey(context.Background(), s.Key().ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(&s.Key().Private.PublicKey) {
		t.Fatal("key from the certificate map differs")
	}
}

func TestNewRemoteRefusesBadConfig(t *testing.T) {
	for _, u := range []string{"", "not a url", "ftp://example.com/keys", "/relative"} {
		if _, err := jwks.NewRemote(u, jwks.RemoteOptions{}); err == nil {
			t.Errorf("NewRemote(%q) succeeded", u)
		}
	}
	if _, err := jwks.NewRemote("https://example.com", jwks.RemoteOptions{MinTTL: time.Hour, MaxTTL: time.Minute}); err == nil {
		t.Error("MinTTL > MaxTTL accepted")
	}
}

// TestRemoteStatusKeepsTheServersDate checks that Status reports the Date
// header of the response the keys came from, beside Fetched (this host's
// clock), and zero when the response had none.
func TestRemoteStatusKeepsTheServersDate(t *testing.T) {
	signer := verifytest.NewSigner("p")
	serverDate := time.Date(2026, 11, 25, 12, 0, 40, 0, time.UTC)
	withDate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", serverDate.Format(http.TimeFormat))
		signer.ServeHTTP(w, r)
	}))
	t.Cleanup(withDate.Close)
	withoutDate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil // net/http then sends none
		signer.ServeHTTP(w, r)
	}))
	t.Cleanup(withoutDate.Close)
	clock := newFakeClock()
	for name, c := range map[string]struct {
		url  string
		want time.Time
	}{"with a Date": {withDate.URL, serverDate}, "without a Date": {withoutDate.URL, time.Time{}}} {
		t.Run(name, func(t *testing.T) {
			r, err := jwks.NewRemote(c.url+"/jwks", jwks.RemoteOptions{Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := r.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
			st := r.Status()
			if !st.ServerDate.Equal(c.want) {
				t.Fatalf("ServerDate = %v, want %v", st.ServerDate, c.want)
			}
			if !st.Fetched.Equal(clock.Now()) {
				t.Fatalf("Fetched = %v, want the Remote's clock %v", st.Fetched, clock.Now())
			}
		})
	}
}
