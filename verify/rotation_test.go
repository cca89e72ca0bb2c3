package verify_test

// A month of Google's key rotations, played on a fake clock against the
// whole production path (verify.Verifier over a jwks.Remote over HTTP on
// loopback), with the endpoint failing in every way it can. It proves that
// no genuine token is refused once the endpoint has served its key,
// healthy, for jwks.DefaultMinRefreshInterval, and counts what no verifier
// could avoid.

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// The schedule: a rotation every 6 h (jittered) for 30 days, each new key
// published 2 h before it signs (some sign at the moment they are
// published, some a few minutes before), the old key published until an
// hour and five minutes after its last token.
const (
	simDays        = 30
	simPeriod      = 6 * time.Hour
	simLead        = 2 * time.Hour
	simOldKeyGrace = time.Hour + 5*time.Minute
	simMinRefresh  = jwks.DefaultMinRefreshInterval
	// simCacheBoundary: Google's max-age counts down to a boundary every
	// few hours, not aligned with its rotations.
	simCacheBoundary = 6 * time.Hour
	simTick          = 30 * time.Minute
	// simClientRefresh: a client gets a fresh ID token every hour, on
	// the hour, and sends it until the next (an RSA signature costs a few
	// milliseconds under the race detector, so the simulation mints as few
	// tokens as a month of clients needs).
	simClientRefresh = time.Hour
)

type simRotation struct {
	kid               string
	key               *rsa.PrivateKey
	published, signs  time.Time
	retired           time.Time // zero: still published at the end
	signsEarly, atPub bool
}

type simFault struct {
	from, to time.Time
	mode     string // "5xx", "timeout", "truncated", "garbage", "empty"
}

// fakeGoogle serves the schedule's key set at the Google clock's time, with
// Cache-Control as Google sends it, or the fault of the moment.
type fakeGoogle struct {
	t0        time.Time
	rotations []simRotation
	faults    []simFault
	now       atomic.Int64 // Google's clock, Unix ns

	mu       sync.Mutex
	docs     map[string][]byte // by the published kids
	requests int
}

func (g *fakeGoogle) clock() time.Time { return time.Unix(0, g.now.Load()).UTC() }

func (g *fakeGoogle) published(at time.Time) []simRotation {
	var out []simRotation
	for _, r := range g.rotations {
		if !at.Before(r.published) && (r.retired.IsZero() || at.Before(r.retired)) {
			out = append(out, r)
		}
	}
	return out
}

func (g *fakeGoogle) faultAt(at time.Time) string {
	for _, f := range g.faults {
		if !at.Before(f.from) && at.Before(f.to) {
			return f.mode
		}
	}
	return ""
}

// maxAge counts down to the next cache boundary, as Google's does.
func (g *fakeGoogle) maxAge(at time.Time) int {
	since := at.Sub(g.t0.Add(97 * time.Minute))
	left := simCacheBoundary - since%simCacheBoundary
	if since < 0 {
		left = -since
	}
	return int(left / time.Second)
}

func (g *fakeGoogle) document(at time.Time) []byte {
	keys := map[string]*rsa.PublicKey{}
	var ids []string
	for _, r := range g.published(at) {
		keys[r.kid] = &r.key.PublicKey
		ids = append(ids, r.kid)
	}
	id := fmt.Sprint(ids)
	g.mu.Lock()
	defer g.mu.Unlock()
	if doc, ok := g.docs[id]; ok {
		return doc
	}
	doc, err := jwks.EncodeJWKS(keys)
	if err != nil {
		panic(err)
	}
	g.docs[id] = doc
	return doc
}

