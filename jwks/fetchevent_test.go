package jwks_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
)

func TestRemoteReportsEachFetch(t *testing.T) {
	ks := newKeyServer(t)
	ks.signer.SetMaxAge(2 * time.Hour)
	clock := newFakeClock()
	var mu sync.Mutex
	var events []jwks.FetchEvent
	r := ks.remote(t, clock, jwks.RemoteOptions{OnFetch: func(ev jwks.FetchEvent) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	}})
	ctx := context.Background()
	if err := r.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	ks.setMode("500")
	if err := r.Refresh(ctx); err == nil {
		t.Fatal("Refresh succeeded against a failing endpoint")
	}
	ks.setMode("garbage")
	_ = r.Refresh(ctx)

	// Refresh returns only after OnFetch ran, so no wait is needed.
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 3 {
		t.Fatalf("got %d events, want 3: %+v", len(events), events)
	}
	ok, failed, bad := events[0], events[1], events[2]
	if ok.Status != http.StatusOK || ok.Keys != 1 || ok.MaxAge != 2*time.Hour || ok.Err != nil || ok.URL != ks.srv.URL+"/jwks" || ok.Duration <= 0 {
		t.Errorf("successful fetch reported as %+v", ok)
	}
	if failed.Status != http.StatusInternalServerError || failed.Keys != 0 || failed.MaxAge != 0 || failed.Err == nil {
		t.Errorf("failed fetch reported as %+v", failed)
	}
	if bad.Status != http.StatusOK || bad.Keys != 0 || !errors.Is(bad.Err, jwks.ErrInvalidKeySet) {
		t.Errorf("unparsable key set reported as %+v", bad)
	}
	// The last good keys are still served after the failures.
	if _, err := r.PublicKey(ctx, ks.signer.Key().ID); err != nil {
		t.Errorf("PublicKey after failed fetches: %v", err)
	}
}

func TestRemoteReportsAFetchWithNoResponse(t *testing.T) {
	ks := newKeyServer(t)
	clock := newFakeClock()
	got := make(chan jwks.FetchEvent, 1)
	r := ks.remote(t, clock, jwks.RemoteOptions{FetchTimeout: 50 * time.Millisecond, OnFetch: func(ev jwks.FetchEvent) { got <- ev }})
	ks.setMode("hang")
	if err := r.Refresh(context.Background()); !errors.Is(err, jwks.ErrKeysUnavailable) {
		t.Fatalf("Refresh = %v, want ErrKeysUnavailable", err)
	}
	ev := <-got
	if ev.Status != 0 || ev.Err == nil || ev.Keys != 0 {
		t.Errorf("timed-out fetch reported as %+v", ev)
	}
}
