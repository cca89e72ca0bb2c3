package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// counters reads every counter and gauge of m as "name{label="value"}"
// → value, and each histogram's count as "name_count".
func counters(t testing.TB, m *metrics) map[string]float64 {
	t.Helper()
	families, err := m.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			var parts []string
			for _, l := range metric.GetLabel() {
				parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(parts)
			name := f.GetName()
			if len(parts) > 0 {
				name += "{" + strings.Join(parts, ",") + "}"
			}
			switch {
			case metric.Counter != nil:
				out[name] = metric.Counter.GetValue()
			case metric.Gauge != nil:
				out[name] = metric.Gauge.GetValue()
			case metric.Histogram != nil:
				out[name+"_count"] = float64(metric.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

// moved returns the fbverify_ series whose value changed from before to
// after, with the change.
func moved(before, after map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for name, v := range after {
		if strings.HasPrefix(name, "fbverify_") && !strings.HasPrefix(name, "fbverify_key_set_age_seconds") && v != before[name] {
			out[name] = v - before[name]
		}
	}
	return out
}

// testServer is a server on a key file, in the test's process, so its
// metrics can be read directly.
func testServer(t *testing.T, s *verifytest.Signer, cfg config) *server {
	t.Helper()
	cfg.projects = []string{testProject}
	if cfg.keysFile == "" && cfg.keysURL == nil {
		cfg.keysFile = keyFile(t, s)
	}
	srv, err := newServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func authRequest(srv *server, header string) int {
	req := httptest.NewRequest(http.MethodGet, "/verify", nil)
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Code
}

// TestVerdictCounters: each request moves its verdict's counter by one
// (and the duration histogram for those the Verifier saw), and nothing
// else; a cache hit moves the cache counter too.
func TestVerdictCounters(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	srv := testServer(t, s, config{cache: 16})
	valid := s.IDToken("alice")
	for _, c := range []struct {
		name   string
		header string
		status int
		want   map[string]float64
	}{
		{"valid, verified", "Bearer " + valid, 200, map[string]float64{
			`fbverify_verdicts_total{code="valid"}`: 1, "fbverify_verify_duration_seconds_count": 1, "fbverify_clock_skew_seconds_count": 1}},
		{"valid, from the cache", "Bearer " + valid, 200, map[string]float64{
			`fbverify_verdicts_total{code="valid"}`: 1, "fbverify_verify_duration_seconds_count": 1, "fbverify_cache_hits_total": 1}},
		{"no token", "", 401, map[string]float64{`fbverify_verdicts_total{code="no_token"}`: 1}},
		{"not Bearer", "Basic YWxpY2U6c2VjcmV0", 401, map[string]float64{`fbverify_verdicts_total{code="bad_authorization_header"}`: 1}},
		{"malformed", "Bearer x.y.z", 401, map[string]float64{
			`fbverify_verdicts_total{code="malformed_token"}`: 1, "fbverify_verify_duration_seconds_count": 1}},
		{"another project", "Bearer " + s.IDToken("alice", verifytest.Project("other-project")), 401, map[string]float64{
			`fbverify_verdicts_total{code="invalid_audience"}`: 1, "fbverify_verify_duration_seconds_count": 1}},
		{"unknown key", "Bearer " + s.IDToken("alice", verifytest.SignedBy(verifytest.GenerateKey())), 401, map[string]float64{
			`fbverify_verdicts_total{code="unknown_key"}`: 1, "fbverify_verify_duration_seconds_count": 1}},
		{"issued in the future", "Bearer " + s.IDToken("alice", verifytest.IssuedAt(time.Now().Add(10*time.Minute))), 401, map[string]float64{
			`fbverify_verdicts_total{code="issued_in_future"}`: 1, "fbverify_verify_duration_seconds_count": 1, "fbverify_clock_skew_seconds_count": 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := counters(t, srv.metrics)
			if got := authRequest(srv, c.header); got != c.status {
				t.Fatalf("status %d, want %d", got, c.status)
			}
			if got := moved(before, counters(t, srv.metrics)); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("moved %v, want %v", got, c.want)
			}
		})
	}
}

// TestFetchCounters: the start-up fetch that fails counts by its status
// and as a failure; the retry that succeeds counts by its status and sets
// the key gauges; an unknown kid within the minimum refresh interval
// fetches nothing.
func TestFetchCounters(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	var up atomic.Bool
	keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(s.JWKS())
	}))
	t.Cleanup(keys.Close)
	srv := testServer(t, s, config{keysURL: func(verify.Kind) string { return keys.URL + "/jwks" }})
	waitFor(t, "a failed fetch", 5*time.Second, func() bool {
		return counters(t, srv.metrics)["fbverify_key_fetch_failures_total"] == 1
	})
	got := counters(t, srv.metrics)
	for name, want := range map[string]float64{
		`fbverify_key_fetches_total{status="503"}`: 1,
		"fbverify_key_fetch_failures_total":        1,
		"fbverify_keys":                            0,
		"fbverify_key_set_age_seconds":             -1,
	} {
		if got[name] != want {
			t.Errorf("after a failed fetch: %s = %v, want %v", name, got[name], want)
		}
	}
	up.Store(true) // the warm-up retries 1 s after the failure
	waitFor(t, "a good fetch", 5*time.Second, func() bool {
		return counters(t, srv.metrics)[`fbverify_key_fetches_total{status="200"}`] == 1
	})
	got = counters(t, srv.metrics)
	if got["fbverify_key_fetch_failures_total"] != 1 || got["fbverify_keys"] != 1 || got["fbverify_key_set_age_seconds"] < 0 {
		t.Errorf("after a good fetch: failures %v, keys %v, age %v; want 1, 1 and an age", got["fbverify_key_fetch_failures_total"], got["fbverify_keys"], got["fbverify_key_set_age_seconds"])
	}
	before := got
	if status := authRequest(srv, "Bearer "+s.IDToken("alice", verifytest.SignedBy(verifytest.GenerateKey()))); status != 401 {
		t.Fatalf("unknown key: status %d, want 401", status)
	}
	want := map[string]float64{`fbverify_verdicts_total{code="unknown_key"}`: 1, "fbverify_verify_duration_seconds_count": 1}
	if got := moved(before, counters(t, srv.metrics)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("an unknown kid right after a fetch moved %v, want %v (no fetch)", got, want)
	}
}

// TestObserveFetch feeds fetch events to the metrics directly: a failure
// moves the failures and its status, never the key gauges.
func TestObserveFetch(t *testing.T) {
	m := newMetrics()
	m.observeFetch(jwks.FetchEvent{Status: 200, Keys: 2, MaxAge: time.Hour})
	m.observeFetch(jwks.FetchEvent{Status: 0, Err: errors.New("timeout")})
	m.observeFetch(jwks.FetchEvent{Status: 500, Err: errors.New("server error")})
	got := counters(t, m)
	for name, want := range map[string]float64{
		`fbverify_key_fetches_total{status="200"}`: 1,
		`fbverify_key_fetches_total{status="0"}`:   1,
		`fbverify_key_fetches_total{status="500"}`: 1,
		"fbverify_key_fetch_failures_total":        2,
		"fbverify_keys":                            2,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
}
