package jwks_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// TestRemoteMaxAgeBeyondADuration reads a max-age too large for a
// time.Duration (over 292 years) as 100 years, then clamps it to MaxTTL:
// it neither overflows into a negative or tiny freshness nor drops to
// MinTTL.
func TestRemoteMaxAgeBeyondADuration(t *testing.T) {
	const hundredYears = 100 * 365 * 24 * time.Hour
	for _, c := range []struct {
		name   string
		header string
		maxTTL time.Duration
		want   time.Duration
	}{
		{"huge, clamped to MaxTTL", "max-age=99999999999999", 3 * time.Hour, 3 * time.Hour},
		{"huge, under a MaxTTL of 200 years", "max-age=99999999999999", 2 * hundredYears, hundredYears},
		{"just over 100 years", "max-age=3153600001", 2 * hundredYears, hundredYears},
		{"just under 100 years", "max-age=3153599999", 2 * hundredYears, hundredYears - time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := verifytest.NewSigner("my-project")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", c.header)
				_, _ = w.Write(s.JWKS())
			}))
			defer srv.Close()
			clock := newFakeClock()
			r, err := jwks.NewRemote(srv.URL, jwks.RemoteOptions{Now: clock.Now, MinTTL: 2 * time.Minute, MaxTTL: c.maxTTL})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := r.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
			st := r.Status()
			if got := st.Expires.Sub(st.Fetched); got != c.want {
				t.Errorf("freshness = %v, want %v", got, c.want)
			}
		})
	}
}

// TestPublicExponentRule accepts odd exponents from 3 up and refuses 1
// and every even one: an even e has no inverse modulo an even phi(n), so
// no RSA key has one.
func TestPublicExponentRule(t *testing.T) {
	n := verifytest.GenerateKey().Private.PublicKey.N
	for _, c := range []struct {
		e  int
		ok bool
	}{{3, true}, {5, true}, {65537, true}, {1, false}, {2, false}, {4, false}, {65536, false}, {65538, false}, {0, false}, {-3, false}} {
		_, err := jwks.NewStatic(map[string]*rsa.PublicKey{"k": {N: n, E: c.e}})
		if c.ok && err != nil {
			t.Errorf("e = %d refused: %v", c.e, err)
		}
		if !c.ok && !errors.Is(err, jwks.ErrInvalidKeySet) {
			t.Errorf("e = %d: err = %v, want ErrInvalidKeySet", c.e, err)
		}
	}
}
