package jwks_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
)

// snapshotFixture is a key endpoint, a clock and a snapshot path, with a
// first Remote that fetched once and was closed: the state a service
// leaves behind when it stops.
type snapshotFixture struct {
	g     *gatedServer
	clock *fakeClock
	path  string
	url   string
}

func newSnapshotFixture(t *testing.T) *snapshotFixture {
	t.Helper()
	f := &snapshotFixture{g: newGatedServer(t), clock: newFakeClock()}
	f.path = filepath.Join(t.TempDir(), "keys.snapshot.json")
	f.url = f.g.srv.URL + "/jwks"
	first := f.remote(t, nil)
	if err := first.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	first.Close()
	return f
}

// remote is a Remote on the fixture's endpoint, clock and snapshot file.
func (f *snapshotFixture) remote(t *testing.T, logs *logRecorder) *jwks.Remote {
	t.Helper()
	opts := jwks.RemoteOptions{Now: f.clock.Now, SnapshotFile: f.path}
	if logs != nil {
		opts.Logger = slog.New(logs)
	}
	return f.g.remote(t, opts)
}

// file returns the snapshot file decoded as a generic JSON object.
func (f *snapshotFixture) file(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("snapshot file is not JSON: %v\n%s", err, data)
	}
	return m
}

// write replaces the snapshot file with m.
func (f *snapshotFixture) write(t *testing.T, m map[string]any) {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotRecordsTheFetch(t *testing.T) {
	f := newSnapshotFixture(t)
	info, err := os.Stat(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("snapshot mode = %o, want 600", mode)
	}
	m := f.file(t)
	if m["format"] != "fbverify-key-snapshot/1" || m["url"] != f.url {
		t.Errorf("format, url = %v, %v; want fbverify-key-snapshot/1, %s", m["format"], m["url"], f.url)
	}
	if m["fetched"] != "2026-11-25T12:00:00Z" {
		t.Errorf("fetched = %v, want the fake clock's 2026-11-25T12:00:00Z", m["fetched"])
	}
	if m["max_age_seconds"] != 3600.0 {
		t.Errorf("max_age_seconds = %v, want the served max-age 3600", m["max_age_seconds"])
	}
	doc, _ := json.Marshal(m["document"])
	if set, err := jwks.ParseKeySet(doc); err != nil || len(set.KeyIDs()) != 1 || set.KeyIDs()[0] != f.g.signer.Key().ID {
		t.Errorf("document holds %v, %v; want the served key", set, err)
	}
	entries, err := os.ReadDir(filepath.Dir(f.path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the snapshot's directory holds %d entries, want the snapshot alone (no temporary file left)", len(entries))
	}
}

func TestSnapshotServesARestartWhileTheEndpointIsDown(t *testing.T) {
	ctx := context.Background()
	t.Run("endpoint failing: served once the first fetch fails", func(t *testing.T) {
		f := newSnapshotFixture(t)
		f.g.down.Store(true)
		f.clock.Advance(24 * time.Hour) // the oldest snapshot used; a second more is too old
		requests := f.g.requests.Load()
		logs := &logRecorder{}
		r := f.remote(t, logs)
		if st := r.Status(); !st.FromSnapshot || st.Fetches != 0 || len(st.KeyIDs) != 1 {
			t.Fatalf("status before any lookup = %+v, want the snapshot's one key as the fallback and no fetch", st)
		}
		if _, err := r.PublicKey(ctx, f.g.signer.Key().ID); err != nil {
			t.Fatalf("known kid after a restart with the endpoint down: %v", err)
		}
		if n := f.g.requests.Load() - requests; n != 1 {
			t.Fatalf("%d requests, want 1: the fetch the snapshot stands in for", n)
		}
		if got := logs.take(); len(got) != 1 || !strings.Contains(got[0], "serving the keys of the snapshot file") {
			t.Fatalf("logged %q, want one warning that the snapshot's keys serve", got)
		}
		if _, err := r.PublicKey(ctx, "made-up"); !errors.Is(err, jwks.ErrKeysUnavailable) {
			t.Fatalf("a kid in neither: err = %v, want ErrKeysUnavailable", err)
		}
		// The endpoint comes back: the next retry replaces the snapshot's
		// keys with live ones.
		f.g.down.Store(false)
		f.clock.Advance(30 * time.Second)
		if err := r.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if st := r.Status(); st.FromSnapshot {
			t.Fatalf("status = %+v after a successful fetch, want live keys", st)
		}
	})
	t.Run("endpoint silent: served after SnapshotWait", func(t *testing.T) {
		f := newSnapshotFixture(t)
		f.clock.Advance(23 * time.Hour)
		gate := make(chan struct{})
		f.g.gate.Store(&gate)
		defer close(gate)
		r := f.g.remote(t, jwks.RemoteOptions{Now: f.clock.Now, SnapshotFile: f.path, SnapshotWait: 50 * time.Millisecond})
		start := time.Now()
		if _, err := r.PublicKey(ctx, f.g.signer.Key().ID); err != nil {
			t.Fatalf("known kid with the endpoint silent: %v", err)
		}
		if waited := time.Since(start); waited < 50*time.Millisecond {
			t.Fatalf("the first lookup returned after %v, before SnapshotWait (50ms): the snapshot outranked the fetch", waited)
		}
		timed(t, "a later lookup", 40*time.Millisecond, func() {
			if _, err := r.PublicKey(ctx, f.g.signer.Key().ID); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("caller gives up before SnapshotWait", func(t *testing.T) {
		f := newSnapshotFixture(t)
		gate := make(chan struct{})
		f.g.gate.Store(&gate)
		defer close(gate)
		r := f.g.remote(t, jwks.RemoteOptions{Now: f.clock.Now, SnapshotFile: f.path, SnapshotWait: time.Minute})
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		if _, err := r.PublicKey(short, f.g.signer.Key().ID); !errors.Is(err, jwks.ErrKeysUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrKeysUnavailable wrapping the caller's deadline", err)
		}
	})
}

// attackSnapshot replaces the fixture's snapshot with one that names the
// endpoint's key ID but holds key instead, fetched age ago.
func attackSnapshot(t *testing.T, f *snapshotFixture, key *rsa.PublicKey, kid string, age time.Duration) {
	t.Helper()
	m := f.file(t)
	m["fetched"] = f.clock.Now().Add(-age).Format(time.RFC3339)
	m["max_age_seconds"] = 86400
	m["document"] = json.RawMessage(`{"keys":[` + jwkJSON(kid, key, "") + `]}`)
	f.write(t, m)
}

func TestSnapshotNeverOutranksTheEndpoint(t *testing.T) {
	attacker := publicKeyOfBits(t, 2048)
	for _, age := range []time.Duration{time.Minute, 23 * time.Hour} {
		t.Run("fetched "+age.String()+" ago", func(t *testing.T) {
			f := newSnapshotFixture(t)
			kid := f.g.signer.Key().ID
			attackSnapshot(t, f, attacker, kid, age)
			r := f.remote(t, nil)
			k, err := r.PublicKey(context.Background(), kid)
			if err != nil {
				t.Fatal(err)
			}
			if k.N.Cmp(attacker.N) == 0 {
				t.Fatal("the first lookup returned the snapshot's key while the endpoint serves another under the same kid")
			}
			if k.N.Cmp(f.g.signer.Key().Private.N) != 0 {
				t.Fatal("the first lookup returned a key the endpoint does not serve")
			}
			if st := r.Status(); st.FromSnapshot || st.Fetches != 1 {
				t.Fatalf("status = %+v, want the fetched keys after one fetch", st)
			}
		})
	}
	t.Run("a kid only in the snapshot", func(t *testing.T) {
		f := newSnapshotFixture(t)
		attackSnapshot(t, f, attacker, "only-in-the-file", time.Minute)
		r := f.remote(t, nil)
		if _, err := r.PublicKey(context.Background(), "only-in-the-file"); !errors.Is(err, jwks.ErrUnknownKey) {
			t.Fatalf("err = %v, want ErrUnknownKey: the endpoint answered without that kid", err)
		}
	})
}

func TestSnapshotIgnored(t *testing.T) {
	small := publicKeyOfBits(t, 1024)
	a, b := publicKeyOfBits(t, 2048), publicKeyOfBits(t, 2048)
	cases := []struct {
		name   string
		edit   func(t *testing.T, f *snapshotFixture) // changes the file or the clock
		reason string                                 // in the warning
	}{
		{"too old", func(t *testing.T, f *snapshotFixture) { f.clock.Advance(24*time.Hour + time.Second) }, "more than the 24h0m0s"},
		{"truncated", func(t *testing.T, f *snapshotFixture) {
			data, _ := os.ReadFile(f.path)
			if err := os.WriteFile(f.path, data[:len(data)/2], 0o600); err != nil {
				t.Fatal(err)
			}
		}, "unexpected end of JSON"},
		{"empty", func(t *testing.T, f *snapshotFixture) { _ = os.WriteFile(f.path, nil, 0o600) }, "unexpected end of JSON"},
		{"not JSON", func(t *testing.T, f *snapshotFixture) { _ = os.WriteFile(f.path, []byte("\x00\xff garbage"), 0o600) }, "invalid character"},
		{"huge", func(t *testing.T, f *snapshotFixture) {
			if err := os.WriteFile(f.path, []byte(strings.Repeat(" ", 2<<20)), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "limit"},
		{"a directory", func(t *testing.T, f *snapshotFixture) {
			_ = os.Remove(f.path)
			_ = os.Mkdir(f.path, 0o700)
		}, "not a regular file"},
		{"fetched a number", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			m["fetched"] = 5
			f.write(t, m)
		}, "not a JSON string"},
		{"max-age a string", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			m["max_age_seconds"] = "3600"
			f.write(t, m)
		}, "cannot unmarshal"},
		{"an array", func(t *testing.T, f *snapshotFixture) { _ = os.WriteFile(f.path, []byte(`[1,2,3]`), 0o600) }, "cannot unmarshal"},
		{"document a string", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			m["document"] = "keys"
			f.write(t, m)
		}, "invalid key set"},
		{"document null", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			m["document"] = nil
			f.write(t, m)
		}, "no usable RSA certificate"},
		{"other format", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			m["format"] = "something-else/1"
			f.write(t, m)
		}, "format"},
		{"another URL", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			m["url"] = "https://attacker.example/jwks"
			f.write(t, m)
		}, "keys of"},
		{"no fetch time", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			delete(m, "fetched")
			f.write(t, m)
		}, "no fetch time"},
		{"fetched in the future", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			m["fetched"] = "2026-11-26T12:00:00Z"
			f.write(t, m)
		}, "in the future"},
		{"repeated kid", func(t *testing.T, f *snapshotFixture) {
			data := `{"format":"fbverify-key-snapshot/1","url":"` + f.url + `","fetched":"2026-11-25T12:00:00Z","max_age_seconds":3600,"document":{` +
				certEntry(t, "k1", a) + `,` + certEntry(t, "k1", b) + `}}`
			_ = os.WriteFile(f.path, []byte(data), 0o600)
		}, "appears twice"},
		{"repeated document", func(t *testing.T, f *snapshotFixture) {
			data := `{"format":"fbverify-key-snapshot/1","url":"` + f.url + `","fetched":"2026-11-25T12:00:00Z","max_age_seconds":3600,"document":{` +
				certEntry(t, "k1", a) + `},"document":{` + certEntry(t, "k2", b) + `}}`
			_ = os.WriteFile(f.path, []byte(data), 0o600)
		}, "appears twice"},
		{"small key", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			m["document"] = json.RawMessage(`{"keys":[` + jwkJSON("k1", small, "") + `]}`)
			f.write(t, m)
		}, "1024 bits"},
		{"private key", func(t *testing.T, f *snapshotFixture) {
			m := f.file(t)
			m["document"] = json.RawMessage(`{"keys":[` + jwkJSON("k1", a, `,"d":"AQAB"`) + `]}`)
			f.write(t, m)
		}, "private"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newSnapshotFixture(t)
			f.g.down.Store(true)
			c.edit(t, f)
			logs := &logRecorder{}
			r := f.remote(t, logs)
			got := logs.take()
			if len(got) != 1 || !strings.Contains(got[0], "ignoring the key snapshot file") || !strings.Contains(got[0], c.reason) {
				t.Fatalf("logged %q, want one warning that the snapshot is ignored, saying %q", got, c.reason)
			}
			if st := r.Status(); len(st.KeyIDs) != 0 || st.FromSnapshot {
				t.Fatalf("status = %+v, want no keys from an unusable snapshot", st)
			}
			if _, err := r.PublicKey(context.Background(), f.g.signer.Key().ID); !errors.Is(err, jwks.ErrKeysUnavailable) {
				t.Fatalf("err = %v, want ErrKeysUnavailable with the endpoint down and no usable snapshot", err)
			}
		})
	}
}

