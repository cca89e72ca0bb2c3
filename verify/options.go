package verify

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/fbverify/fbverify/jwks"
)

// Defaults and limits of the options.
const (
	// DefaultLeeway is the clock skew allowed on exp, iat and auth_time.
	DefaultLeeway = time.Minute
	// MaxLeeway is the largest leeway WithLeeway accepts.
	MaxLeeway = 5 * time.Minute
	// DefaultMaxTokenBytes bounds a token's length. Genuine ID tokens are
	// about 1 KB, and a few KB with large custom claims (which Firebase
	// limits to 1000 bytes).
	DefaultMaxTokenBytes = 8 << 10
	// IDTokenLifetime is the lifetime Google gives ID tokens.
	IDTokenLifetime = time.Hour
	// SessionCookieMaxLifetime is the longest lifetime of a session cookie.
	SessionCookieMaxLifetime = 14 * 24 * time.Hour
)

// Kind is the kind of token a Verifier accepts.
type Kind int

const (
	// IDToken is a Firebase ID token: iss https://securetoken.google.com/<project>,
	// keys from jwks.IDTokenJWKSURL.
	IDToken Kind = iota
	// SessionCookie is a Firebase session cookie: iss
	// https://session.firebase.google.com/<project>, keys from
	// jwks.SessionCookieX509URL.
	SessionCookie
)

// String names the kind.
func (k Kind) String() string {
	if k == SessionCookie {
		return "session cookie"
	}
	return "ID token"
}

// UserStatus is what a revocation check knows about a user.
type UserStatus struct {
	// Disabled refuses every token of the user.
	Disabled bool
	// ValidAfter refuses tokens whose auth_time is before it (the user's
	// "tokens valid after" time); zero accepts all.
	ValidAfter time.Time
}

// RevocationCheck looks a user up in the caller's own store. It is called
// after the signature and every claim rule passed. An error refuses the
// token with ErrRevocationCheckFailed: fail closed.
type RevocationCheck func(ctx context.Context, uid string) (UserStatus, error)

// Option configures a Verifier made by New or NewSessionCookieVerifier.
// The options that also apply to App Check tokens are SharedOptions; the
// rest, such as WithCache or WithTenants, are Options only, so passing one
// to NewAppCheck does not compile.
type Option interface {
	applyToVerifier(*settings) error
}

// AppCheckOption configures an AppCheckVerifier made by NewAppCheck.
type AppCheckOption interface {
	applyToAppCheck(*common) error
}

// SharedOption configures either kind of verifier: it is both an Option
// and an AppCheckOption.
type SharedOption interface {
	Option
	AppCheckOption
}

// verifierOption is an Option for ID tokens and session cookies only.
type verifierOption func(*settings) error

func (f verifierOption) applyToVerifier(s *settings) error { return f(s) }

// sharedOption sets something every verifier has.
type sharedOption func(*common) error

func (f sharedOption) applyToVerifier(s *settings) error { return f(&s.common) }
func (f sharedOption) applyToAppCheck(c *common) error   { return f(c) }

// common is what the SharedOptions set.
type common struct {
	keys          jwks.KeySource
	now           func() time.Time
	leeway        time.Duration
	maxTokenBytes int
	httpClient    *http.Client
	logger        *slog.Logger
	snapshotFile  string // WithKeySnapshot, in refresh.go
}

// defaults returns the settings before any option.
func defaults() common {
	return common{now: time.Now, leeway: DefaultLeeway, maxTokenBytes: DefaultMaxTokenBytes}
}

// remoteOptions configures the default key source from c.
func (c *common) remoteOptions() jwks.RemoteOptions {
	return jwks.RemoteOptions{HTTPClient: c.httpClient, Now: c.now, Logger: c.logger, SnapshotFile: c.snapshotFile}
}

// settings is what the Options set.
type settings struct {
	common
	extraProjects []string
	tenants       []string
	unsigned      bool
	revocation    RevocationCheck
	cacheSize     int      // WithCache, in cache.go
	observer      Observer // WithObserver, in observer.go
}

// WithKeySource sets where the public keys come from. If not given, the
// Verifier fetches Google's keys for its Kind with a jwks.Remote that uses
// the Verifier's clock, and Close stops it.
func WithKeySource(keys jwks.KeySource) SharedOption {
	return sharedOption(func(c *common) error {
		if keys == nil {
			return fmt.Errorf("verify: WithKeySource: nil key source")
		}
		c.keys = keys
		return nil
	})
}

