package main

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
)

// codeValid is the verdicts label of an accepted token.
const codeValid = "valid"

// metrics are the server's Prometheus metrics, on a registry of its own,
// fed by the Verifier's observer and the Remote's fetch hook.
type metrics struct {
	registry       *prometheus.Registry
	verdicts       *prometheus.CounterVec
	duration       prometheus.Histogram
	cacheHits      prometheus.Counter
	skew           prometheus.Histogram
	fetches        *prometheus.CounterVec
	fetchFailures  prometheus.Counter
	policyRefusals *prometheus.CounterVec
	lastKeysLoaded atomic.Int64 // Unix nanoseconds of the last good fetch or load; 0 before
	keys           atomic.Int64
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fbverify_verdicts_total",
			Help: "Auth requests by verdict: \"valid\", or the error code (no_token, token_expired, keys_unavailable, ...).",
		}, []string{"code"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "fbverify_verify_duration_seconds",
			Help:    "Time to verify one token, cache hits and refusals included.",
			Buckets: []float64{25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 50e-3, 250e-3, 1, 5},
		}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fbverify_cache_hits_total",
			Help: "Verifications answered from the verified-token cache (--cache).",
		}),
		skew: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "fbverify_clock_skew_seconds",
			Help: "A token's iat less this host's clock, for tokens verified without the cache and those refused as issued in the future. " +
				"Negative values are mostly token age; positive ones mean the issuer's clock is ahead of this host's.",
			Buckets: []float64{-3600, -1800, -600, -60, -10, -1, 0, 1, 5, 10, 30, 60, 300, 600},
		}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fbverify_key_fetches_total",
			Help: "Fetches of the key set by HTTP status (0: no response).",
		}, []string{"status"}),
		fetchFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fbverify_key_fetch_failures_total",
			Help: "Fetches of the key set that failed; the last good keys stay in use.",
		}),
		policyRefusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fbverify_policy_refusals_total",
			Help: "Valid tokens refused with 403 by a policy of --policies, by policy path and rule code.",
		}, []string{"policy", "code"}),
	}
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "fbverify_key_set_age_seconds",
		Help: "Seconds since the key set in use was fetched (or loaded from --keys); -1 before any.",
	}, func() float64 {
		at := m.lastKeysLoaded.Load()
		if at == 0 {
			return -1
		}
		return time.Since(time.Unix(0, at)).Seconds()
	})
	keys := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "fbverify_keys",
		Help: "Keys in the key set in use.",
	}, func() float64 { return float64(m.keys.Load()) })
	m.registry.MustRegister(m.verdicts, m.duration, m.cacheHits, m.skew, m.fetches, m.fetchFailures, m.policyRefusals, age, keys,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// observeVerdict is the Verifier's observer.
func (m *metrics) observeVerdict(v verify.Verdict) {
	code := v.Code
	if code == "" {
		code = codeValid
	}
	m.verdicts.WithLabelValues(code).Inc()
	m.duration.Observe(v.Duration.Seconds())
	if v.Cached {
		m.cacheHits.Inc()
	}
	if v.HasSkew {
		m.skew.Observe(v.Skew.Seconds())
	}
}

// observeRequestError counts a request refused before any token reached
// the Verifier (no token, a malformed Authorization header).
func (m *metrics) observeRequestError(err error) {
	m.verdicts.WithLabelValues(verify.ErrorCode(err)).Inc()
}

// observePolicyRefusal counts a valid token that broke a policy's rule.
func (m *metrics) observePolicyRefusal(policy, code string) {
	m.policyRefusals.WithLabelValues(policy, code).Inc()
}

// observeFetch is the Remote's fetch hook.
func (m *metrics) observeFetch(ev jwks.FetchEvent) {
	m.fetches.WithLabelValues(strconv.Itoa(ev.Status)).Inc()
	if ev.Err != nil {
		m.fetchFailures.Inc()
		return
	}
	m.keysLoaded(time.Now(), ev.Keys)
}

// keysLoaded records a key set put in use at t.
func (m *metrics) keysLoaded(t time.Time, n int) {
	m.lastKeysLoaded.Store(t.UnixNano())
	m.keys.Store(int64(n))
}
