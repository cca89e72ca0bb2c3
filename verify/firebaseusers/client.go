package firebaseusers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// Endpoints and limits of Firebase's Identity Toolkit API.
const (
	// GoogleEndpoint is the Identity Toolkit API, up to its version.
	GoogleEndpoint = "https://identitytoolkit.googleapis.com/v1"
	// Scope is the OAuth2 scope the Client asks its credentials for.
	Scope = "https://www.googleapis.com/auth/cloud-platform"
	// MaxPageSize is the most users one accounts:batchGet call returns.
	MaxPageSize = 1000
	// DefaultTimeout bounds one call when ClientOptions.Timeout is zero.
	DefaultTimeout = 10 * time.Second
	// EmulatorHostEnv names the variable that points the Admin SDKs, and
	// a Client, at the Firebase Auth emulator.
	EmulatorHostEnv = "FIREBASE_AUTH_EMULATOR_HOST"
	// maxUIDBytes is Firebase's bound on a uid.
	maxUIDBytes = 128
	// Bounds on a reply's body: a lookup holds one user, a page up to
	// MaxPageSize users of a few KB each (provider data, MFA enrolments).
	maxLookupBytes = 1 << 20
	maxPageBytes   = 64 << 20
	// maxMessageBytes bounds the error message an APIError keeps.
	maxMessageBytes = 200
)

// Errors of the Client. Each is wrapped with the detail of the case.
var (
	// ErrUserNotFound: Firebase holds no user with the uid (it was
	// deleted, or it belongs to another project or tenant).
	ErrUserNotFound = errors.New("firebaseusers: user not found")
	// ErrBadReply: the API answered something the Client cannot read (a
	// body too large, not JSON, a validSince that is not a number of
	// seconds). The answer is not used: fail closed.
	ErrBadReply = errors.New("firebaseusers: unreadable reply")
	// ErrInvalidUID: the uid is empty or longer than Firebase allows, so
	// it is not sent.
	ErrInvalidUID = errors.New("firebaseusers: invalid uid")
)

// APIError is a reply of the Identity Toolkit API with a status other
// than 200.
type APIError struct {
	// Status is the HTTP status.
	Status int
	// Message is Google's error message, such as "USER_NOT_FOUND" or
	// "PERMISSION_DENIED: ...", or "" when the body carried none.
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("firebaseusers: identity toolkit answered %d", e.Status)
	}
	return fmt.Sprintf("firebaseusers: identity toolkit answered %d: %s", e.Status, e.Message)
}

// User is what the Client reads of a Firebase account: what decides
// whether its tokens are still good.
type User struct {
	// UID is the account's uid (localId).
	UID string
	// ValidSince is when the user's sessions were last revoked (a "revoke
	// refresh tokens", a password change), in whole seconds: tokens whose
	// auth_time is before it are revoked. Zero when Firebase has none.
	ValidSince time.Time
	// Disabled is true when the account is disabled.
	Disabled bool
}

// Page is one page of accounts:batchGet.
type Page struct {
	// Users are the accounts of the page, in uid order.
	Users []User
	// NextPageToken asks for the next page; "" on the last one.
	NextPageToken string
}

// ClientOptions configures a Client. Every field is optional.
type ClientOptions struct {
	// CredentialsFile is a service account key file (JSON), the kind the
	// Firebase console's "Generate new private key" gives. If empty,
	// CredentialsJSON; if both are empty, Application Default Credentials
	// (GOOGLE_APPLICATION_CREDENTIALS, gcloud's, or the metadata server
	// of Google Cloud). Ignored in emulator mode.
	CredentialsFile string
	// CredentialsJSON is the content of a service account key file.
	CredentialsJSON []byte
	// TokenSource, if set, gives the access tokens instead of any of the
	// above, emulator mode included.
	TokenSource oauth2.TokenSource
	// TenantID, if set, looks users up in that Identity Platform tenant
	// instead of the project's own users.
	TenantID string
	// Endpoint replaces GoogleEndpoint (and the emulator's): the API's URL
	// up to its version, such as the URL of a firebaseuserstest.Server.
	// The credentials' tokens are sent to it.
	Endpoint string
	// Transport carries the calls, the token fetches of the credentials
	// included. If nil, http.DefaultTransport.
	Transport http.RoundTripper
	// Timeout bounds each call. If zero, DefaultTimeout.
	Timeout time.Duration
	// Getenv reads EmulatorHostEnv. If nil, os.Getenv.
	Getenv func(string) string
}