func TestSnapshotFollowsEveryFetch(t *testing.T) {
	f := newSnapshotFixture(t)
	r := f.remote(t, nil)
	rotated := f.g.signer.Rotate()
	f.clock.Advance(time.Minute)
	if _, err := r.PublicKey(context.Background(), rotated.ID); err != nil {
		t.Fatal(err)
	}
	m := f.file(t)
	if m["fetched"] != "2026-11-25T12:01:00Z" {
		t.Fatalf("fetched = %v, want the second fetch's 2026-11-25T12:01:00Z", m["fetched"])
	}
	doc, _ := json.Marshal(m["document"])
	if set, err := jwks.ParseKeySet(doc); err != nil || len(set.KeyIDs()) != 2 {
		t.Fatalf("document holds %v, %v; want both keys of the rotation", set, err)
	}
}

func TestSnapshotWriteFailureIsAWarning(t *testing.T) {
	g := newGatedServer(t)
	logs := &logRecorder{}
	path := filepath.Join(t.TempDir(), "missing-dir", "keys.json")
	r := g.remote(t, jwks.RemoteOptions{Now: newFakeClock().Now, SnapshotFile: path, Logger: slog.New(logs)})
	if err := r.Refresh(context.Background()); err != nil {
		t.Fatalf("a snapshot that cannot be written failed the fetch: %v", err)
	}
	if _, err := r.PublicKey(context.Background(), g.signer.Key().ID); err != nil {
		t.Fatal(err)
	}
	got := logs.take()
	if len(got) != 1 || !strings.Contains(got[0], "could not write the key snapshot file") {
		t.Fatalf("logged %q, want one warning that the snapshot was not written", got)
	}
}

