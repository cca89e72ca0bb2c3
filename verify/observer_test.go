package verify_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// verdicts records what an Observer is told.
type verdicts struct {
	mu      sync.Mutex
	seen    []verify.Verdict
	fetches []jwks.FetchEvent
}

func (r *verdicts) observer() verify.Observer {
	return verify.Observer{
		Verdict: func(v verify.Verdict) {
			r.mu.Lock()
			r.seen = append(r.seen, v)
			r.mu.Unlock()
		},
		KeyFetch: func(ev jwks.FetchEvent) {
			r.mu.Lock()
			r.fetches = append(r.fetches, ev)
			r.mu.Unlock()
		},
	}
}

func (r *verdicts) last(t *testing.T) verify.Verdict {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen) == 0 {
		t.Fatal("the observer saw no verdict")
	}
	return r.seen[len(r.seen)-1]
}

func TestObserverSeesEveryVerdict(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := verifytest.NewSigner("observer-test", verifytest.WithClock(func() time.Time { return now }))
	rec := &verdicts{}
	v, err := verify.New("observer-test", verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now), verify.WithObserver(rec.observer()))
	if err != nil {
		t.Fatal(err)
	}
	kid := s.Key().ID
	good := s.IDToken("u1")
	tests := []struct {
		name     string
		token    string
		code     string
		kid      string
		skew     time.Duration
		haveSkew bool
	}{
		{"valid, issued a minute ago", s.IDToken("u1", verifytest.IssuedAt(now.Add(-time.Minute))), "", kid, -time.Minute, true},
		{"valid, issuer clock 30s ahead", s.IDToken("u1", verifytest.IssuedAt(now.Add(30*time.Second))), "", kid, 30 * time.Second, true},
		{"issuer clock 10m ahead", s.IDToken("u1", verifytest.IssuedAt(now.Add(10*time.Minute))), "issued_in_future", kid, 10 * time.Minute, true},
		{"expired", s.IDToken("u1", verifytest.IssuedAt(now.Add(-2*time.Hour))), "token_expired", kid, 0, false},
		{"tampered", good[:len(good)-4] + "AAAA", "invalid_signature", kid, 0, false},
		{"unknown key", s.IDToken("u1", verifytest.Header("kid", "other")), "unknown_key", "other", 0, false},
		{"wrong project", s.IDToken("u1", verifytest.Project("p-2")), "invalid_audience", kid, 0, false},
		{"garbage", "not.a.token", "malformed_token", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := v.Verify(context.Background(), tt.token)
			got := rec.last(t)
			if got.Code != tt.code || verify.ErrorCode(err) != tt.code || got.Err != err {
				t.Errorf("verdict code %q err %v; Verify returned %v; want code %q", got.Code, got.Err, err, tt.code)
			}
			if got.Token != tok || (tt.code == "") != (tok != nil) {
				t.Errorf("verdict token %v, Verify returned %v", got.Token, tok)
			}
			if got.KeyID != tt.kid {
				t.Errorf("KeyID = %q, want %q", got.KeyID, tt.kid)
			}
			if got.HasSkew != tt.haveSkew || got.Skew != tt.skew {
				t.Errorf("Skew = %v (known %v), want %v (known %v)", got.Skew, got.HasSkew, tt.skew, tt.haveSkew)
			}
			if got.Kind != verify.IDToken || got.Duration <= 0 || got.Cached {
				t.Errorf("verdict %+v: want kind ID token, a duration, not cached", got)
			}
		})
	}
	rec.mu.Lock()
	n := len(rec.seen)
	rec.mu.Unlock()
	if n != len(tests) {
		t.Errorf("observer saw %d verdicts for %d calls", n, len(tests))
	}
}

