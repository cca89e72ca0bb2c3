package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// loadRequestsEnv sets the number of requests of the load run (ci.sh sets
// 20000); plain go test sends defaultLoadRequests.
const (
	loadRequestsEnv     = "FBVERIFY_LOAD_REQUESTS"
	defaultLoadRequests = 2000
	loadConcurrency     = 32
	loadTimeLimit       = 5 * time.Minute
)

// TestLoadThroughNginx sends a bounded number of requests through nginx,
// loadConcurrency at a time, each to three sites of the same app, in
// turns: the guide's configuration (keep-alive connections to the auth
// server), the same without keep-alive to the auth server (a new
// connection per auth request), and a server block without the auth hop.
// It checks every verdict (valid tokens reach the app with their own uid,
// bad ones get 401 and never reach it), that nothing leaks (goroutines and
// file descriptors of this process, where the auth server runs), and
// reports the latency the auth hop adds with and without keep-alive.
func TestLoadThroughNginx(t *testing.T) {
	total := defaultLoadRequests
	if v := os.Getenv(loadRequestsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive count", loadRequestsEnv, v)
		}
		total = n
	}
	s := verifytest.NewSigner(testProject)
	app := newUpstream(t)
	auth := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s))
	goroutinesBefore, fdsBefore := runtime.NumGoroutine(), openFDs(t)
	px := startNginx(t, auth.addr, app.addr())
	// The guide's file without the auth upstream's keepalive line.
	pxNoKeepAlive := startNginxSite(t, auth.addr, app.addr(), "# reuse connections to it")

	// 64 users with valid tokens, and one bad token in eight.
	type req struct {
		token, uid string // uid "" means the token must be refused
	}
	var mix []req
	for i := range 56 {
		uid := fmt.Sprintf("user-%02d", i)
		mix = append(mix, req{s.IDToken(uid, verifytest.Email(uid+"@example.com", true)), uid})
	}
	good := mix[0].token
	for i := range 4 {
		mix = append(mix, req{good[:len(good)-4-i] + "AAAA"[:4] + good[len(good)-i:], ""})
		mix = append(mix, req{s.IDToken("late", verifytest.IssuedAt(time.Now().Add(-time.Duration(2+i)*time.Hour))), ""})
	}

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: 2 * loadConcurrency, IdleConnTimeout: 30 * time.Second,
	}}
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeLimit)
	defer cancel()
	send := func(url, token string) (status int, body string, d time.Duration, err error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, "", 0, err
		}
		r.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := client.Do(r)
		if err != nil {
			return 0, "", 0, err
		}
		buf := make([]byte, 256)
		n, _ := resp.Body.Read(buf)
		for {
			if _, err := resp.Body.Read(buf[n:]); err != nil {
				break
			}
		}
		resp.Body.Close()
		return resp.StatusCode, string(buf[:n]), time.Since(start), nil
	}

	// The three sites, each request visiting them in a turning order.
	const (
		siteBaseline = iota
		siteKeepAlive
		siteNoKeepAlive
		sites
	)
	urls := [sites]string{px.baseline, px.url, pxNoKeepAlive.url}
	var next, wrong, sentValid atomic.Int64
	var mu sync.Mutex
	var latencies [sites][]time.Duration
	var firstWrong string
	var wg sync.WaitGroup
	began := time.Now()
	for range loadConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine [sites][]time.Duration
			for {
				i := int(next.Add(1)) - 1
				if i >= total || ctx.Err() != nil {
					break
				}
				r := mix[i%len(mix)]
				for k := range sites {
					site := (i + k) % sites
					if site == siteBaseline {
						status, _, d, err := send(urls[site]+"/api/orders", r.token)
						if err != nil || status != http.StatusOK {
							wrong.Add(1)
							continue
						}
						mine[site] = append(mine[site], d)
						continue
					}
					status, body, d, err := send(urls[site]+"/api/orders", r.token)
					ok := err == nil && ((r.uid != "" && status == http.StatusOK && body == r.uid) ||
						(r.uid == "" && status == http.StatusUnauthorized))
					if !ok {
						if wrong.Add(1) == 1 {
							mu.Lock()
							firstWrong = fmt.Sprintf("request %d (uid %q): status %d body %q err %v", i, r.uid, status, body, err)
							mu.Unlock()
						}
						continue
					}
					if r.uid != "" {
						sentValid.Add(1)
					}
					mine[site] = append(mine[site], d)
				}
			}
			mu.Lock()
			for k := range sites {
				latencies[k] = append(latencies[k], mine[k]...)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	if ctx.Err() != nil {
		t.Fatalf("the load run did not finish within %v", loadTimeLimit)
	}
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d wrong verdicts or failed requests of %d; first: %s", n, sites*total, firstWrong)
	}
	if got, want := app.count(), int(sentValid.Load())+total; got != want {
		t.Errorf("the app saw %d requests, want %d (the valid ones and the baseline's): a refused one got through", got, want)
	}

	// Leaks: with nginx stopped, its connections to the auth server and
	// the app close, and this process must be back where it started.
	client.CloseIdleConnections()
	px.stop()
	pxNoKeepAlive.stop()
	var goroutinesAfter, fdsAfter int
	deadline := time.Now().Add(10 * time.Second)
	for {
		goroutinesAfter, fdsAfter = runtime.NumGoroutine(), openFDs(t)
		if (goroutinesAfter <= goroutinesBefore+5 && fdsAfter <= fdsBefore+5) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if goroutinesAfter > goroutinesBefore+5 || fdsAfter > fdsBefore+5 {
		t.Errorf("leak: goroutines %d -> %d, open files %d -> %d", goroutinesBefore, goroutinesAfter, fdsBefore, fdsAfter)
	}

	p := func(ds []time.Duration, q float64) time.Duration {
		slices.Sort(ds)
		return ds[min(len(ds)-1, int(q*float64(len(ds))))]
	}
	b50, b99 := p(latencies[siteBaseline], 0.50), p(latencies[siteBaseline], 0.99)
	t.Logf("load: %d requests to each of three sites through nginx, %d at a time, in %v; 0 wrong verdicts",
		total, loadConcurrency, elapsed.Round(time.Millisecond))
	t.Logf("load: without the auth hop p50 %v p99 %v", b50.Round(time.Microsecond), b99.Round(time.Microsecond))
	for _, k := range []int{siteKeepAlive, siteNoKeepAlive} {
		name := map[int]string{siteKeepAlive: "auth hop with keep-alive (the guide's)", siteNoKeepAlive: "auth hop without keep-alive"}[k]
		a50, a99 := p(latencies[k], 0.50), p(latencies[k], 0.99)
		t.Logf("load: %s: p50 %v p99 %v; added by the hop p50 %v p99 %v", name,
			a50.Round(time.Microsecond), a99.Round(time.Microsecond), (a50 - b50).Round(time.Microsecond), (a99 - b99).Round(time.Microsecond))
	}
	t.Logf("load: goroutines %d -> %d, open files %d -> %d", goroutinesBefore, goroutinesAfter, fdsBefore, fdsAfter)
}

// openFDs counts this process's open file descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(entries)
}
