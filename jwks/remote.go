package jwks

import (
	"context"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fbverify/fbverify/jwks/internal/keyfetch"
)

// Defaults of RemoteOptions.
const (
	DefaultFetchTimeout       = 10 * time.Second
	DefaultMaxBodyBytes       = 1 << 20
	DefaultMinRefreshInterval = 30 * time.Second
	DefaultTTL                = time.Hour
	DefaultMinTTL             = time.Minute
	DefaultMaxTTL             = 24 * time.Hour
)

// RemoteOptions tunes a Remote. Every zero field takes the default named in
// its comment.
type RemoteOptions struct {
	// HTTPClient makes the requests. If nil, a client with FetchTimeout that
	// does not follow redirects.
	HTTPClient *http.Client
	// Now is the clock that judges max-age and the refresh interval. If nil,
	// time.Now.
	Now func() time.Time
	// FetchTimeout bounds one fetch. If zero, DefaultFetchTimeout.
	FetchTimeout time.Duration
	// MaxBodyBytes bounds the response body; a larger one fails the fetch.
	// If zero, DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MinRefreshInterval is the least time between two fetches while the
	// Remote has keys. It bounds the fetches that unknown key IDs and
	// failures can cause: a storm of tokens with made-up kids costs at most
	// one request per interval. While the Remote has no keys at all (a cold
	// start, or an outage since start-up) a failed fetch is retried sooner:
	// 1 s after the first failure, then 2 s, 4 s, ... up to this interval.
	// If zero, DefaultMinRefreshInterval.
	MinRefreshInterval time.Duration
	// DefaultTTL is how long keys are fresh when the response has no
	// Cache-Control max-age. If zero, DefaultTTL.
	DefaultTTL time.Duration
	// MinTTL and MaxTTL clamp the freshness that max-age gives. MaxTTL
	// also bounds the age of a usable SnapshotFile. If zero, DefaultMinTTL
	// and DefaultMaxTTL.
	MinTTL, MaxTTL time.Duration
	// SnapshotFile, if set, persists the keys across restarts: every
	// successful fetch is written to it (a JSON file recording the URL, the
	// fetch time, the max-age and the document as served) through a
	// temporary file in the same directory renamed over it, with mode
	// 0600; NewRemote seeds the cache from it, so a service restarted
	// while the endpoint is unreachable still verifies. The seeded keys
	// stay fresh until the recorded max-age runs out, then are served as
	// stale keys are while a refresh is tried. A snapshot fetched more than
	// MaxTTL ago (by default 24 h: never longer than any response can stay
	// fresh), of another URL, too large, or failing any check a fetched
	// document must pass is ignored with a warning to Logger. The directory
	// must be writable. If empty, nothing is read or written.
	SnapshotFile string
	// Logger receives a warning when a fetch fails or the snapshot file
	// cannot be used. If nil, nothing is logged.
	Logger *slog.Logger
	// OnFetch, if set, is called after each fetch, successful or not, and
	// before any caller waiting for that fetch returns. It runs on the
	// fetch's goroutine: keep it quick. See FetchEvent.
	OnFetch func(FetchEvent)
}

// Remote fetches a key set from an HTTPS endpoint (a JWK Set or an X.509
// certificate map, told apart by content) and caches it.
//
//   - Keys stay fresh for the response's Cache-Control max-age (less its
//     Age), clamped to MinTTL..MaxTTL, judged by the injected clock.
//   - The first lookup fetches; concurrent callers share that one request.
//   - A lookup of a known key after the keys went stale returns the cached
//     key at once and starts one refresh in the background of the call.
//   - An unknown kid triggers one refresh, waited for, unless one happened
//     within MinRefreshInterval: then it fails at once with ErrUnknownKey.
//   - A failed refresh, or one that returns no usable key, keeps the last
//     good keys.
//   - While there are no keys at all, a failed fetch may be retried after
//     1 s, then 2 s, 4 s, ... up to MinRefreshInterval. A lookup before
//     the retry is due fails at once with ErrKeysUnavailable; the first
//     one after starts it, and every lookup until it ends waits for that
//     same request.
//   - With SnapshotFile, keys survive a restart (see RemoteOptions).
//
// The lookup of a known, fresh key takes no lock and allocates nothing.
// A Remote starts no goroutine that outlives a fetch; Close cancels a
// fetch in flight and makes every later lookup fail.
type Remote struct {
	url  string
	opts RemoteOptions

	snap atomic.Pointer[snapshot]

	mu          sync.Mutex
	flight      *flight   // the fetch in progress, or nil
	lastAttempt time.Time // when the last fetch started (by opts.Now)
	lastErr     error     // the last fetch's error, nil after a success
	fetches     int
	// coldFailures counts the fetches that failed in a row while there
	// were no keys; it sets the backoff of the next retry.
	coldFailures int

	ctx    context.Context
	cancel context.CancelFunc
}

