package verify_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// loadRequest is one request of the load test and what must come back.
type loadRequest struct {
	token  string
	status int
	body   string // the uid for 200, the error code for 401
}

// TestMiddlewareUnderLoad sends up to 20,000 requests from 32 goroutines
// through the middleware on loopback, a mix of valid and invalid tokens,
// within a time cap (the race detector slows it a lot; at least 2,000
// must complete). Every answer must be the expected one (200 with the
// uid, or 401 with the rule's code); afterwards no goroutine is left
// behind, and the heap in use after GC stays flat across checkpoints.
func TestMiddlewareUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	const (
		requests   = 20000
		workers    = 32
		minDone    = 2000
		timeCap    = 15 * time.Second
		checkEvery = 2000
		heapGrowth = 8 << 20
	)
	goroutinesBefore := runtime.NumGoroutine()

	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	signer := verifytest.NewSigner("load-project", verifytest.WithClock(func() time.Time { return now }))
	v, err := signer.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(v.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := verify.TokenFromContext(r.Context())
		_, _ = io.WriteString(w, tok.UID)
	})))

	stranger := verifytest.GenerateKey()
	var mix []loadRequest
	for i := 0; i < 16; i++ {
		uid := fmt.Sprintf("user-%d", i)
		mix = append(mix,
			loadRequest{signer.IDToken(uid), http.StatusOK, uid},
			loadRequest{signer.IDToken(uid, verifytest.IssuedAt(now.Add(-3*time.Hour))), http.StatusUnauthorized, "token_expired"},
			loadRequest{signer.IDToken(uid, verifytest.SignedBy(stranger)), http.StatusUnauthorized, "unknown_key"},
			loadRequest{tamperSignature(signer.IDToken(uid)), http.StatusUnauthorized, "invalid_signature"},
			loadRequest{signer.IDToken(uid, verifytest.Project("other")), http.StatusUnauthorized, "invalid_audience"},
			loadRequest{"not.a.token" + uid, http.StatusUnauthorized, "malformed_token"},
			loadRequest{signer.IDToken(uid, verifytest.Header("alg", "HS256")), http.StatusUnauthorized, "unsupported_algorithm"},
		)
	}

	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers},
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeCap)
	defer cancel()

	var next, done, wrong atomic.Int64
	var firstWrong atomic.Value
	var heaps []uint64
	var heapMu sync.Mutex
	checkpoint := func() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heapMu.Lock()
		heaps = append(heaps, ms.HeapInuse)
		heapMu.Unlock()
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > requests {
					return
				}
				want := mix[int(i)%len(mix)]
				if err := doLoadRequest(ctx, client, app.URL, want); err != nil {
					if ctx.Err() != nil {
						return // the time cap, not the server
					}
					wrong.Add(1)
					firstWrong.CompareAndSwap(nil, err.Error())
				}
				if n := done.Add(1); n%checkEvery == 0 {
					checkpoint()
				}
			}
		}()
	}
	wg.Wait()
	n := done.Load()
	t.Logf("%d requests done (cap %d, time cap %v), %d wrong answers", n, requests, timeCap, wrong.Load())
	if w := wrong.Load(); w > 0 {
		t.Fatalf("%d wrong answers; first: %v", w, firstWrong.Load())
	}
	if n < minDone {
		t.Fatalf("only %d requests in %v", n, timeCap)
	}

	heapMu.Lock()
	t.Logf("heap in use after GC at each checkpoint (KB): %v", kb(heaps))
	if len(heaps) >= 3 {
		// The first checkpoint is after warm-up (keys fetched, pools filled).
		base, peak := heaps[0], heaps[0]
		for _, h := range heaps[1:] {
			peak = max(peak, h)
		}
		if peak > base+heapGrowth {
			t.Errorf("heap in use grew from %d KB to %d KB", base>>10, peak>>10)
		}
	}
	heapMu.Unlock()

	client.CloseIdleConnections()
	app.Close()
	signer.Close()
	var after int
	deadline := time.Now().Add(5 * time.Second)
	for {
		after = runtime.NumGoroutine()
		if after <= goroutinesBefore+2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if after > goroutinesBefore+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before, %d after\n%s", goroutinesBefore, after, buf[:runtime.Stack(buf, true)])
	}
}

func doLoadRequest(ctx context.Context, client *http.Client, url string, want loadRequest) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+want.token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if err != nil {
		return err
	}
	if resp.StatusCode != want.status {
		return fmt.Errorf("status %d, want %d (%s)", resp.StatusCode, want.status, body)
	}
	switch want.status {
	case http.StatusOK:
		if string(body) != want.body {
			return fmt.Errorf("body %q, want %q", body, want.body)
		}
	default:
		if !strings.Contains(string(body), `"code":"`+want.body+`"`) {
			return fmt.Errorf("body %s, want code %q", body, want.body)
		}
	}
	return nil
}

// tamperSignature flips a bit in the middle of the signature, keeping it
// canonical base64url.
func tamperSignature(token string) string {
	i := strings.LastIndexByte(token, '.') + 10
	c := token[i]
	r := byte('A')
	if c == 'A' {
		r = 'B'
	}
	return token[:i] + string(r) + token[i+1:]
}

func kb(bs []uint64) []uint64 {
	out := make([]uint64, len(bs))
	for i, b := range bs {
		out[i] = b >> 10
	}
	return out
}