// Client calls the two methods of the Identity Toolkit API that the
// revocation checks need: accounts:lookup (one user, as the Admin SDKs'
// GetUser) and accounts:batchGet (a page of users, as their ListUsers).
// It is safe for concurrent use and holds no goroutine.
type Client struct {
	base     string // up to /projects/{id}[/tenants/{id}]
	http     *http.Client
	timeout  time.Duration
	emulator bool
}

// NewClient returns a Client for the users of projectID.
//
// When FIREBASE_AUTH_EMULATOR_HOST is set (as host:port), it calls the
// Firebase Auth emulator there, over plain HTTP, with the emulator's
// "Bearer owner" credential, as the Admin SDKs do; no credentials are
// read. Otherwise it calls Google with the credentials of opts, which
// need the Firebase Authentication Viewer role (or any role granting
// firebaseauth.users.get), and refuses to start without any.
func NewClient(projectID string, opts ClientOptions) (*Client, error) {
	if projectID == "" {
		return nil, errors.New("firebaseusers: empty project ID")
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	base := opts.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if timeout < 0 {
		return nil, fmt.Errorf("firebaseusers: negative timeout %v", timeout)
	}
	c := &Client{}
	endpoint := opts.Endpoint
	if emulatorHost := getenv(EmulatorHostEnv); emulatorHost != "" && endpoint == "" {
		if strings.ContainsAny(emulatorHost, "/?#@") {
			return nil, fmt.Errorf("firebaseusers: %s=%q: want host:port", EmulatorHostEnv, emulatorHost)
		}
		endpoint = "http://" + emulatorHost + "/identitytoolkit.googleapis.com/v1"
		c.emulator = true
	}
	if endpoint == "" {
		endpoint = GoogleEndpoint
	}
	c.base = strings.TrimSuffix(endpoint, "/") + "/projects/" + url.PathEscape(projectID)
	if opts.TenantID != "" {
		c.base += "/tenants/" + url.PathEscape(opts.TenantID)
	}
	ts, err := tokenSource(opts, c.emulator, &http.Client{Transport: base, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	// The timeout is applied through the request's context: http.Client's
	// own would call oauth2.Transport's deprecated CancelRequest.
	c.http = &http.Client{Transport: &oauth2.Transport{Source: ts, Base: base}}
	c.timeout = timeout
	return c, nil
}

// tokenSource picks the credentials of opts: TokenSource, the emulator's
// owner, a key file, or Application Default Credentials. Token fetches go
// through fetch.
func tokenSource(opts ClientOptions, emulator bool, fetch *http.Client) (oauth2.TokenSource, error) {
	switch {
	case opts.TokenSource != nil:
		return opts.TokenSource, nil
	case emulator:
		return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "owner", TokenType: "Bearer"}), nil
	}
	// The context is kept by the token source for every later refresh,
	// so it is not the caller's: it only carries the HTTP client.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, fetch)
	key := opts.CredentialsJSON
	if opts.CredentialsFile != "" {
		var err error
		if key, err = os.ReadFile(opts.CredentialsFile); err != nil {
			return nil, fmt.Errorf("firebaseusers: credentials: %w", err)
		}
	}
	if key != nil {
		creds, err := google.CredentialsFromJSONWithType(ctx, key, google.ServiceAccount, Scope)
		if err != nil {
			return nil, fmt.Errorf("firebaseusers: credentials: %w", err)
		}
		return creds.TokenSource, nil
	}
	creds, err := google.FindDefaultCredentials(ctx, Scope)
	if err != nil {
		return nil, fmt.Errorf("firebaseusers: no credentials given and none found by Application Default Credentials: %w", err)
	}
	return creds.TokenSource, nil
}

// Emulator reports whether the Client calls the Firebase Auth emulator.
func (c *Client) Emulator() bool { return c.emulator }

// apiUser is the part of the API's user record the Client reads.
type apiUser struct {
	LocalID    string `json:"localId"`
	ValidSince string `json:"validSince"`
	Disabled   bool   `json:"disabled"`
}

func (u apiUser) user() (User, error) {
	out := User{UID: u.LocalID, Disabled: u.Disabled}
	if u.LocalID == "" {
		return User{}, fmt.Errorf("%w: a user without localId", ErrBadReply)
	}
	if u.ValidSince != "" {
		s, err := strconv.ParseInt(u.ValidSince, 10, 64)
		if err != nil || s < 0 {
			return User{}, fmt.Errorf("%w: user %q: validSince %q is not a number of seconds", ErrBadReply, u.LocalID, u.ValidSince)
		}
		if s > 0 {
			out.ValidSince = time.Unix(s, 0).UTC()
		}
	}
	return out, nil
}

// Lookup returns uid's account through accounts:lookup. It returns an
// error wrapping ErrUserNotFound when Firebase has no such user.
func (c *Client) Lookup(ctx context.Context, uid string) (User, error) {
	if uid == "" || len(uid) > maxUIDBytes {
		return User{}, fmt.Errorf("%w: %d bytes", ErrInvalidUID, len(uid))
	}
	body, err := json.Marshal(map[string][]string{"localId": {uid}})
	if err != nil {
		return User{}, err
	}
	var reply struct {
		Users []apiUser `json:"users"`
	}
	if err := c.call(ctx, http.MethodPost, c.base+"/accounts:lookup", body, maxLookupBytes, &reply); err != nil {
		return User{}, fmt.Errorf("firebaseusers: lookup of uid %q: %w", uid, err)
	}
	for _, u := range reply.Users {
		if u.LocalID == uid {
			return u.user()
		}
	}
	return User{}, fmt.Errorf("%w: uid %q", ErrUserNotFound, uid)
}

// ListPage returns one page of accounts:batchGet: up to size users (at
// most MaxPageSize; if zero or negative, MaxPageSize) after pageToken (""
// for the first page).
func (c *Client) ListPage(ctx context.Context, pageToken string, size int) (Page, error) {
	if size <= 0 || size > MaxPageSize {
		size = MaxPageSize
	}
	q := url.Values{"maxResults": {strconv.Itoa(size)}}
	if pageToken != "" {
		q.Set("nextPageToken", pageToken)
	}
	var reply struct {
		Users         []apiUser `json:"users"`
		NextPageToken string    `json:"nextPageToken"`
	}
	if err := c.call(ctx, http.MethodGet, c.base+"/accounts:batchGet?"+q.Encode(), nil, maxPageBytes, &reply); err != nil {
		return Page{}, fmt.Errorf("firebaseusers: list users: %w", err)
	}
	page := Page{Users: make([]User, 0, len(reply.Users)), NextPageToken: reply.NextPageToken}
	for _, au := range reply.Users {
		u, err := au.user()
		if err != nil {
			return Page{}, fmt.Errorf("firebaseusers: list users: %w", err)
		}
		page.Users = append(page.Users, u)
	}
	if page.NextPageToken == pageToken && pageToken != "" {
		return Page{}, fmt.Errorf("firebaseusers: list users: %w: the next page token is the one asked for", ErrBadReply)
	}
	return page, nil
}

// call sends one request and decodes a 200's JSON body, read up to limit
// bytes, into out.
func (c *Client) call(ctx context.Context, method, u string, body []byte, limit int64, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("read reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &e) // the status alone is the error when the body says nothing
		msg := e.Error.Message
		if len(msg) > maxMessageBytes {
			msg = msg[:maxMessageBytes] + "..."
		}
		apiErr := &APIError{Status: resp.StatusCode, Message: msg}
		if code, _, _ := strings.Cut(msg, ":"); strings.TrimSpace(code) == "USER_NOT_FOUND" {
			return fmt.Errorf("%w: %w", ErrUserNotFound, apiErr)
		}
		return apiErr
	}
	if int64(len(data)) > limit {
		return fmt.Errorf("%w: more than %d bytes", ErrBadReply, limit)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: %w", ErrBadReply, err)
	}
	return nil
}