// snapshot is an immutable key set with its freshness.
type snapshot struct {
	keys    map[string]*rsa.PublicKey
	fetched time.Time
	expires time.Time
	// serverDate is the Date header of the response the keys came from;
	// zero when it had none or the keys came from SnapshotFile.
	serverDate time.Time
	// fromFile: read from SnapshotFile, no fetch has succeeded since.
	fromFile bool
}

// flight is one fetch that any number of callers may wait for.
type flight struct {
	done chan struct{}
	err  error
}

// NewRemote makes a Remote for the key set at rawURL. It does no network
// I/O: the first lookup (or Refresh) fetches. With opts.SnapshotFile it
// reads that file to seed the cache.
func NewRemote(rawURL string, opts RemoteOptions) (*Remote, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("jwks: key set URL %q is not an absolute http(s) URL", rawURL)
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = DefaultFetchTimeout
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = keyfetch.NewClient(opts.FetchTimeout)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MinRefreshInterval <= 0 {
		opts.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if opts.DefaultTTL <= 0 {
		opts.DefaultTTL = DefaultTTL
	}
	if opts.MinTTL <= 0 {
		opts.MinTTL = DefaultMinTTL
	}
	if opts.MaxTTL <= 0 {
		opts.MaxTTL = DefaultMaxTTL
	}
	if opts.MinTTL > opts.MaxTTL {
		return nil, fmt.Errorf("jwks: MinTTL %v is more than MaxTTL %v", opts.MinTTL, opts.MaxTTL)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Remote{url: rawURL, opts: opts, ctx: ctx, cancel: cancel}
	if opts.SnapshotFile != "" {
		if s := r.loadSnapshot(); s != nil {
			r.snap.Store(s)
		}
	}
	return r, nil
}

// PublicKey implements KeySource. ctx bounds the wait for a fetch; the
// fetch itself is bounded by FetchTimeout and shared with other callers,
// so one caller giving up does not fail the others.
func (r *Remote) PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	now := r.opts.Now()
	if s := r.snap.Load(); s != nil && now.Before(s.expires) {
		if k, ok := s.keys[kid]; ok {
			return k, nil
		}
	}
	return r.slowPublicKey(ctx, kid, now)
}

func (r *Remote) slowPublicKey(ctx context.Context, kid string, now time.Time) (*rsa.PublicKey, error) {
	if r.ctx.Err() != nil {
		return nil, fmt.Errorf("%w: the key source is closed", ErrKeysUnavailable)
	}
	s := r.snap.Load()
	f := r.startFetch(now, s)
	if s != nil {
		if k, ok := s.keys[kid]; ok {
			// Known but stale: serve it while the refresh (if any) runs.
			return k, nil
		}
	}
	if f != nil {
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: gave up waiting for the key set: %w", ErrKeysUnavailable, ctx.Err())
		}
		if s2 := r.snap.Load(); s2 != nil {
			if k, ok := s2.keys[kid]; ok {
				return k, nil
			}
			return nil, fmt.Errorf("%w %q", ErrUnknownKey, kid)
		}
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, f.err)
	}
	if s == nil {
		r.mu.Lock()
		last, wait := r.lastErr, r.lastAttempt.Add(r.retryInterval()).Sub(now)
		r.mu.Unlock()
		return nil, fmt.Errorf("%w: no keys yet, next fetch allowed in %v; last error: %v", ErrKeysUnavailable, wait.Round(time.Millisecond), last)
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownKey, kid)
}