// WithClock sets the clock that judges exp, iat and auth_time (and, for
// the default key source, key freshness). If not given, time.Now.
func WithClock(now func() time.Time) SharedOption {
	return sharedOption(func(c *common) error {
		if now == nil {
			return fmt.Errorf("verify: WithClock: nil clock")
		}
		c.now = now
		return nil
	})
}

// WithLeeway sets the clock skew allowed on exp, iat and auth_time, from 0
// to MaxLeeway. If not given, DefaultLeeway.
func WithLeeway(d time.Duration) SharedOption {
	return sharedOption(func(c *common) error {
		if d < 0 || d > MaxLeeway {
			return fmt.Errorf("verify: WithLeeway: %v is outside 0..%v", d, MaxLeeway)
		}
		c.leeway = d
		return nil
	})
}

// WithExtraProjects accepts tokens of more Firebase projects besides the
// one given to New (say staging besides production). Each token is still
// checked against its own project: its iss must match its aud. Each ID
// must be a valid project ID, as for New.
func WithExtraProjects(projectIDs ...string) Option {
	return verifierOption(func(s *settings) error {
		for _, p := range projectIDs {
			if err := checkProjectID(p); err != nil {
				return fmt.Errorf("verify: WithExtraProjects: %w", err)
			}
		}
		s.extraProjects = append(s.extraProjects, projectIDs...)
		return nil
	})
}

// WithTenants requires firebase.tenant to be one of tenantIDs (Identity
// Platform multi-tenancy); tokens without a tenant are refused.
func WithTenants(tenantIDs ...string) Option {
	return verifierOption(func(s *settings) error {
		if len(tenantIDs) == 0 {
			return fmt.Errorf("verify: WithTenants: no tenant given")
		}
		for _, t := range tenantIDs {
			if t == "" {
				return fmt.Errorf("verify: WithTenants: empty tenant ID")
			}
		}
		s.tenants = append(s.tenants, tenantIDs...)
		return nil
	})
}

// WithRevocationCheck calls check for every token that passed all other
// rules, refusing it with ErrUserDisabled or ErrRevoked as the status says.
func WithRevocationCheck(check RevocationCheck) Option {
	return verifierOption(func(s *settings) error {
		if check == nil {
			return fmt.Errorf("verify: WithRevocationCheck: nil check")
		}
		s.revocation = check
		return nil
	})
}

// WithMaxTokenBytes bounds a token's length; longer ones are refused with
// ErrTooLarge before any parsing. If not given, DefaultMaxTokenBytes.
func WithMaxTokenBytes(n int) SharedOption {
	return sharedOption(func(c *common) error {
		if n < 256 {
			return fmt.Errorf("verify: WithMaxTokenBytes: %d is too small for any Firebase token", n)
		}
		c.maxTokenBytes = n
		return nil
	})
}

// WithHTTPClient sets the HTTP client of the default key source. It has no
// effect with WithKeySource.
func WithHTTPClient(client *http.Client) SharedOption {
	return sharedOption(func(c *common) error {
		c.httpClient = client
		return nil
	})
}

// WithLogger sets where the default key source reports failed fetches.
func WithLogger(l *slog.Logger) SharedOption {
	return sharedOption(func(c *common) error {
		c.logger = l
		return nil
	})
}

// InsecureEmulatorMode accepts the unsigned tokens (alg "none", empty
// signature) that the Firebase Auth emulator issues; every other rule still
// applies, and signed tokens are still verified. Anyone can forge an
// unsigned token: this option MUST NOT be used outside local development
// and tests against the emulator. Nothing turns it on but this call.
func InsecureEmulatorMode() Option {
	return verifierOption(func(s *settings) error {
		s.unsigned = true
		return nil
	})
}

// EmulatorHost returns FIREBASE_AUTH_EMULATOR_HOST, the variable the
// Firebase tools set when the Auth emulator runs, and whether it is set.
// It is a convenience for deciding to pass InsecureEmulatorMode; it turns
// nothing on by itself.
func EmulatorHost() (string, bool) {
	h := os.Getenv("FIREBASE_AUTH_EMULATOR_HOST")
	return h, h != ""
}
