package keyfetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestGet(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		_, _ = w.Write([]byte(`{"accept":"` + r.Header.Get("Accept") + `"}`))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(strings.Repeat(" ", 65))) })
	mux.HandleFunc("/full", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(strings.Repeat(" ", 64))) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/down", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusServiceUnavailable) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := NewClient(5 * time.Second)

	resp, err := Get(context.Background(), client, srv.URL+"/ok", 64)
	if err != nil || resp.Status != 200 || string(resp.Body) != `{"accept":"application/json"}` || resp.Header.Get("Cache-Control") != "max-age=60" {
		t.Fatalf("ok: %+v, %v", resp, err)
	}
	if resp, err := Get(context.Background(), client, srv.URL+"/full", 64); err != nil || len(resp.Body) != 64 {
		t.Fatalf("a body of exactly the limit: %d bytes, %v; want 64 bytes", len(resp.Body), err)
	}
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/big", 200, "body larger than 64 bytes"},
		{"/moved", 302, "status 302"},
		{"/down", 503, "status 503"},
	} {
		resp, err := Get(context.Background(), client, srv.URL+tt.path, 64)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), srv.URL) || resp.Status != tt.status || resp.Body != nil {
			t.Errorf("%s: %+v, %v; want status %d and an error naming the URL and %q", tt.path, resp, err, tt.status, tt.want)
		}
	}
	srv.Close()
	if resp, err := Get(context.Background(), client, srv.URL+"/ok", 64); err == nil || resp.Status != 0 {
		t.Errorf("server gone: %+v, %v; want status 0 and an error", resp, err)
	}
}
