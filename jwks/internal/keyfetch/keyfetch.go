// Package keyfetch GETs a key set document over HTTP: the one fetch that
// jwks.Remote and "fbverify keys fetch" share, so both bound it, refuse
// redirects and read the status the same way.
package keyfetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// NewClient returns a client whose requests time out after timeout and
// that does not follow redirects: a key set is served where it is asked
// for, or not at all.
func NewClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Response is what Get read.
type Response struct {
	// Status is the HTTP status, or 0 when no response came.
	Status int
	// Header is the response's header.
	Header http.Header
	// Body is the whole body of a 200 response.
	Body []byte
}

// Get GETs url, asking for JSON, through client and returns the body of a
// 200 response of at most maxBytes. Any other status, or a larger body,
// fails with an error that names url; Status is set whenever a response
// came.
func Get(ctx context.Context, client *http.Client, url string, maxBytes int64) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("fetching %s: %w", url, err)
	}
	defer resp.Body.Close()
	got := Response{Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused, but no more.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return got, fmt.Errorf("fetching %s: status %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return got, fmt.Errorf("reading %s: %w", url, err)
	}
	if int64(len(body)) > maxBytes {
		return got, fmt.Errorf("reading %s: body larger than %d bytes", url, maxBytes)
	}
	got.Body = body
	return got, nil
}