// startFetch returns the fetch in flight, or starts one when the keys are
// stale or the caller needs a key they lack, unless the last fetch started
// less than retryInterval ago. It returns nil when no fetch runs.
func (r *Remote) startFetch(now time.Time, s *snapshot) *flight {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.flight != nil {
		return r.flight
	}
	if s != r.snap.Load() {
		// A fetch finished since the caller looked: let it look again
		// rather than fetch twice.
		return &flight{done: closedChan}
	}
	if !r.lastAttempt.IsZero() && now.Sub(r.lastAttempt) < r.retryInterval() {
		return nil
	}
	return r.beginFetch(now)
}

// beginFetch starts a fetch at now and makes it the one in flight. r.mu
// must be held and no fetch be in flight.
func (r *Remote) beginFetch(now time.Time) *flight {
	f := &flight{done: make(chan struct{})}
	r.flight = f
	r.lastAttempt = now
	r.fetches++
	go r.runFetch(f)
	return f
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// firstColdRetry is the wait after the first failed fetch while there are
// no keys; it doubles with each further failure up to MinRefreshInterval.
const firstColdRetry = time.Second

// retryInterval is the least time from the start of one fetch to the next:
// MinRefreshInterval with keys, the cold-start backoff without. r.mu must
// be held.
func (r *Remote) retryInterval() time.Duration {
	if r.coldFailures == 0 || r.snap.Load() != nil {
		return r.opts.MinRefreshInterval
	}
	d := firstColdRetry
	for i := 1; i < r.coldFailures && d < r.opts.MinRefreshInterval; i++ {
		d *= 2
	}
	return min(d, r.opts.MinRefreshInterval)
}

func (r *Remote) runFetch(f *flight) {
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.FetchTimeout)
	started, status := time.Now(), 0
	keys, body, ttl, date, err := r.fetch(ctx, &status)
	cancel()
	fetched := r.opts.Now()
	if err == nil && r.opts.SnapshotFile != "" && r.ctx.Err() == nil {
		r.saveSnapshot(body, fetched, ttl)
	}
	r.mu.Lock()
	if err == nil && r.ctx.Err() != nil {
		err = fmt.Errorf("the key source is closed")
	}
	switch {
	case err == nil:
		r.snap.Store(&snapshot{keys: keys, fetched: fetched, expires: fetched.Add(ttl), serverDate: date})
		r.coldFailures = 0
	case r.snap.Load() != nil:
		r.logWarn("jwks: key set fetch failed; keeping the last good keys",
			"url", r.url, "error", err.Error())
	case r.ctx.Err() == nil:
		r.coldFailures++
		r.logWarn("jwks: key set fetch failed and there are no keys yet; every token is refused until a fetch succeeds",
			"url", r.url, "error", err.Error(), "retry_in", r.retryInterval())
	}
	r.lastErr = err
	r.flight = nil
	f.err = err
	r.mu.Unlock()
	r.reportFetch(status, started, len(keys), ttl, err)
	close(f.done)
}

