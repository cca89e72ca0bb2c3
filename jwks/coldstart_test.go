package jwks_test

import (
	"context"
	"errors"
	"log/slog"
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

// gatedServer is a key endpoint that fails (status 503) or serves the
// signer's keys, and can hold every request until released.
type gatedServer struct {
	signer   *verifytest.Signer
	srv      *httptest.Server
	down     atomic.Bool
	requests atomic.Int64
	gate     atomic.Pointer[chan struct{}] // nil: answer at once
}

func newGatedServer(t *testing.T) *gatedServer {
	t.Helper()
	g := &gatedServer{signer: verifytest.NewSigner("p")}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.requests.Add(1)
		if gate := g.gate.Load(); gate != nil {
			select {
			case <-*gate:
			case <-r.Context().Done():
				return
			}
		}
		if g.down.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(g.signer.JWKS())
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gatedServer) remote(t *testing.T, opts jwks.RemoteOptions) *jwks.Remote {
	t.Helper()
	r, err := jwks.NewRemote(g.srv.URL+"/jwks", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// logRecorder is a slog.Handler that keeps every record as its message
// followed by its attributes as key=value.
type logRecorder struct {
	mu       sync.Mutex
	messages []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		line += " " + a.Key + "=" + a.Value.String()
		return true
	})
	l.mu.Lock()
	l.messages = append(l.messages, line)
	l.mu.Unlock()
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// take returns the messages logged since the last take.
func (l *logRecorder) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.messages
	l.messages = nil
	return m
}

func TestRemoteColdStartBacksOff(t *testing.T) {
	g := newGatedServer(t)
	g.down.Store(true)
	clock := newFakeClock()
	r := g.remote(t, jwks.RemoteOptions{Now: clock.Now})
	ctx := context.Background()
	kid := g.signer.Key().ID

	lookup := func() error {
		_, err := r.PublicKey(ctx, kid)
		return err
	}
	if err := lookup(); !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("first lookup with the endpoint down: err = %v, want ErrKeysUnavailable", err)
	}
	// While there are no keys, each failure doubles the wait from 1 s,
	// capped at the default MinRefreshInterval of 30 s.
	for i, wait := range []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 30 * time.Second, 30 * time.Second} {
		before := g.requests.Load()
		clock.Advance(wait - time.Millisecond)
		err := lookup()
		if !errors.Is(err, jwks.ErrKeysUnavailable) || !strings.Contains(err.Error(), "next fetch allowed in 1ms") {
			t.Fatalf("retry %d, 1 ms early: err = %v, want ErrKeysUnavailable saying the retry is 1ms away", i+1, err)
		}
		if n := g.requests.Load(); n != before {
			t.Fatalf("retry %d: a lookup %v after the last fetch made a request; the wait is %v", i+1, wait-time.Millisecond, wait)
		}
		clock.Advance(time.Millisecond)
		if err := lookup(); !errors.Is(err, jwks.ErrKeysUnavailable) {
			t.Fatalf("retry %d: err = %v, want ErrKeysUnavailable", i+1, err)
		}
		if n := g.requests.Load(); n != before+1 {
			t.Fatalf("retry %d: %d requests after waiting %v, want exactly one", i+1, n-before, wait)
		}
	}

	// The endpoint heals: the next retry (30 s on) gets the keys.
	g.down.Store(false)
	clock.Advance(30 * time.Second)
	if err := lookup(); err != nil {
		t.Fatalf("after healing: %v", err)
	}
	// With keys, unknown kids are held to MinRefreshInterval again: no
	// request 1 s or 29 s later, one at 30 s.
	requests := g.requests.Load()
	for _, step := range []time.Duration{time.Second, 28 * time.Second} {
		clock.Advance(step)
		if _, err := r.PublicKey(ctx, "made-up"); !errors.Is(err, jwks.ErrUnknownKey) {
			t.Fatalf("unknown kid: err = %v, want ErrUnknownKey", err)
		}
	}
	if n := g.requests.Load(); n != requests {
		t.Fatalf("unknown kids within 30 s of a fetch made %d requests, want 0", n-requests)
	}
	clock.Advance(time.Second)
	_, _ = r.PublicKey(ctx, "made-up")
	if n := g.requests.Load(); n != requests+1 {
		t.Fatalf("an unknown kid 30 s after a fetch made %d requests, want 1", n-requests)
	}
}