func (g *fakeGoogle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := g.clock()
	g.mu.Lock()
	g.requests++
	g.mu.Unlock()
	mode := g.faultAt(at)
	if mode == "5xx" {
		http.Error(w, "backend error", http.StatusServiceUnavailable)
		return
	}
	if mode == "timeout" {
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d, must-revalidate, no-transform", g.maxAge(at)))
	switch mode {
	case "truncated":
		doc := g.document(at)
		_, _ = w.Write(doc[:len(doc)*2/3])
	case "garbage":
		_, _ = w.Write([]byte("<!DOCTYPE html><html><body>Error 502 (Server Error)</body></html>"))
	case "empty":
		_, _ = w.Write([]byte(`{"keys":[]}`))
	default:
		_, _ = w.Write(g.document(at))
	}
}

// impatientTransport gives up on a request after 20 ms of real time while
// the fake Google is in a "timeout" fault: the Remote sees the same
// timeout error as after its FetchTimeout, without the test waiting 10 s.
type impatientTransport struct{ g *fakeGoogle }

func (it *impatientTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if it.g.faultAt(it.g.clock()) == "timeout" {
		ctx, cancel := context.WithTimeout(req.Context(), 20*time.Millisecond)
		defer cancel()
		resp, err := http.DefaultTransport.RoundTrip(req.WithContext(ctx))
		if err == nil {
			resp.Body.Close()
			return nil, errors.New("a response during a timeout fault")
		}
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(req)
}

// healthyFor reports how long, up to at, the endpoint has been answering
// without a fault and publishing kid (0 if it is not, now).
func (g *fakeGoogle) healthyFor(kid string, at time.Time) time.Duration {
	var r *simRotation
	for i := range g.rotations {
		if g.rotations[i].kid == kid {
			r = &g.rotations[i]
		}
	}
	if r == nil || at.Before(r.published) || (!r.retired.IsZero() && !at.Before(r.retired)) || g.faultAt(at) != "" {
		return 0
	}
	since := r.published
	for _, f := range g.faults {
		if !f.to.After(at) && f.to.After(since) {
			since = f.to
		}
	}
	return at.Sub(since)
}

// newSchedule makes the rotations and faults of the simulation from a
// fixed seed.
func newSchedule(t0 time.Time, pool []*rsa.PrivateKey) ([]simRotation, []simFault) {
	rng := rand.New(rand.NewPCG(25, 2026))
	var rots []simRotation
	// Key 0 is signing from the start.
	rots = append(rots, simRotation{kid: "k000", key: pool[0], published: t0.Add(-24 * time.Hour), signs: t0.Add(-22 * time.Hour)})
	end := t0.Add(simDays * 24 * time.Hour)
	for i := 1; ; i++ {
		pub := t0.Add(time.Duration(i)*simPeriod - simLead + time.Duration(rng.IntN(60))*time.Minute)
		r := simRotation{kid: fmt.Sprintf("k%03d", i), key: pool[i%len(pool)], published: pub, signs: pub.Add(simLead)}
		switch i % 10 {
		case 3: // starts signing the moment it is published
			r.signs, r.atPub = pub, true
		case 7: // starts signing a little before it is published
			r.signs, r.signsEarly = pub.Add(-time.Duration(1+rng.IntN(5))*time.Minute), true
		}
		if !r.signs.Before(end) {
			break
		}
		rots[len(rots)-1].retired = r.signs.Add(simOldKeyGrace)
		if i >= 2 {
			// Only the current and the next key are published at once.
			if rots[len(rots)-2].retired.After(pub) {
				rots[len(rots)-2].retired = pub
			}
		}
		rots = append(rots, r)
	}
	modes := []string{"5xx", "timeout", "truncated", "garbage", "empty"}
	var faults []simFault
	for i := 1; i < len(rots); i++ {
		mode := modes[i%len(modes)]
		var from time.Time
		switch i % 4 {
		case 0: // failing since just before a key is published
			from = rots[i].published.Add(-time.Minute)
		case 1: // failing when a key starts signing
			from = rots[i].signs.Add(-2 * time.Minute)
		default: // anywhere
			from = rots[i].published.Add(-simPeriod / 2).Add(time.Duration(rng.IntN(300)) * time.Minute)
		}
		length := time.Duration(1+rng.IntN(20)) * time.Minute
		if mode == "timeout" {
			length = time.Duration(1+rng.IntN(3)) * time.Minute // each attempt costs real time
		}
		if n := len(faults); n > 0 && !from.After(faults[n-1].to) {
			continue
		}
		faults = append(faults, simFault{from: from, to: from.Add(length), mode: mode})
	}
	return rots, faults
}

// simSteps are the times tokens arrive: every simTick, and densely around
// each event (publication, first signature, retirement, end of a fault).
func simSteps(t0 time.Time, rots []simRotation, faults []simFault) []time.Time {
	end := t0.Add(simDays * 24 * time.Hour)
	set := map[int64]bool{}
	for at := t0; at.Before(end); at = at.Add(simTick) {
		set[at.UnixNano()] = true
	}
	around := []time.Duration{-time.Second, 0, time.Second,
		simMinRefresh - time.Second, simMinRefresh, simMinRefresh + time.Second, 2 * time.Minute}
	var events []time.Time
	for _, r := range rots {
		events = append(events, r.published, r.signs, r.retired)
	}
	for _, f := range faults {
		events = append(events, f.from, f.to)
	}
	for _, e := range events {
		for _, d := range around {
			if at := e.Add(d); !at.Before(t0) && at.Before(end) {
				set[at.UnixNano()] = true
			}
		}
	}
	var steps []time.Time
	for ns := range set {
		steps = append(steps, time.Unix(0, ns).UTC())
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Before(steps[j]) })
	return steps
}

// simWindow is a run of refusals of one key's genuine tokens.
type simWindow struct {
	kid         string
	first, last time.Time
	why         string // of the first refusal
	// healthy: how long the endpoint had served the key, healthy, at the
	// last refusal; always less than the minimum refresh interval.
	healthy time.Duration
}

// simResult is what one run of the simulation measured.
type simResult struct {
	steps, rotations, faults, genuine, retiredTried int
	refusedAvoidable                                []string
	windows                                         []*simWindow
	refusedUnavoidable                              int
	retiredAccepted                                 []string
	fetches, failed                                 int
	byReason                                        map[string]int
	maxRetiredLife                                  time.Duration
}

// simTokens mints the simulation's tokens, each once for every run (an
// RSA signature costs a millisecond).
type simTokens struct {
	signer *verifytest.Signer
	now    time.Time
	minted map[string]string
}

func newSimTokens() *simTokens {
	ts := &simTokens{minted: map[string]string{}}
	ts.signer = verifytest.NewSigner("my-project", verifytest.WithClock(func() time.Time { return ts.now }))
	return ts
}

// token is an ID token signed by r's key, issued at iat.
func (ts *simTokens) token(r simRotation, iat time.Time) string {
	id := r.kid + iat.String()
	if tok, ok := ts.minted[id]; ok {
		return tok
	}
	ts.now = iat
	tok := ts.signer.IDToken("user-"+r.kid, verifytest.SignedBy(&verifytest.Key{ID: r.kid, Private: r.key}))
	ts.minted[id] = tok
	return tok
}

func runRotationSim(t *testing.T, pool []*rsa.PrivateKey, ts *simTokens, skew time.Duration) simResult {
	t.Helper()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rots, faults := newSchedule(t0, pool)
	g := &fakeGoogle{t0: t0, rotations: rots, faults: faults, docs: map[string][]byte{}}
	g.now.Store(t0.UnixNano())
	srv := httptest.NewServer(g)
	defer srv.Close()
	sim := newRotationSim(t, g, srv.URL+"/jwks", ts, skew)
	defer sim.v.Close()
	if err := sim.remote.Refresh(sim.ctx); err != nil {
		t.Fatalf("warm-up: %v", err)
	}
	sim.settle()

	sim.res = simResult{rotations: len(rots) - 1, faults: len(faults), byReason: map[string]int{}}
	steps := simSteps(t0, rots, faults)
	sim.res.steps = len(steps)
	for _, at := range steps {
		sim.genuineStep(at)
		sim.retiredStep(at)
	}
	sim.evMu.Lock()
	sim.res.fetches = len(sim.events)
	for _, ev := range sim.events {
		if ev.Err != nil {
			sim.res.failed++
		}
	}
	sim.evMu.Unlock()
	return sim.res
}

// rotationSim is one run of the simulation: the fake Google, the key
// source and Verifier on its clock, and what the run has counted.
type rotationSim struct {
	t      *testing.T
	g      *fakeGoogle
	ts     *simTokens
	host   func() time.Time
	remote *jwks.Remote
	v      *verify.Verifier
	ctx    context.Context

	evMu     sync.Mutex
	events   []jwks.FetchEvent
	fetchLog []string

	res    simResult
	open   map[string]*simWindow
	lastOK time.Time // Google time of the last successful fetch's end
}

// newRotationSim builds the key source and the Verifier, both on the host
// clock (Google's clock plus skew).
func newRotationSim(t *testing.T, g *fakeGoogle, url string, ts *simTokens, skew time.Duration) *rotationSim {
	t.Helper()
	sim := &rotationSim{t: t, g: g, ts: ts, ctx: context.Background(), open: map[string]*simWindow{}}
	sim.host = func() time.Time { return g.clock().Add(skew) }
	remote, err := jwks.NewRemote(url, jwks.RemoteOptions{
		Now: sim.host,
		// A silent endpoint is given up on after 20 ms of real time (see
		// impatientTransport), a healthy one has the default 10 s.
		HTTPClient: &http.Client{Transport: &impatientTransport{g: g}},
		OnFetch: func(ev jwks.FetchEvent) {
			sim.evMu.Lock()
			sim.events = append(sim.events, ev)
			sim.fetchLog = append(sim.fetchLog, fmt.Sprintf("%v: %d keys, status %d, max-age %v, err %v", g.clock().Format(time.DateTime), ev.Keys, ev.Status, ev.MaxAge, ev.Err))
			sim.evMu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New("my-project", verify.WithKeySource(remote), verify.WithClock(sim.host))
	if err != nil {
		t.Fatal(err)
	}
	sim.remote, sim.v = remote, v
	return sim
}

// settle waits until every fetch started has ended, so each step sees the
// key set as of its own time.
func (sim *rotationSim) settle() {
	for {
		started := sim.remote.Status().Fetches
		sim.evMu.Lock()
		done := len(sim.events)
		sim.evMu.Unlock()
		if done == started {
			return
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// lastFetchFailed reports whether the newest fetch ended in an error.
func (sim *rotationSim) lastFetchFailed() bool {
	sim.evMu.Lock()
	defer sim.evMu.Unlock()
	n := len(sim.events)
	return n > 0 && sim.events[n-1].Err != nil
}

// verifyAt verifies tok at Google time at, and counts the fetches it
// caused by their reason.
func (sim *rotationSim) verifyAt(at time.Time, tok string, retired bool) error {
	sim.g.now.Store(at.UnixNano())
	before := sim.remote.Status()
	lastFailed := sim.lastFetchFailed()
	_, err := sim.v.Verify(sim.ctx, tok)
	sim.settle()
	after := sim.remote.Status()
	if n := after.Fetches - before.Fetches; n > 0 {
		reason := "unknown kid: a new key"
		if retired {
			reason = "unknown kid: a retired key's token"
		}
		switch {
		case lastFailed:
			reason = "retry after a fault"
		case !sim.host().Before(before.Expires):
			reason = "max-age ran out"
		}
		sim.res.byReason[reason] += n
	}
	sim.evMu.Lock()
	if n := len(sim.events); n > 0 && sim.events[n-1].Err == nil {
		sim.lastOK = at
	}
	sim.evMu.Unlock()
	return err
}

// clientTokens returns the tokens genuine clients send at time at: one of
// the signing key, issued at its last half-hourly refresh (or when the
// key started signing, if later), and the last token of the key before it
// while that token lives.
func (sim *rotationSim) clientTokens(at time.Time) ([]simRotation, []string) {
	rots := sim.g.rotations
	cur := 0
	for i, r := range rots {
		if !at.Before(r.signs) {
			cur = i
		}
	}
	iat := at.Truncate(simClientRefresh)
	if iat.Before(rots[cur].signs) {
		iat = rots[cur].signs
	}
	genuine := []simRotation{rots[cur]}
	toks := []string{sim.ts.token(rots[cur], iat)}
	if cur > 0 && at.Before(rots[cur-1].retired) {
		last := rots[cur].signs.Add(-time.Second).Truncate(simClientRefresh)
		if last.Before(rots[cur-1].signs) {
			last = rots[cur-1].signs
		}
		if at.Before(last.Add(simClientRefresh)) {
			genuine = append(genuine, rots[cur-1])
			toks = append(toks, sim.ts.token(rots[cur-1], last))
		}
	}
	return genuine, toks
}

// genuineStep verifies the clients' tokens at time at and sorts each
// refusal as avoidable (the key was served healthy long enough) or not.
func (sim *rotationSim) genuineStep(at time.Time) {
	genuine, toks := sim.clientTokens(at)
	for i, tok := range toks {
		r := genuine[i]
		sim.res.genuine++
		err := sim.verifyAt(at, tok, false)
		if err == nil {
			delete(sim.open, r.kid)
			continue
		}
		if !errors.Is(err, jwks.ErrUnknownKey) && !errors.Is(err, jwks.ErrKeysUnavailable) {
			sim.t.Fatalf("%v: a genuine token of %s refused for another reason: %v", at, r.kid, err)
		}
		healthy := sim.g.healthyFor(r.kid, at)
		if healthy >= simMinRefresh {
			sim.evMu.Lock()
			recent := sim.fetchLog[max(0, len(sim.fetchLog)-3):]
			sim.evMu.Unlock()
			sim.res.refusedAvoidable = append(sim.res.refusedAvoidable, fmt.Sprintf("%v: %s served healthy for %v: %v; last fetches %q", at, r.kid, healthy, err, recent))
			continue
		}
		sim.unavoidable(at, r, healthy)
	}
}

// unavoidable counts a refusal no verifier could have avoided, in the
// window of refusals of its key.
func (sim *rotationSim) unavoidable(at time.Time, r simRotation, healthy time.Duration) {
	why := "began with the endpoint failing"
	switch {
	case at.Before(r.published):
		why = "began before the key was published"
	case healthy > 0:
		why = "began less than the minimum refresh interval after the key was published"
	}
	sim.res.refusedUnavoidable++
	if w := sim.open[r.kid]; w != nil {
		w.last, w.healthy = at, healthy
		return
	}
	sim.open[r.kid] = &simWindow{kid: r.kid, first: at, last: at, why: why, healthy: healthy}
	sim.res.windows = append(sim.res.windows, sim.open[r.kid])
}

// retiredStep sends, for each key retired within the last hour, a token
// minted at its retirement (as with a leaked key): it must be refused once
// a fetch after the retirement succeeded.
func (sim *rotationSim) retiredStep(at time.Time) {
	for _, r := range sim.g.rotations {
		if r.retired.IsZero() || at.Before(r.retired) || !at.Before(r.retired.Add(time.Hour)) {
			continue
		}
		sim.res.retiredTried++
		err := sim.verifyAt(at, sim.ts.token(r, r.retired), true)
		if err == nil {
			if !sim.lastOK.Before(r.retired) && sim.lastOK.Before(at) {
				sim.res.retiredAccepted = append(sim.res.retiredAccepted, fmt.Sprintf("%v: %s retired at %v", at, r.kid, r.retired))
			}
			sim.res.maxRetiredLife = max(sim.res.maxRetiredLife, at.Sub(r.retired))
		} else if !errors.Is(err, jwks.ErrUnknownKey) {
			sim.t.Fatalf("%v: a retired key's token: err = %v, want ErrUnknownKey", at, err)
		}
	}
}

func TestKeyRotationsOverAMonth(t *testing.T) {
	pool := make([]*rsa.PrivateKey, 4)
	for i := range pool {
		pool[i] = verifytest.GenerateKey().Private
	}
	ts := newSimTokens()
	for _, skew := range []time.Duration{0, verify.DefaultLeeway, -verify.DefaultLeeway} {
		t.Run("host clock off by "+skew.String(), func(t *testing.T) {
			res := runRotationSim(t, pool, ts, skew)
			if res.rotations < 100 {
				t.Fatalf("%d rotations, want at least 100", res.rotations)
			}
			for _, r := range res.refusedAvoidable {
				t.Error("refused a genuine token whose key was served healthy for the minimum refresh interval: " + r)
			}
			for _, r := range res.retiredAccepted {
				t.Error("accepted a retired key's token after a fetch without it: " + r)
			}
			longest := time.Duration(0)
			for _, w := range res.windows {
				longest = max(longest, w.last.Sub(w.first))
			}
			// Fetch budget: one per max-age, one retry per failed fetch,
			// and the refreshes unknown kids cause (new keys, retired
			// keys' tokens), at most one per minimum refresh interval.
			if got, limit := res.byReason["retry after a fault"], res.failed; got > limit {
				t.Errorf("%d retries after faults, want at most one per failed fetch (%d)", got, limit)
			}
			if got, limit := res.byReason["max-age ran out"], simDays*int(24*time.Hour/simCacheBoundary)+res.failed+1; got > limit {
				t.Errorf("%d fetches because max-age ran out, want at most one per boundary plus one per failure (%d)", got, limit)
			}
			if got, limit := res.byReason["unknown kid: a new key"], 2*res.rotations; got > limit {
				t.Errorf("%d fetches for new keys' kids, want at most two per rotation (%d)", got, limit)
			}
			sum := 0
			for _, n := range res.byReason {
				sum += n
			}
			if sum+1 != res.fetches {
				t.Errorf("fetches by reason %v add up to %d, want %d (less the warm-up)", res.byReason, sum, res.fetches-1)
			}
			t.Logf("%d steps, %d rotations, %d faults; %d genuine tokens, %d refused in %d windows (longest %v); %d retired-key tokens, accepted up to %v after retirement",
				res.steps, res.rotations, res.faults, res.genuine, res.refusedUnavoidable, len(res.windows), longest, res.retiredTried, res.maxRetiredLife)
			t.Logf("%d fetches (%d failed): %v", res.fetches, res.failed, res.byReason)
			for _, w := range res.windows {
				t.Logf("window %s %v .. %v (%v), %s; the last refusal %v after the endpoint served the key healthy",
					w.kid, w.first.Format(time.DateTime), w.last.Format(time.TimeOnly), w.last.Sub(w.first), w.why, w.healthy)
			}
		})
	}
}