// Refresh fetches the key set now, unless a fetch is already in flight, in
// which case it waits for that one. Use it to warm the cache at start-up
// so the first request does not wait. It ignores MinRefreshInterval and
// the cold-start backoff.
func (r *Remote) Refresh(ctx context.Context) error {
	if r.ctx.Err() != nil {
		return fmt.Errorf("%w: the key source is closed", ErrKeysUnavailable)
	}
	r.mu.Lock()
	f := r.flight
	if f == nil {
		f = r.beginFetch(r.opts.Now())
	}
	r.mu.Unlock()
	select {
	case <-f.done:
		if f.err != nil {
			return fmt.Errorf("%w: %w", ErrKeysUnavailable, f.err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: gave up waiting for the key set: %w", ErrKeysUnavailable, ctx.Err())
	}
}

// logWarn logs to the Logger, if any.
func (r *Remote) logWarn(msg string, args ...any) {
	if r.opts.Logger != nil {
		r.opts.Logger.Warn(msg, args...)
	}
}

// Status describes a Remote's cache, for health checks and logs.
type Status struct {
	// KeyIDs are the cached keys' IDs, sorted; empty before the first
	// successful fetch.
	KeyIDs []string
	// Fetched and Expires bound the cached keys' freshness.
	Fetched, Expires time.Time
	// Fetches counts the fetches started, successful or not.
	Fetches int
	// LastError is the last fetch's error, nil if it succeeded.
	LastError error
	// FromSnapshot reports that the cached keys were read from
	// RemoteOptions.SnapshotFile and no fetch has succeeded since.
	FromSnapshot bool
	// ServerDate is the Date header of the response the cached keys came
	// from, to the second; zero when it had none (or the keys came from
	// the snapshot file). Compared with Fetched, which is this host's
	// clock (RemoteOptions.Now) at the same moment, it shows how far that
	// clock is from the key server's: the usual cause of tokens "issued in
	// the future".
	ServerDate time.Time
}

// Status reports the cache's state.
func (r *Remote) Status() Status {
	r.mu.Lock()
	st := Status{Fetches: r.fetches, LastError: r.lastErr}
	r.mu.Unlock()
	if s := r.snap.Load(); s != nil {
		st.KeyIDs = sortedIDs(s.keys)
		st.Fetched, st.Expires, st.FromSnapshot, st.ServerDate = s.fetched, s.expires, s.fromFile, s.serverDate
	}
	return st
}

// Close cancels a fetch in flight; every later lookup fails with
// ErrKeysUnavailable. It is safe to call more than once.
func (r *Remote) Close() error {
	r.cancel()
	r.dropKeys()
	return nil
}

// dropKeys forgets the keys once the Remote is stopped, so the lock-free
// fast path misses too and every lookup fails.
func (r *Remote) dropKeys() {
	r.mu.Lock()
	r.snap.Store(nil)
	r.mu.Unlock()
}

// fetch gets and parses the key set, returning it with the document, its
// freshness and the response's Date (zero if it had none or an unreadable
// one); it sets *status to the response's HTTP status.
func (r *Remote) fetch(ctx context.Context, status *int) (map[string]*rsa.PublicKey, []byte, time.Duration, time.Time, error) {
	resp, err := keyfetch.Get(ctx, r.opts.HTTPClient, r.url, r.opts.MaxBodyBytes)
	*status = resp.Status
	if err != nil {
		return nil, nil, 0, time.Time{}, err
	}
	keys, err := parseKeySet(resp.Body)
	if err != nil {
		return nil, nil, 0, time.Time{}, err
	}
	date, _ := http.ParseTime(resp.Header.Get("Date"))
	return keys, resp.Body, r.ttl(resp.Header), date, nil
}

// ttl reads how long a response stays fresh from Cache-Control max-age less
// Age, clamped to MinTTL..MaxTTL; DefaultTTL when there is no max-age, and
// MinTTL when the response says no-cache or no-store.
func (r *Remote) ttl(h http.Header) time.Duration {
	maxAge, ok := parseMaxAge(h.Values("Cache-Control"))
	if !ok {
		return r.opts.DefaultTTL
	}
	if age, err := strconv.ParseInt(strings.TrimSpace(h.Get("Age")), 10, 64); err == nil && age > 0 {
		maxAge -= time.Duration(age) * time.Second
	}
	return min(max(maxAge, r.opts.MinTTL), r.opts.MaxTTL)
}

// parseMaxAge finds max-age in Cache-Control header values. no-cache and
// no-store count as max-age=0.
func parseMaxAge(values []string) (time.Duration, bool) {
	found, d := false, time.Duration(0)
	for _, v := range values {
		for _, directive := range strings.Split(v, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-cache", "no-store":
				return 0, true
			case "max-age":
				secs, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(value), `"`), 10, 64)
				if err != nil || secs < 0 {
					continue
				}
				if secs > int64(100*365*24*time.Hour/time.Second) {
					secs = int64(100 * 365 * 24 * time.Hour / time.Second)
				}
				found, d = true, time.Duration(secs)*time.Second
			}
		}
	}
	return d, found
}

var _ KeySource = (*Remote)(nil)
var _ KeySource = (*Static)(nil)
