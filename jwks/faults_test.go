package jwks_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const faultProject = "faults-project"

// faultServer is Google's key endpoint misbehaving on command. Every
// request is counted, whatever the mode.
type faultServer struct {
	signer   *verifytest.Signer
	srv      *httptest.Server
	mode     atomic.Value // string
	requests atomic.Int64
	// written counts the bytes of the last "huge" body actually sent.
	written atomic.Int64
	// redirectTo is where "redirect" sends the client.
	redirectTo string
}

// The modes of a faultServer.
const (
	modeOK        = "ok"
	mode500       = "500"
	mode429       = "429"
	modeHang      = "hang"      // never answers
	modeTrickle   = "trickle"   // headers at once, then a byte every 20ms
	modeTruncated = "truncated" // half of the key set
	modeInvalid   = "invalid"   // not JSON at all
	modeEmpty     = "empty"     // a JWK Set without keys
	modeWrongType = "wrongtype" // only EC and symmetric keys
	modeHuge      = "huge"      // 50 MB, streamed
	modeRedirect  = "redirect"  // 302 elsewhere
	modeHTML      = "html"      // a 200 error page
)

func newFaultServer(t *testing.T, signer *verifytest.Signer) *faultServer {
	t.Helper()
	fs := &faultServer{signer: signer}
	fs.mode.Store(modeOK)
	fs.srv = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *faultServer) set(mode string) { fs.mode.Store(mode) }

func (fs *faultServer) url() string { return fs.srv.URL + "/jwks" }

