package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/firebaseusers"
)

// revocationFlags are the flags of the per-user revocation check: each
// user is looked up in Firebase (accounts:lookup) at most once per TTL.
type revocationFlags struct {
	enabled     bool
	credentials string
	ttl         time.Duration
	maxStale    time.Duration
}

// register adds the flags to fs.
func (r *revocationFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&r.enabled, "check-revoked", false,
		"refuse tokens of users whose sessions were revoked, or whose accounts were disabled or deleted, in Firebase; "+
			"each user is looked up at most once per --revocation-ttl")
	fs.StringVar(&r.credentials, "credentials", "",
		"service account key `FILE` for --check-revoked (default: Application Default Credentials; "+
			"with FIREBASE_AUTH_EMULATOR_HOST set, the emulator's)")
	fs.DurationVar(&r.ttl, "revocation-ttl", verify.DefaultRevocationTTL,
		"with --check-revoked, how long a user's answer is kept: a change in Firebase is seen within it")
	fs.DurationVar(&r.maxStale, "revocation-max-stale", 0,
		"with --check-revoked, refuse every token (503) once Firebase has not answered for this long (default: the TTL)")
}

// validate refuses flags that contradict each other.
func (r *revocationFlags) validate() error {
	switch {
	case !r.enabled && (r.credentials != "" || r.maxStale != 0 || r.ttl != verify.DefaultRevocationTTL):
		return errors.New("--credentials, --revocation-ttl and --revocation-max-stale need --check-revoked")
	case r.ttl <= 0:
		return fmt.Errorf("--revocation-ttl %v: want a positive duration", r.ttl)
	case r.maxStale < 0:
		return fmt.Errorf("--revocation-max-stale %v: want a positive duration", r.maxStale)
	}
	return nil
}

// revocationOption returns the Verifier option of --check-revoked, with
// its metrics on the server's registry and its staleness in the log, or
// nil when the flag is off.
func (s *server) revocationOption(r revocationFlags) (verify.Option, error) {
	if !r.enabled {
		return nil, nil
	}
	// The check is given a uid only, so it can look in one place: the
	// project's users, or its one tenant's.
	opts := firebaseusers.ClientOptions{CredentialsFile: r.credentials}
	switch len(s.cfg.tenants) {
	case 0:
	case 1:
		opts.TenantID = s.cfg.tenants[0]
	default:
		return nil, errors.New("--check-revoked works with one --tenant at most: a uid is looked up in one tenant")
	}
	client, err := firebaseusers.NewClient(s.cfg.projects[0], opts)
	if err != nil {
		return nil, fmt.Errorf("--check-revoked: %w", err)
	}
	lookups := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "fbverify_revocation_lookups_total",
		Help: "Users looked up in Firebase for --check-revoked, by result: found, not_found (refused as disabled), error.",
	}, []string{"result"})
	var checker *firebaseusers.Checker
	stale := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "fbverify_revocation_stale",
		Help: "1 while --check-revoked refuses every token because Firebase has not answered within --revocation-max-stale.",
	}, func() float64 {
		if checker.Stale() {
			return 1
		}
		return 0
	})
	checker, err = firebaseusers.NewChecker(client, firebaseusers.CheckerOptions{
		TTL: r.ttl, MaxStaleness: r.maxStale,
		OnLookup: func(ev firebaseusers.LookupEvent) {
			switch {
			case ev.Err == nil:
				lookups.WithLabelValues("found").Inc()
			case errors.Is(ev.Err, firebaseusers.ErrUserNotFound):
				lookups.WithLabelValues("not_found").Inc()
			default:
				lookups.WithLabelValues("error").Inc()
			}
		},
		OnStale: func(ev firebaseusers.StaleEvent) {
			if ev.Stale {
				s.logger.Error("revocation check stale: every token is refused until Firebase answers",
					"last_success", ev.LastSuccess, "err", ev.Err)
			} else {
				s.logger.Info("revocation check fresh again", "last_success", ev.LastSuccess)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("--check-revoked: %w", err)
	}
	s.metrics.registry.MustRegister(lookups, stale)
	s.logger.Info("checking revocations in Firebase", "ttl", r.ttl.String(), "emulator", client.Emulator())
	return verify.WithRevocationCheck(checker.Check), nil
}
