package jwks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// snapshotFormat names the layout of a key snapshot file, so a file of
// another layout (or another program) is never mistaken for one.
const snapshotFormat = "fbverify-key-snapshot/1"

// snapshotSlack is what a snapshot file may hold besides the key set
// document itself (the format, URL and times); a larger file is refused
// before it is read.
const snapshotSlack = 16 << 10

// maxSnapshotSkew is how far in the future a snapshot's fetch time may be
// (another machine's clock, a restored backup) and still be used.
const maxSnapshotSkew = time.Minute

// snapshotFile is the layout of RemoteOptions.SnapshotFile.
//
// The file is written with mode 0600 (owner read and write only): the keys
// are public, but only the service itself has any business reading the
// file, and nobody else must write it. It is replaced atomically, by a
// temporary file in the same directory renamed over it, so a crash mid-
// write leaves the old snapshot or the new one, never half of one.
type snapshotFile struct {
	Format string `json:"format"`
	// URL is the endpoint the document came from; a snapshot of another
	// endpoint (say session cookies' keys for an ID token Remote) is not
	// used.
	URL string `json:"url"`
	// Fetched is when the fetch completed, by the Remote's clock.
	Fetched time.Time `json:"fetched"`
	// MaxAgeSeconds is the freshness the response was given (its max-age,
	// clamped as the Remote clamps it).
	MaxAgeSeconds int64 `json:"max_age_seconds"`
	// Document is the key set exactly as served, checked again when read.
	Document json.RawMessage `json:"document"`
}

// saveSnapshot writes a fetched document to the snapshot file, logging
// (never returning) a failure: a service keeps working without it.
func (r *Remote) saveSnapshot(document []byte, fetched time.Time, ttl time.Duration) {
	data, err := json.MarshalIndent(snapshotFile{
		Format:        snapshotFormat,
		URL:           r.url,
		Fetched:       fetched.UTC(),
		MaxAgeSeconds: int64(ttl / time.Second),
		Document:      json.RawMessage(bytes.TrimSpace(document)),
	}, "", "  ")
	if err == nil {
		err = writeFileAtomically(r.opts.SnapshotFile, append(data, '\n'))
	}
	if err != nil {
		r.logWarn("jwks: could not write the key snapshot file; keys will not survive a restart",
			"path", r.opts.SnapshotFile, "error", err.Error())
	}
}

// writeFileAtomically replaces path with data through a temporary file in
// the same directory (so the rename cannot cross file systems), synced
// before the rename. The file's mode is 0600.
func writeFileAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// loadSnapshot reads the snapshot file into a cache entry, or returns nil
// (with a warning, unless the file does not exist) when it cannot be used.
func (r *Remote) loadSnapshot() *snapshot {
	s, err := r.readSnapshot()
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			r.logWarn("jwks: ignoring the key snapshot file", "path", r.opts.SnapshotFile, "error", err.Error())
		}
		return nil
	}
	return s
}

// readSnapshot reads and checks the snapshot file. Whatever the file
// holds, the answer is a usable entry or an error.
func (r *Remote) readSnapshot() (*snapshot, error) {
	path := r.opts.SnapshotFile
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	limit := r.opts.MaxBodyBytes + snapshotSlack
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: snapshot: not a regular file", ErrInvalidKeySet)
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("%w: snapshot: %d bytes, limit %d", ErrInvalidKeySet, info.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: snapshot: more than %d bytes", ErrInvalidKeySet, limit)
	}
	var file snapshotFile
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%w: snapshot: %v", ErrInvalidKeySet, err)
	}
	if err := checkNoRepeatedMembers(data); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	now := r.opts.Now()
	switch {
	case file.Format != snapshotFormat:
		return nil, fmt.Errorf("%w: snapshot: format %q, want %q", ErrInvalidKeySet, file.Format, snapshotFormat)
	case file.URL != r.url:
		return nil, fmt.Errorf("%w: snapshot: keys of %q, want %q", ErrInvalidKeySet, file.URL, r.url)
	case file.Fetched.IsZero():
		return nil, fmt.Errorf("%w: snapshot: no fetch time", ErrInvalidKeySet)
	case file.Fetched.After(now.Add(maxSnapshotSkew)):
		return nil, fmt.Errorf("%w: snapshot: fetched at %v, in the future", ErrInvalidKeySet, file.Fetched)
	case now.Sub(file.Fetched) > r.opts.MaxTTL:
		return nil, fmt.Errorf("%w: snapshot: fetched %v ago, more than the %v a snapshot may be used", ErrInvalidKeySet, now.Sub(file.Fetched).Round(time.Second), r.opts.MaxTTL)
	}
	keys, err := parseKeySet(file.Document)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	maxAge := time.Duration(max(0, min(file.MaxAgeSeconds, int64(r.opts.MaxTTL/time.Second)))) * time.Second
	return &snapshot{keys: keys, fetched: file.Fetched, expires: file.Fetched.Add(maxAge)}, nil
}
