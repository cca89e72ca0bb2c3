package verify

import (
	"context"
	"fmt"

	"github.com/fbverify/fbverify/jwks"
)

// refresher is a key source that can fetch its keys on demand, as
// jwks.Remote does. A custom jwks.KeySource may implement it too.
type refresher interface {
	Refresh(ctx context.Context) error
}

// Refresh fetches the keys now, if the key source can (a jwks.Remote, the
// default, or any source with a Refresh(context.Context) error method),
// and returns nil only once the fetch succeeded; a source that cannot
// fetch (jwks.Static) has nothing to do and returns nil. ctx bounds the
// wait. A service calls it at start-up and reports ready only after it
// returned nil, so no request meets a cold key cache. The error wraps the
// source's (jwks.ErrKeysUnavailable for a jwks.Remote).
func (v *Verifier) Refresh(ctx context.Context) error {
	return refreshKeys(ctx, v.keys)
}

// Refresh fetches the keys now, as Verifier.Refresh does.
func (a *AppCheckVerifier) Refresh(ctx context.Context) error {
	return refreshKeys(ctx, a.keys)
}

func refreshKeys(ctx context.Context, keys jwks.KeySource) error {
	r, ok := keys.(refresher)
	if !ok {
		return nil
	}
	if err := r.Refresh(ctx); err != nil {
		return fmt.Errorf("verify: fetching keys: %w", err)
	}
	return nil
}

// WithKeySnapshot makes the default key source keep a snapshot of Google's
// keys in the file at path (jwks.RemoteOptions.SnapshotFile), so a
// restart while Google is unreachable still verifies with keys fetched
// within the last 24 hours. The file is a fallback only: its keys serve
// while no fetch has succeeded since start and the first fetch failed or
// did not answer within jwks.DefaultSnapshotWait; whenever Google answers,
// only its keys count. Whoever can write the file can get their tokens
// accepted during an outage, so keep it where only the service's user can
// write. Give each Verifier its own file. It has no effect with
// WithKeySource.
func WithKeySnapshot(path string) SharedOption {
	return sharedOption(func(c *common) error {
		if path == "" {
			return fmt.Errorf("verify: WithKeySnapshot: empty path")
		}
		c.snapshotFile = path
		return nil
	})
}
