package hybrid

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fbverify/fbverify/verify"
)

// ErrNoUser is what Revoke returns for a uid the database has never seen.
var ErrNoUser = errors.New("hybrid: no such user")

// Profile is what a user may read of its own row.
type Profile struct {
	UID         string    `json:"uid"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Created     time.Time `json:"created"`
}

// store is the service's access to its users table.
type store struct {
	pool *pgxpool.Pool
}

// userStatus reads uid's revocation state: the verify.RevocationCheck that
// the service's RevocationCache wraps. A uid without a row yet is neither
// disabled nor revoked: it signed in with Firebase and has not been seen
// here.
func (s *store) userStatus(ctx context.Context, uid string) (verify.UserStatus, error) {
	var st verify.UserStatus
	var validAfter *time.Time
	err := s.pool.QueryRow(ctx, `SELECT disabled, tokens_valid_after FROM user_status($1)`, uid).
		Scan(&st.Disabled, &validAfter)
	if err != nil {
		return verify.UserStatus{}, fmt.Errorf("hybrid: user status: %w", err)
	}
	if validAfter != nil {
		st.ValidAfter = *validAfter
	}
	return st, nil
}

const profileColumns = `uid, email, display_name, created`

func scanProfile(row pgx.Row) (Profile, error) {
	var p Profile
	err := row.Scan(&p.UID, &p.Email, &p.DisplayName, &p.Created)
	return p, err
}

// profile returns uid's profile, making its row on first sight with the
// email of the token.
func (s *store) profile(ctx context.Context, uid, email string) (Profile, error) {
	p, err := scanProfile(s.pool.QueryRow(ctx, `SELECT `+profileColumns+` FROM users WHERE uid = $1`, uid))
	if errors.Is(err, pgx.ErrNoRows) {
		// First sight. DO UPDATE rather than DO NOTHING, so that a row made
		// meanwhile by a concurrent request is still returned.
		p, err = scanProfile(s.pool.QueryRow(ctx, `
			INSERT INTO users (uid, email) VALUES ($1, $2)
			ON CONFLICT (uid) DO UPDATE SET uid = EXCLUDED.uid
			RETURNING `+profileColumns, uid, email))
	}
	if err != nil {
		return Profile{}, fmt.Errorf("hybrid: profile: %w", err)
	}
	return p, nil
}

// setDisplayName changes uid's display name, making its row on first sight.
func (s *store) setDisplayName(ctx context.Context, uid, email, name string) (Profile, error) {
	p, err := scanProfile(s.pool.QueryRow(ctx, `
		INSERT INTO users (uid, email, display_name) VALUES ($1, $2, $3)
		ON CONFLICT (uid) DO UPDATE SET display_name = EXCLUDED.display_name
		RETURNING `+profileColumns, uid, email, name))
	if err != nil {
		return Profile{}, fmt.Errorf("hybrid: profile: %w", err)
	}
	return p, nil
}

const revokeSQL = `
UPDATE users SET tokens_valid_after = date_trunc('second', now())
WHERE uid = $1
RETURNING tokens_valid_after
`

// revoke sets uid's tokens_valid_after to now, truncated to the second:
// Firebase compares auth_time, in whole seconds, with tokens_valid_after
// in whole seconds, so a sign-in in the second of the revocation counts as
// after it. The trigger NOTIFYs every instance when the row commits.
func (s *store) revoke(ctx context.Context, uid string) (time.Time, error) {
	var at time.Time
	err := s.pool.QueryRow(ctx, revokeSQL, uid).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, fmt.Errorf("%w: uid %q", ErrNoUser, uid)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("hybrid: revoke: %w", err)
	}
	return at, nil
}