func TestRemoteColdStartBackoffIsCappedByMinRefreshInterval(t *testing.T) {
	// A MinRefreshInterval of 8 s: 1, 2, 4, 8, then 8 s again.
	g := newGatedServer(t)
	g.down.Store(true)
	clock := newFakeClock()
	r := g.remote(t, jwks.RemoteOptions{Now: clock.Now, MinRefreshInterval: 8 * time.Second})
	ctx := context.Background()
	kid := g.signer.Key().ID
	for _, wait := range []time.Duration{0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		clock.Advance(wait)
		before := g.requests.Load()
		if _, err := r.PublicKey(ctx, kid); !errors.Is(err, jwks.ErrKeysUnavailable) {
			t.Fatalf("err = %v, want ErrKeysUnavailable", err)
		}
		if n := g.requests.Load(); n != before+1 {
			t.Fatalf("after %v: %d requests, want 1 (the cap is MinRefreshInterval, 8 s here)", wait, n-before)
		}
	}
}

func TestRemoteColdStartRetryIsShared(t *testing.T) {
	g := newGatedServer(t)
	g.down.Store(true)
	clock := newFakeClock()
	r := g.remote(t, jwks.RemoteOptions{Now: clock.Now})
	ctx := context.Background()
	kid := g.signer.Key().ID
	if _, err := r.PublicKey(ctx, kid); !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("err = %v, want ErrKeysUnavailable", err)
	}

	// The retry is due; the endpoint holds it while 50 callers arrive.
	gate := make(chan struct{})
	g.gate.Store(&gate)
	g.down.Store(false)
	clock.Advance(time.Second)
	const callers = 50
	errs := make(chan error, callers)
	var started sync.WaitGroup
	for i := 0; i < callers; i++ {
		started.Add(1)
		go func() {
			started.Done()
			_, err := r.PublicKey(ctx, kid)
			errs <- err
		}()
	}
	started.Wait()
	waitUntil(t, "the retry reaches the endpoint", func() bool { return g.requests.Load() == 2 })
	close(gate)
	for i := 0; i < callers; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if n := g.requests.Load(); n != 2 {
		t.Fatalf("%d callers at the retry made %d requests in all, want 2 (the first fetch and one shared retry)", callers, n)
	}
}

func TestRemoteWarnsOfKeepingKeysOnlyWithKeys(t *testing.T) {
	g := newGatedServer(t)
	g.down.Store(true)
	clock := newFakeClock()
	logs := &logRecorder{}
	r := g.remote(t, jwks.RemoteOptions{Now: clock.Now, Logger: slog.New(logs)})
	ctx := context.Background()

	// No keys to keep: the warning says so.
	if err := r.Refresh(ctx); !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("err = %v, want ErrKeysUnavailable", err)
	}
	got := logs.take()
	if len(got) != 1 || strings.Contains(got[0], "keeping the last good keys") || !strings.Contains(got[0], "no keys yet") {
		t.Fatalf("logged %q with no keys, want one warning that there are no keys yet", got)
	}

	// With keys, a failed refresh keeps them and says so.
	g.down.Store(false)
	if err := r.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := logs.take(); len(got) != 0 {
		t.Fatalf("logged %q for a successful fetch, want nothing", got)
	}
	g.down.Store(true)
	if err := r.Refresh(ctx); !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("err = %v, want ErrKeysUnavailable", err)
	}
	got = logs.take()
	if len(got) != 1 || !strings.Contains(got[0], "keeping the last good keys") {
		t.Fatalf("logged %q after a failed refresh with keys, want the keeping-keys warning", got)
	}
}