// FuzzSnapshotFile: whatever the snapshot file holds, NewRemote neither
// fails nor panics, and any keys it seeds are RSA keys of 2048 to 8192
// bits from a snapshot of its own URL fetched within the last 24 hours.
func FuzzSnapshotFile(f *testing.F) {
	good, err := os.ReadFile("../testdata/jwks.json")
	if err != nil {
		f.Fatal(err)
	}
	const url = "https://keys.invalid/jwks"
	seeded := []byte(`{"format":"fbverify-key-snapshot/1","url":"` + url + `","fetched":"2026-11-25T11:00:00Z","max_age_seconds":3600,"document":` + string(good) + `}`)
	f.Add(seeded)
	f.Add([]byte(`{"format":"fbverify-key-snapshot/1","url":"` + url + `","fetched":"2026-11-24T11:00:00Z","max_age_seconds":-1,"document":{}}`))
	f.Add([]byte(`{"format":"fbverify-key-snapshot/1","url":"` + url + `","fetched":"2026-11-25T11:00:00Z","max_age_seconds":1e30,"document":null}`))
	f.Add([]byte(`{"format":1}`))
	f.Add([]byte{})
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "snapshot.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := jwks.NewRemote(url, jwks.RemoteOptions{Now: func() time.Time { return now }, SnapshotFile: path,
			HTTPClient: &http.Client{Transport: roundTripperFunc(func(*http.Request) (*http.Response, error) {
				return nil, errors.New("offline")
			})}})
		if err != nil {
			t.Fatalf("NewRemote failed on a bad snapshot: %v", err)
		}
		defer r.Close()
		st := r.Status()
		if len(st.KeyIDs) == 0 {
			if bytes.Equal(data, seeded) {
				t.Fatal("the good seed seeded no key")
			}
			return
		}
		if !st.FromSnapshot || now.Sub(st.Fetched) > 24*time.Hour || st.Expires.Sub(st.Fetched) > 24*time.Hour || st.Expires.Before(st.Fetched) {
			t.Fatalf("seeded status %+v from %q", st, data)
		}
		for _, kid := range st.KeyIDs {
			k, err := r.PublicKey(context.Background(), kid)
			if err != nil {
				t.Fatalf("seeded kid %q: %v", kid, err)
			}
			if bits := k.N.BitLen(); bits < 2048 || bits > 8192 || kid == "" {
				t.Fatalf("seeded a %d-bit key under %q", bits, kid)
			}
		}
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestSnapshotMaxAgeIsClamped: a snapshot that records a max-age of ten
// days is fresh for 24 hours at most, as a fetched response would be.
func TestSnapshotMaxAgeIsClamped(t *testing.T) {
	for _, c := range []struct {
		recorded float64
		want     time.Duration
	}{
		{864000, 24 * time.Hour},
		{86401, 24 * time.Hour},
		{86399, 86399 * time.Second},
		{-5, 0},
	} {
		f := newSnapshotFixture(t)
		m := f.file(t)
		m["max_age_seconds"] = c.recorded
		f.write(t, m)
		f.g.down.Store(true)
		st := f.remote(t, nil).Status()
		if !st.FromSnapshot || st.Expires.Sub(st.Fetched) != c.want {
			t.Errorf("max_age_seconds %v: status %+v, want the snapshot fresh for %v", c.recorded, st, c.want)
		}
	}
}

