package verify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

type cacheEnv struct {
	signer  *verifytest.Signer
	keys    *countingKeys
	now     atomic.Pointer[time.Time]
	revoked atomic.Bool
	checks  atomic.Int64
}

func newCacheEnv(t *testing.T, size int, opts ...verify.Option) (*cacheEnv, *verify.Verifier) {
	t.Helper()
	e := &cacheEnv{}
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	e.now.Store(&start)
	clock := func() time.Time { return *e.now.Load() }
	e.signer = verifytest.NewSigner("cache-project", verifytest.WithClock(clock))
	e.keys = &countingKeys{KeySource: e.signer.KeySource()}
	base := []verify.Option{
		verify.WithKeySource(e.keys), verify.WithClock(clock), verify.WithCache(size),
		verify.WithRevocationCheck(func(_ context.Context, uid string) (verify.UserStatus, error) {
			e.checks.Add(1)
			return verify.UserStatus{Disabled: e.revoked.Load()}, nil
		}),
	}
	v, err := verify.New("cache-project", append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e, v
}

func (e *cacheEnv) advance(d time.Duration) {
	next := e.now.Load().Add(d)
	e.now.Store(&next)
}

func TestWithCacheRefusesBadSizes(t *testing.T) {
	for _, n := range []int{0, -1, verify.MaxCacheSize + 1} {
		if _, err := verify.New("p", verify.WithCache(n)); err == nil {
			t.Errorf("WithCache(%d) accepted", n)
		}
	}
}

func TestCacheHitSkipsSignatureButNotRevocation(t *testing.T) {
	e, v := newCacheEnv(t, 16)
	tok := e.signer.IDToken("u1", verifytest.Email("ada@example.com", true))
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		got, err := v.Verify(ctx, tok)
		if err != nil {
			t.Fatalf("verify %d: %v", i, err)
		}
		if got.UID != "u1" || got.Email != "ada@example.com" {
			t.Fatalf("verify %d: claims %+v", i, got)
		}
		got.UID = "changed by the caller" // must not reach the cache
	}
	if n := e.keys.calls.Load(); n != 1 {
		t.Errorf("%d key lookups for 5 verifications of one token, want 1", n)
	}
	if n := e.checks.Load(); n != 5 {
		t.Errorf("revocation checked %d times, want 5", n)
	}
	e.revoked.Store(true)
	if _, err := v.Verify(ctx, tok); !errors.Is(err, verify.ErrUserDisabled) {
		t.Errorf("hit for a disabled user: %v, want ErrUserDisabled", err)
	}
}

func TestCacheNeverServesAFailedOrTamperedToken(t *testing.T) {
	e, v := newCacheEnv(t, 16, verify.WithTenants("t-1"))
	ctx := context.Background()
	good := e.signer.IDToken("u1", verifytest.Tenant("t-1"))
	if _, err := v.Verify(ctx, good); err != nil {
		t.Fatal(err)
	}
	last := strings.LastIndexByte(good, '.')
	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	other := verifytest.GenerateKey()
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"signature tampered", flip(good, last+5), verify.ErrInvalidSignature},
		{"payload tampered", flip(good, strings.IndexByte(good, '.')+8), nil},
		{"signed by an unknown key", e.signer.IDToken("u1", verifytest.Tenant("t-1"), verifytest.SignedBy(other)), jwks.ErrUnknownKey},
		{"wrong tenant", e.signer.IDToken("u1", verifytest.Tenant("t-2")), verify.ErrInvalidTenant},
		{"wrong audience", e.signer.IDToken("u1", verifytest.Tenant("t-1"), verifytest.Project("other")), verify.ErrInvalidAudience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i < 3; i++ { // the second and third tries must fail the same way
				_, err := v.Verify(ctx, tt.token)
				if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
					t.Fatalf("try %d: %v, want %v", i, err, tt.want)
				}
			}
		})
	}
}

func TestCacheStopsServingAtExpiry(t *testing.T) {
	e, v := newCacheEnv(t, 16)
	ctx := context.Background()
	tok := e.signer.IDToken("u1")
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatal(err)
	}
	e.advance(time.Hour + verify.DefaultLeeway - time.Second)
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatalf("just before exp+leeway: %v", err)
	}
	lookups := e.keys.calls.Load()
	e.advance(2 * time.Second)
	if _, err := v.Verify(ctx, tok); !errors.Is(err, verify.ErrExpired) {
		t.Fatalf("after exp+leeway: %v, want ErrExpired", err)
	}
	if e.keys.calls.Load() != lookups {
		t.Errorf("the expired hit looked a key up")
	}
	// The entry is gone: turning the clock back verifies afresh.
	e.advance(-time.Minute)
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if e.keys.calls.Load() != lookups+1 {
		t.Errorf("the expired entry was still served after removal")
	}
}

func TestCacheEvictsColdTokensFirst(t *testing.T) {
	const size = 8
	e, v := newCacheEnv(t, size)
	ctx := context.Background()
	hot := e.signer.IDToken("hot")
	if _, err := v.Verify(ctx, hot); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := v.Verify(ctx, e.signer.IDToken(fmt.Sprintf("cold-%d", i))); err != nil {
			t.Fatal(err)
		}
		before := e.keys.calls.Load()
		if _, err := v.Verify(ctx, hot); err != nil {
			t.Fatal(err)
		}
		if e.keys.calls.Load() != before {
			t.Fatalf("the hot token was evicted after %d cold ones", i+1)
		}
	}
	if n := verify.CacheLen(v); n != size {
		t.Errorf("cache holds %d tokens, want %d", n, size)
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	e, v := newCacheEnv(t, 5)
	ctx := context.Background()
	tokens := make([]string, 20)
	for i := range tokens {
		tokens[i] = e.signer.IDToken(fmt.Sprintf("u%d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (i*7 + g) % len(tokens)
				tok, err := v.Verify(ctx, tokens[k])
				if err != nil || tok.UID != fmt.Sprintf("u%d", k) {
					errs <- fmt.Errorf("token %d: %v, %v", k, tok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := verify.CacheLen(v); n > 5 {
		t.Errorf("cache holds %d tokens, bound 5", n)
	}
}

func TestCacheHitAllocations(t *testing.T) {
	e, v := newCacheEnv(t, 16)
	ctx := context.Background()
	tok := e.signer.IDToken("u1")
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = v.Verify(ctx, tok) }); n > 1 {
		t.Errorf("a cache hit allocates %v times, want at most 1 (the returned copy)", n)
	}
}