func (fs *faultServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.requests.Add(1)
	good := fs.signer.JWKS()
	w.Header().Set("Cache-Control", "public, max-age=3600")
	switch fs.mode.Load().(string) {
	case mode500:
		http.Error(w, "backend error", http.StatusInternalServerError)
	case mode429:
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "rate limited", http.StatusTooManyRequests)
	case modeHang:
		<-r.Context().Done()
	case modeTrickle:
		w.WriteHeader(http.StatusOK)
		for i := 0; i < len(good); i++ {
			if _, err := w.Write(good[i : i+1]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	case modeTruncated:
		_, _ = w.Write(good[:len(good)/2])
	case modeInvalid:
		_, _ = w.Write([]byte("not json at all \x00\xff"))
	case modeEmpty:
		_, _ = w.Write([]byte(`{"keys":[]}`))
	case modeWrongType:
		_, _ = w.Write([]byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},{"kty":"oct","kid":"hmac","k":"c2VjcmV0"}]}`))
	case modeHuge:
		// 50 MB of a JSON string, written in 32 KB chunks from one
		// buffer: the server never holds the body, and the client must
		// stop reading at its limit.
		const total = 50 << 20
		w.Header().Set("Content-Length", strconv.Itoa(total))
		chunk := []byte(strings.Repeat(" ", 32<<10))
		fs.written.Store(0)
		for sent := 0; sent < total; sent += len(chunk) {
			n, err := w.Write(chunk)
			fs.written.Add(int64(n))
			if err != nil {
				return
			}
		}
	case modeRedirect:
		http.Redirect(w, r, fs.redirectTo, http.StatusFound)
	case modeHTML:
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(good)
	}
}

// waitUntil polls cond, boundedly, for a background refresh to land.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// timed runs f and fails the test if it takes longer than limit.
func timed(t *testing.T, what string, limit time.Duration, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > limit {
		t.Fatalf("%s took %v, want at most %v", what, d, limit)
	}
}

// TestRemoteSurvivesEndpointFaults cycles the key endpoint through every
// fault, healing it in between. Throughout, tokens signed with a known key
// verify on the last good keys without waiting, unknown kids fail at once,
// no fault costs more than the one request a refresh makes, and each heal
// is picked up by itself at the next refresh.
func TestRemoteSurvivesEndpointFaults(t *testing.T) {
	clock := newFakeClock()
	signer := verifytest.NewSigner(faultProject, verifytest.WithClock(clock.Now))
	fs := newFaultServer(t, signer)

	var attackerRequests atomic.Int64
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attackerRequests.Add(1)
		_, _ = w.Write(verifytest.NewSigner("attacker").JWKS())
	}))
	t.Cleanup(attacker.Close)
	fs.redirectTo = attacker.URL + "/jwks"

	// A refresh against a hanging endpoint holds for the whole fetch
	// timeout, so "at once" below means well under it: a quarter for
	// lookups that must not wait at all, half for those that run beside a
	// refresh. Loaded CI machines need that margin; a lookup that did wait
	// would take the whole timeout.
	const fetchTimeout = 2 * time.Second
	remote := fs.remote(t, clock, jwks.RemoteOptions{FetchTimeout: fetchTimeout})
	v, err := verify.New(faultProject, verify.WithKeySource(remote), verify.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := remote.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	goodIDs := remote.Status().KeyIDs

	faults := []string{mode500, mode429, modeHang, modeTrickle, modeTruncated, modeInvalid,
		modeEmpty, modeWrongType, modeHuge, modeRedirect, modeHTML}
	for _, fault := range faults {
		t.Run(fault, func(t *testing.T) {
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			fs.set(fault)
			requests := fs.requests.Load()
			// The keys go stale and the refresh interval has passed: the
			// next verification starts one refresh in the background.
			clock.Advance(2 * time.Hour)
			timed(t, "verifying with stale keys", fetchTimeout/2, func() {
				if _, err := v.Verify(ctx, signer.IDToken("u1")); err != nil {
					t.Fatalf("known kid during %s: %v", fault, err)
				}
			})
			// While that refresh is in flight (a hanging or trickling
			// endpoint holds it for the whole fetch timeout), known kids
			// still answer at once.
			token := signer.IDToken("u1")
			timed(t, "verifying during the refresh", fetchTimeout/2, func() {
				for i := 0; i < 10; i++ {
					if _, err := v.Verify(ctx, token); err != nil {
						t.Fatalf("known kid during the refresh: %v", err)
					}
				}
			})
			waitUntil(t, "the failed refresh is recorded", func() bool { return remote.Status().LastError != nil })
			t.Logf("refresh error: %v", remote.Status().LastError)
			if n := fs.requests.Load() - requests; n != 1 {
				t.Fatalf("%d requests for one refresh", n)
			}
			if ids := remote.Status().KeyIDs; fmt.Sprint(ids) != fmt.Sprint(goodIDs) {
				t.Fatalf("key IDs %v after a failed refresh, want the last good %v", ids, goodIDs)
			}
			// Known kids keep working on the last good keys; unknown kids
			// fail at once, with no new request.
			for i := 0; i < 20; i++ {
				if _, err := v.Verify(ctx, signer.IDToken("u"+strconv.Itoa(i))); err != nil {
					t.Fatalf("known kid after the failed refresh: %v", err)
				}
			}
			unknown := signer.IDToken("u1", verifytest.Header("kid", "new-kid")) // minted outside the timing
			timed(t, "an unknown kid", fetchTimeout/4, func() {
				_, err := v.Verify(ctx, unknown)
				if !errors.Is(err, jwks.ErrUnknownKey) {
					t.Fatalf("unknown kid: %v, want ErrUnknownKey", err)
				}
			})
			if n := fs.requests.Load() - requests; n != 1 {
				t.Fatalf("%d requests after the unknown kid, want still 1", n)
			}
			if fault == modeHuge {
				if w := fs.written.Load(); w >= 50<<20 {
					t.Fatalf("the client read all %d bytes of the huge body", w)
				}
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				if grown := after.TotalAlloc - before.TotalAlloc; grown > 24<<20 {
					t.Fatalf("a 50 MB body cost %d MB of allocations", grown>>20)
				}
			}

			// Heal: the next refresh, due by the clock, picks it up.
			fs.set(modeOK)
			clock.Advance(2 * time.Hour)
			if _, err := v.Verify(ctx, signer.IDToken("u1")); err != nil {
				t.Fatalf("known kid while healing: %v", err)
			}
			waitUntil(t, "the endpoint's recovery is picked up", func() bool {
				st := remote.Status()
				return st.LastError == nil && st.Fetched.Equal(clock.Now())
			})
			if st := remote.Status(); !st.Expires.Equal(clock.Now().Add(time.Hour)) {
				t.Fatalf("healed keys expire at %v, want max-age after %v", st.Expires, clock.Now())
			}
		})
	}
	if n := attackerRequests.Load(); n != 0 {
		t.Errorf("the redirect was followed: %d requests reached its target", n)
	}
}

// TestRemoteUnknownKidsDuringAnOutage: when the endpoint hangs, any number
// of concurrent lookups of unknown kids share one request and all give up
// within the fetch timeout; until the refresh interval has passed, later
// ones fail at once.
func TestRemoteUnknownKidsDuringAnOutage(t *testing.T) {
	clock := newFakeClock()
	signer := verifytest.NewSigner(faultProject, verifytest.WithClock(clock.Now))
	fs := newFaultServer(t, signer)
	// A refresh against a hanging endpoint holds for the whole fetch
	// timeout, so "at once" below means well under it: a quarter for
	// lookups that must not wait at all, half for those that run beside a
	// refresh. Loaded CI machines need that margin; a lookup that did wait
	// would take the whole timeout.
	const fetchTimeout = 2 * time.Second
	remote := fs.remote(t, clock, jwks.RemoteOptions{FetchTimeout: fetchTimeout})
	ctx := context.Background()
	if err := remote.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	fs.set(modeHang)
	clock.Advance(jwks.DefaultMinRefreshInterval)
	requests := fs.requests.Load()

	var wg sync.WaitGroup
	errs := make(chan error, 200)
	start := time.Now()
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := remote.PublicKey(ctx, "unknown-"+strconv.Itoa(i))
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	if d := time.Since(start); d > fetchTimeout+2*time.Second {
		t.Fatalf("200 unknown kids during an outage took %v", d)
	}
	for err := range errs {
		if !errors.Is(err, jwks.ErrUnknownKey) {
			t.Fatalf("unknown kid during an outage: %v, want ErrUnknownKey", err)
		}
	}
	if n := fs.requests.Load() - requests; n != 1 {
		t.Fatalf("200 concurrent unknown kids made %d requests, want 1", n)
	}
	// Within the interval: at once, and no request.
	timed(t, "an unknown kid within the interval", fetchTimeout/4, func() {
		if _, err := remote.PublicKey(ctx, "another"); !errors.Is(err, jwks.ErrUnknownKey) {
			t.Fatalf("err = %v", err)
		}
	})
	if n := fs.requests.Load() - requests; n != 1 {
		t.Fatalf("requests = %d, want 1", n)
	}
	// The known key was never in doubt.
	if _, err := remote.PublicKey(ctx, signer.Key().ID); err != nil {
		t.Fatal(err)
	}
}

// TestRemoteFirstFetchFailing: with no keys yet, a failing endpoint gives
// ErrKeysUnavailable (a 503, not a 401), makes no request of its own
// before the next retry is due (TestRemoteColdStartBacksOff times those),
// and recovers by itself.
func TestRemoteFirstFetchFailing(t *testing.T) {
	clock := newFakeClock()
	signer := verifytest.NewSigner(faultProject, verifytest.WithClock(clock.Now))
	fs := newFaultServer(t, signer)
	fs.set(mode500)
	remote := fs.remote(t, clock, jwks.RemoteOptions{FetchTimeout: 300 * time.Millisecond})
	v, err := verify.New(faultProject, verify.WithKeySource(remote), verify.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	token := signer.IDToken("u1")
	for i := 0; i < 100; i++ {
		_, err := v.Verify(ctx, token)
		if !errors.Is(err, jwks.ErrKeysUnavailable) || !verify.IsServerSide(err) {
			t.Fatalf("verify %d: %v, want ErrKeysUnavailable", i, err)
		}
	}
	if n := fs.requests.Load(); n != 1 {
		t.Fatalf("100 verifications with no keys made %d requests, want 1", n)
	}
	fs.set(modeOK)
	clock.Advance(jwks.DefaultMinRefreshInterval)
	if _, err := v.Verify(ctx, token); err != nil {
		t.Fatalf("after the endpoint healed: %v", err)
	}
	if n := fs.requests.Load(); n != 2 {
		t.Fatalf("requests = %d, want 2", n)
	}
}

// TestRemoteFollowsKeyRotation: a new kid is fetched when the first token
// signed with it arrives; the old key keeps working while published; once
// Google retires it, the next refresh drops it.
func TestRemoteFollowsKeyRotation(t *testing.T) {
	clock := newFakeClock()
	signer := verifytest.NewSigner(faultProject, verifytest.WithClock(clock.Now))
	signer.SetMaxAge(10 * time.Minute)
	signer.URL()
	t.Cleanup(signer.Close)
	remote := signer.Remote(jwks.RemoteOptions{})
	t.Cleanup(func() { remote.Close() })
	v, err := verify.New(faultProject, verify.WithKeySource(remote), verify.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	oldKey := signer.Key()
	if _, err := v.Verify(ctx, signer.IDToken("u1")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute) // past the refresh interval, keys still fresh
	newKey := signer.Rotate()
	if _, err := v.Verify(ctx, signer.IDToken("u1")); err != nil {
		t.Fatalf("token of the new key %s: %v", newKey.ID, err)
	}
	if _, err := v.Verify(ctx, signer.IDToken("u1", verifytest.SignedBy(oldKey))); err != nil {
		t.Fatalf("token of the old key during the rotation: %v", err)
	}
	if n := signer.Requests(); n != 2 {
		t.Fatalf("requests = %d, want 2 (first fetch, then the new kid)", n)
	}

	signer.RetireOldKeys()
	clock.Advance(11 * time.Minute) // the cached set is stale
	oldToken := signer.IDToken("u1", verifytest.SignedBy(oldKey))
	// The stale set still answers at once while the refresh runs.
	if _, err := v.Verify(ctx, oldToken); err != nil {
		t.Fatalf("old key while the stale set is refreshed: %v", err)
	}
	waitUntil(t, "the refresh drops the old key", func() bool {
		ids := remote.Status().KeyIDs
		return len(ids) == 1 && ids[0] == newKey.ID
	})
	if _, err := v.Verify(ctx, oldToken); !errors.Is(err, jwks.ErrUnknownKey) {
		t.Fatalf("old key after it was retired: %v, want ErrUnknownKey", err)
	}
	if _, err := v.Verify(ctx, signer.IDToken("u2")); err != nil {
		t.Fatalf("new key after the rotation: %v", err)
	}
}

// TestRemoteUnknownKidStorm sends 10,000 tokens with random kids through
// the verifier from 32 goroutines while the clock runs 100 seconds: the
// endpoint sees at most the first fetch plus one refresh per
// MinRefreshInterval.
func TestRemoteUnknownKidStorm(t *testing.T) {
	clock := newFakeClock()
	signer := verifytest.NewSigner(faultProject, verifytest.WithClock(clock.Now))
	fs := newFaultServer(t, signer)
	const interval = 30 * time.Second
	remote := fs.remote(t, clock, jwks.RemoteOptions{MinRefreshInterval: interval})
	v, err := verify.New(faultProject, verify.WithKeySource(remote), verify.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := v.Verify(ctx, signer.IDToken("u1")); err != nil {
		t.Fatal(err)
	}

	// A valid payload and a well-formed signature; only the kid varies, so
	// each token reaches the key lookup (the signature is never checked).
	valid := strings.Split(signer.IDToken("u1"), ".")
	forged := func(kid string) string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"` + kid + `","typ":"JWT"}`))
		return h + "." + valid[1] + "." + valid[2]
	}
	const tokens, workers = 10000, 32
	const step = 1 * time.Second // the clock advances this much every 100 tokens
	var next atomic.Int64
	var unknown, other atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for {
				i := next.Add(1)
				if i > tokens || ctx.Err() != nil {
					return
				}
				if i%100 == 0 {
					clock.Advance(step)
				}
				_, err := v.Verify(ctx, forged(fmt.Sprintf("%016x", rng.Uint64())))
				if errors.Is(err, jwks.ErrUnknownKey) {
					unknown.Add(1)
				} else {
					other.Add(1)
				}
			}
		}(uint64(w))
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("the storm did not finish in time")
	}
	if u, o := unknown.Load(), other.Load(); u != tokens || o != 0 {
		t.Fatalf("%d unknown-key refusals and %d others, want %d and 0", u, o, tokens)
	}
	elapsed := time.Duration(tokens/100) * step
	limit := 1 + int64(elapsed/interval) + 1 // first fetch, one per interval, one at the start
	got := fs.requests.Load()
	t.Logf("10,000 random kids over %v of clock: %d requests (limit %d)", elapsed, got, limit)
	if got > limit {
		t.Fatalf("%d requests, want at most %d", got, limit)
	}
	if got < 2 {
		t.Fatalf("%d requests: unknown kids never triggered a refresh", got)
	}
}

// remote is a Remote on fs with the test's clock and opts, closed when the
// test ends.
func (fs *faultServer) remote(t *testing.T, clock *fakeClock, opts jwks.RemoteOptions) *jwks.Remote {
	t.Helper()
	opts.Now = clock.Now
	r, err := jwks.NewRemote(fs.url(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
