package jwks_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// The defaults the README documents, pinned as literals: a change to a
// constant must show up here, not pass silently.

func TestDefaultConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want time.Duration
	}{
		{"DefaultFetchTimeout", jwks.DefaultFetchTimeout, 10 * time.Second},
		{"DefaultMinRefreshInterval", jwks.DefaultMinRefreshInterval, 30 * time.Second},
		{"DefaultTTL", jwks.DefaultTTL, time.Hour},
		{"DefaultMinTTL", jwks.DefaultMinTTL, time.Minute},
		{"DefaultMaxTTL", jwks.DefaultMaxTTL, 24 * time.Hour},
		{"DefaultSnapshotWait", jwks.DefaultSnapshotWait, 3 * time.Second},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if jwks.DefaultMaxBodyBytes != 1048576 {
		t.Errorf("DefaultMaxBodyBytes = %d, want 1048576 (1 MiB)", jwks.DefaultMaxBodyBytes)
	}
	if jwks.MinKeyBits != 2048 || jwks.MaxKeyBits != 8192 {
		t.Errorf("key bits %d..%d, want 2048..8192", jwks.MinKeyBits, jwks.MaxKeyBits)
	}
}

func TestDefaultFreshnessClamp(t *testing.T) {
	s := verifytest.NewSigner("p")
	for _, c := range []struct {
		header string
		want   time.Duration
	}{
		{"max-age=1", time.Minute},
		{"max-age=59", time.Minute},
		{"max-age=61", 61 * time.Second},
		{"max-age=86400", 24 * time.Hour},
		{"max-age=864000", 24 * time.Hour},
		{"public", time.Hour},
		{"", time.Hour},
	} {
		t.Run(c.header, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if c.header != "" {
					w.Header().Set("Cache-Control", c.header)
				}
				_, _ = w.Write(s.JWKS())
			}))
			defer srv.Close()
			r, err := jwks.NewRemote(srv.URL, jwks.RemoteOptions{Now: newFakeClock().Now})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := r.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st := r.Status(); st.Expires.Sub(st.Fetched) != c.want {
				t.Fatalf("freshness = %v, want %v", st.Expires.Sub(st.Fetched), c.want)
			}
		})
	}
}

func TestDefaultMaxBodyIsOneMiB(t *testing.T) {
	s := verifytest.NewSigner("p")
	body := func(size int) []byte {
		doc := s.JWKS()
		doc = bytes.TrimRight(doc, "\n")
		pad := size - len(doc)
		return append(append(doc[:len(doc)-1:len(doc)-1], bytes.Repeat([]byte(" "), pad)...), '}')
	}
	for _, c := range []struct {
		size int
		ok   bool
	}{{1 << 20, true}, {1<<20 + 1, false}} {
		t.Run(strconv.Itoa(c.size), func(t *testing.T) {
			doc := body(c.size)
			if len(doc) != c.size {
				t.Fatalf("built %d bytes, want %d", len(doc), c.size)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(doc) }))
			defer srv.Close()
			r, err := jwks.NewRemote(srv.URL, jwks.RemoteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			err = r.Refresh(context.Background())
			if c.ok && err != nil {
				t.Fatalf("a %d-byte key set: %v", c.size, err)
			}
			if !c.ok && (err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes")) {
				t.Fatalf("a %d-byte key set: err = %v, want it refused as larger than 1048576 bytes", c.size, err)
			}
		})
	}
}

// deadlineRecorder answers with a key set and records how far away the
// request's deadline was.
type deadlineRecorder struct {
	body []byte
	left time.Duration
	ok   bool
}

func (d *deadlineRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if dl, ok := req.Context().Deadline(); ok {
		d.left, d.ok = time.Until(dl), true
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req,
		Body: io.NopCloser(bytes.NewReader(d.body))}, nil
}

func TestDefaultFetchTimeoutIsTenSeconds(t *testing.T) {
	rec := &deadlineRecorder{body: verifytest.NewSigner("p").JWKS()}
	r, err := jwks.NewRemote("https://keys.invalid/jwks", jwks.RemoteOptions{HTTPClient: &http.Client{Transport: rec}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The deadline is set just before the request: within a few seconds of
	// 10 s even on a loaded machine, and never beyond it.
	if !rec.ok || rec.left > 10*time.Second || rec.left < 7*time.Second {
		t.Fatalf("fetch deadline %v away (set: %v), want just under 10s", rec.left, rec.ok)
	}
}

func TestRemoteRefusesEveryStatusButOK(t *testing.T) {
	s := verifytest.NewSigner("p")
	for _, status := range []int{
		http.StatusCreated, http.StatusAccepted, http.StatusNonAuthoritativeInfo, http.StatusNoContent,
		http.StatusPartialContent, http.StatusMultipleChoices, http.StatusMovedPermanently, http.StatusFound,
		http.StatusNotModified, http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
	} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				// A valid key set behind a status that is not 200 (a 204 and
				// a 304 cannot carry it; the status alone must be enough).
				w.Header().Set("Location", "/elsewhere")
				w.WriteHeader(status)
				_, _ = w.Write(s.JWKS())
			}))
			defer srv.Close()
			r, err := jwks.NewRemote(srv.URL, jwks.RemoteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			err = r.Refresh(context.Background())
			if !errors.Is(err, jwks.ErrKeysUnavailable) || !strings.Contains(err.Error(), "status "+strconv.Itoa(status)) {
				t.Fatalf("status %d: err = %v, want ErrKeysUnavailable naming the status", status, err)
			}
			if st := r.Status(); len(st.KeyIDs) != 0 {
				t.Fatalf("status %d: cached %v", status, st.KeyIDs)
			}
		})
	}
}
