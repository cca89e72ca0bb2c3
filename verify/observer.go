package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
)

// Observer receives what a Verifier decides and what its default key
// source fetches: the ground for metrics and logs. Either field may be nil.
// The functions run on the goroutine that verifies (or fetches), so they
// must be quick and safe for concurrent use.
type Observer struct {
	// Verdict is called once at the end of each Verify call.
	Verdict func(Verdict)
	// KeyFetch is called after each fetch of the key source that New makes
	// when WithKeySource is not given (see jwks.RemoteOptions.OnFetch). A
	// jwks.Remote passed to WithKeySource reports through its own OnFetch.
	KeyFetch func(jwks.FetchEvent)
}

// Verdict is the outcome of one Verify call.
type Verdict struct {
	// Kind is the Verifier's kind.
	Kind Kind
	// Err is Verify's error, nil when the token was accepted.
	Err error
	// Code is ErrorCode(Err): "" when the token was accepted.
	Code string
	// Token is the accepted token, nil when it was refused. It is the value
	// Verify returns: read it, do not change it.
	Token *claims.Token
	// Duration is how long Verify took, by the monotonic clock.
	Duration time.Duration
	// KeyID is the kid of the token's header, "" when the header did not
	// parse.
	KeyID string
	// Cached reports that the token was found in the WithCache cache (a
	// hit is still checked against every claim rule, and may be refused).
	Cached bool
	// Skew is the token's iat less the Verifier's clock when Verify ran,
	// and HasSkew says whether it is known: for tokens accepted without
	// the cache, and for those refused as issued in the future. Tokens are
	// used for up to an hour after iat, so negative values are mostly the
	// token's age; a positive one means the issuer's clock is ahead of
	// this host's, which is the sign of a host clock that is off.
	Skew    time.Duration
	HasSkew bool
}

// WithObserver calls o for every verdict of the Verifier and every fetch
// of its default key source. Without it, Verify does no extra work.
func WithObserver(o Observer) Option {
	return verifierOption(func(s *settings) error {
		if o.Verdict == nil && o.KeyFetch == nil {
			return fmt.Errorf("verify: WithObserver: no function set")
		}
		s.observer = o
		return nil
	})
}

// verifyObserved is Verify with an observer of verdicts: it times the
// call and reports what it found.
func (v *Verifier) verifyObserved(ctx context.Context, token string) (*claims.Token, error) {
	var cached bool
	if v.cache != nil {
		_, cached = v.cache.entries.Load(token)
	}
	start := time.Now()
	tok, err := v.verify(ctx, token)
	d := time.Since(start)
	ver := Verdict{Kind: v.kind, Err: err, Code: ErrorCode(err), Token: tok,
		Duration: d, KeyID: v.keyID(token), Cached: cached}
	switch {
	case err == nil && !cached:
		ver.Skew, ver.HasSkew = tok.IssuedAt.Sub(v.now()), true
	case errors.Is(err, ErrIssuedInFuture):
		var ve *claims.ValidationError
		if errors.As(err, &ve) {
			if iat, perr := time.Parse(time.RFC3339, ve.Actual); perr == nil {
				ver.Skew, ver.HasSkew = iat.Sub(v.now()), true
			}
		}
	}
	v.observer.Verdict(ver)
	return tok, err
}

// keyID returns the kid of token's header: from the header memo when the
// header is the one last parsed (the common case), else by parsing it.
func (v *Verifier) keyID(token string) string {
	seg, _, ok := strings.Cut(token, ".")
	if !ok || seg == "" || len(token) > v.maxTokenBytes {
		return ""
	}
	if memo := v.lastHeader.Load(); memo != nil && memo.segment == seg {
		return memo.header.KeyID
	}
	raw, err := b64.DecodeString(seg)
	if err != nil {
		return ""
	}
	h, err := claimcheck.ParseHeader(raw)
	if err != nil {
		return ""
	}
	return h.KeyID
}
