package jwks

import "time"

// FetchEvent describes one fetch of a Remote's key set, as reported to
// RemoteOptions.OnFetch: for metrics (fetch failures, key set age) and logs.
type FetchEvent struct {
	// URL is the key set's address.
	URL string
	// Status is the response's HTTP status, or 0 when no response came (a
	// network error, a timeout, or a Remote closed meanwhile).
	Status int
	// Keys counts the usable keys the fetch brought; 0 when it failed.
	Keys int
	// MaxAge is how long the fetched keys stay fresh: the response's
	// Cache-Control max-age less its Age, clamped to MinTTL..MaxTTL, or
	// DefaultTTL when it had none. 0 when the fetch failed.
	MaxAge time.Duration
	// Duration is how long the fetch took.
	Duration time.Duration
	// Err is why the fetch failed, nil when it succeeded. After a failure
	// the Remote keeps its last good keys, if it has any.
	Err error
}

// reportFetch tells RemoteOptions.OnFetch, if set, how a fetch went.
func (r *Remote) reportFetch(status int, started time.Time, keys int, ttl time.Duration, err error) {
	if r.opts.OnFetch == nil {
		return
	}
	ev := FetchEvent{URL: r.url, Status: status, Duration: time.Since(started), Err: err}
	if err == nil {
		ev.Keys, ev.MaxAge = keys, ttl
	}
	r.opts.OnFetch(ev)
}