// TestSnapshotIsReplacedNotRewritten: each fetch writes a new file and
// renames it over the snapshot, so a reader holding the old file (here a
// hard link to it) still sees the old snapshot whole, and a snapshot left
// with looser permissions comes back as 0600.
func TestSnapshotIsReplacedNotRewritten(t *testing.T) {
	f := newSnapshotFixture(t)
	old, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	link := f.path + ".old"
	if err := os.Link(f.path, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f.path, 0o644); err != nil {
		t.Fatal(err)
	}
	f.g.signer.Rotate()
	f.clock.Advance(time.Minute)
	if err := f.remote(t, nil).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	kept, err := os.ReadFile(link)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept, old) {
		t.Fatal("the old snapshot's file was written over in place; want a new file renamed over it")
	}
	if m := f.file(t); m["fetched"] != "2026-11-25T12:01:00Z" {
		t.Fatalf("fetched = %v, want the second fetch's 2026-11-25T12:01:00Z", m["fetched"])
	}
	info, err := os.Stat(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Fatalf("snapshot mode = %o after a rewrite, want 600", mode)
	}
}

// TestSnapshotSizeLimit: a snapshot may be MaxBodyBytes plus 16 KiB long
// (here 8192 + 16384 = 24576 bytes), not a byte more.
func TestSnapshotSizeLimit(t *testing.T) {
	for _, c := range []struct {
		size int
		ok   bool
	}{{24576, true}, {24577, false}} {
		f := newSnapshotFixture(t)
		data, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		padded := append(data, bytes.Repeat([]byte(" "), c.size-len(data))...)
		if err := os.WriteFile(f.path, padded, 0o600); err != nil {
			t.Fatal(err)
		}
		f.g.down.Store(true)
		logs := &logRecorder{}
		r := f.g.remote(t, jwks.RemoteOptions{Now: f.clock.Now, SnapshotFile: f.path, MaxBodyBytes: 8192, Logger: slog.New(logs)})
		if st := r.Status(); st.FromSnapshot != c.ok {
			t.Errorf("a %d-byte snapshot: used %v, want %v; logged %q", c.size, st.FromSnapshot, c.ok, logs.take())
		}
	}
}
