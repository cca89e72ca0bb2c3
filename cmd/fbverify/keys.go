package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
)

const keysUsage = `Usage: fbverify keys fetch [--session-cookie] > snapshot.json

Fetches Google's current public keys for Firebase ID tokens (a JWK Set),
or with --session-cookie those of session cookies (a map of kid to X.509
certificate), checks that they parse, and prints them unchanged. Give the
file to "fbverify verify --keys" or jwks.LoadFile on a machine without
network. Google rotates its keys every few days: refresh the snapshot
before the old keys are retired, or tokens signed with new keys fail with
unknown_key.
`

const keysExamples = `  fbverify keys fetch > id-token-keys.json
  fbverify keys fetch --session-cookie > session-cookie-keys.json
  fbverify verify --project my-project --keys id-token-keys.json "$ID_TOKEN"
`

// Bounds of a fetch.
const (
	fetchTimeout      = 15 * time.Second
	maxKeySetResponse = jwks.DefaultMaxBodyBytes
)

func (c *cli) keys(args []string) int {
	cmd := newCommand("keys fetch", keysUsage, keysExamples)
	session := cmd.fs.Bool("session-cookie", false, "fetch the keys of session cookies instead of ID tokens")
	if len(args) == 0 || args[0] != "fetch" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			cmd.printHelp(c.stdout)
			return exitOK
		}
		fmt.Fprint(c.stderr, "fbverify keys: want \"fetch\"\n\n")
		cmd.printHelp(c.stderr)
		return exitUsage
	}
	rest, stop, status := c.parse(cmd, args[1:])
	if stop {
		return status
	}
	if len(rest) > 0 {
		return c.usageError(cmd, "unexpected argument %q", rest[0])
	}
	kind := verify.IDToken
	if *session {
		kind = verify.SessionCookie
	}
	url := defaultKeyURL(kind)
	if c.keyURL != nil {
		url = c.keyURL(kind)
	}
	body, err := c.fetchKeySet(url)
	if err != nil {
		fmt.Fprintf(c.stderr, "fbverify keys fetch: %v\n", err)
		return exitUsage
	}
	set, err := jwks.ParseKeySet(body)
	if err != nil {
		fmt.Fprintf(c.stderr, "fbverify keys fetch: %s: %v\n", url, err)
		return exitUsage
	}
	if _, err := c.stdout.Write(body); err != nil {
		fmt.Fprintf(c.stderr, "fbverify keys fetch: %v\n", err)
		return exitUsage
	}
	if len(body) > 0 && body[len(body)-1] != '\n' {
		fmt.Fprintln(c.stdout)
	}
	ids := set.KeyIDs()
	fmt.Fprintf(c.stderr, "fbverify: %d %s keys (%s) from %s\n", len(ids), kind, strings.Join(ids, ", "), url)
	return exitOK
}

// fetchKeySet GETs url with a timeout, no redirects, status 200 and a
// bounded body.
func (c *cli) fetchKeySet(url string) ([]byte, error) {
	client := c.httpClient
	if client == nil {
		client = &http.Client{
			Timeout:       fetchTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: status %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeySetResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", url, err)
	}
	if len(body) > maxKeySetResponse {
		return nil, fmt.Errorf("%s: response larger than %d bytes", url, maxKeySetResponse)
	}
	return body, nil
}