func TestObserverSeesCacheHits(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := now
	s := verifytest.NewSigner("observer-test", verifytest.WithClock(func() time.Time { return now }))
	rec := &verdicts{}
	v, err := verify.New("observer-test", verify.WithKeySource(s.KeySource()), verify.WithClock(func() time.Time { return clock }),
		verify.WithCache(8), verify.WithObserver(rec.observer()))
	if err != nil {
		t.Fatal(err)
	}
	tok := s.IDToken("u1")
	ctx := context.Background()
	for i, want := range []bool{false, true} {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if got := rec.last(t); got.Cached != want || got.HasSkew == want {
			t.Errorf("call %d: Cached %v HasSkew %v, want Cached %v and skew only when not cached", i, got.Cached, got.HasSkew, want)
		}
	}
	clock = now.Add(2 * time.Hour)
	if _, err := v.Verify(ctx, tok); !errors.Is(err, verify.ErrExpired) {
		t.Fatalf("Verify of an expired cached token = %v", err)
	}
	if got := rec.last(t); !got.Cached || got.Code != "token_expired" {
		t.Errorf("expired hit reported as %+v", got)
	}
}

// redirectTo sends every request to base instead of its own host: the
// default key source's Google URL then reaches a loopback key server.
type redirectTo struct{ base *url.URL }

func (rt redirectTo) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.URL.Path, r.Host = rt.base.Scheme, rt.base.Host, "/jwks", rt.base.Host
	return http.DefaultTransport.RoundTrip(r)
}

func TestObserverSeesTheDefaultKeySourcesFetches(t *testing.T) {
	s := verifytest.NewSigner("observer-test")
	defer s.Close()
	base, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	rec := &verdicts{}
	v, err := verify.New("observer-test", verify.WithHTTPClient(&http.Client{Transport: redirectTo{base}, Timeout: 5 * time.Second}),
		verify.WithObserver(rec.observer()))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.Verify(context.Background(), s.IDToken("u1")); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.fetches) != 1 {
		t.Fatalf("observer saw %d fetches, want 1", len(rec.fetches))
	}
	if ev := rec.fetches[0]; ev.URL != jwks.IDTokenJWKSURL || ev.Status != http.StatusOK || ev.Keys != 1 || ev.MaxAge != time.Hour || ev.Err != nil {
		t.Errorf("fetch reported as %+v", ev)
	}
	if s.Requests() != 1 {
		t.Errorf("key server saw %d requests, want 1", s.Requests())
	}
}

func TestWithObserverRefusesAnEmptyObserver(t *testing.T) {
	if _, err := verify.New("observer-test", verify.WithKeySource(verifytest.NewSigner("observer-test").KeySource()), verify.WithObserver(verify.Observer{})); err == nil {
		t.Error("New accepted an Observer with no function")
	}
}

// TestObserverAddsNoAllocation: an observer that records a counter costs
// no allocation per verification, so neither does the unset one, which is
// one nil check.
func TestObserverAddsNoAllocation(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := verifytest.NewSigner("observer-test", verifytest.WithClock(func() time.Time { return now }))
	var n int
	count := verify.Observer{Verdict: func(verify.Verdict) { n++ }}
	plain, err := verify.New("observer-test", verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now))
	if err != nil {
		t.Fatal(err)
	}
	observed, err := verify.New("observer-test", verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now), verify.WithObserver(count))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok := s.IDToken("u1", verifytest.Email("ada@example.com", true))
	for _, v := range []*verify.Verifier{plain, observed} {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	base := testing.AllocsPerRun(100, func() { _, _ = plain.Verify(ctx, tok) })
	with := testing.AllocsPerRun(100, func() { _, _ = observed.Verify(ctx, tok) })
	if with > base {
		t.Errorf("Verify allocates %v times with an observer, %v without", with, base)
	}
	if n == 0 {
		t.Error("the observer was never called")
	}
}

// BenchmarkObserver times Verify without an observer and with one that
// counts, in paired loops: run with -bench Observer -count 6.
func BenchmarkObserver(b *testing.B) {
	f := newBenchFixture(b)
	var n int
	o, err := verify.New("bench-project", verify.WithKeySource(f.signer.KeySource()), verify.WithClock(f.signer.Now),
		verify.WithObserver(verify.Observer{Verdict: func(verify.Verdict) { n++ }}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var plainTime, observedTime time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if _, err := f.verifier.Verify(ctx, f.token); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := o.Verify(ctx, f.token); err != nil {
			b.Fatal(err)
		}
		plainTime += t1.Sub(t0)
		observedTime += time.Since(t1)
	}
	b.ReportMetric(float64(observedTime)/float64(plainTime), "x-unobserved")
}
