package verify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func TestAppCheck(t *testing.T) {
	s := newSigner()
	const number = "123456789012"
	a, err := verify.NewAppCheck(verify.AppCheckProject{Number: number, ID: project}, verify.WithKeySource(s.KeySource()), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok, err := a.Verify(ctx, s.AppCheckToken(number, "1:123456789012:web:abc"))
	if err != nil || tok.AppID != "1:123456789012:web:abc" {
		t.Fatalf("valid App Check token: %v", err)
	}
	byNumberOnly := s.AppCheckToken(number, "app", verifytest.Claim("aud", []string{"projects/" + number}))
	if _, err := a.Verify(ctx, byNumberOnly); err != nil {
		t.Fatalf("aud with the number only: %v", err)
	}
	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"no typ", s.AppCheckToken(number, "app", verifytest.WithoutHeader("typ")), verify.ErrInvalidType},
		{"alg RS512", s.AppCheckToken(number, "app", verifytest.Header("alg", "RS512")), verify.ErrUnsupportedAlgorithm},
		{"aud a string", s.AppCheckToken(number, "app", verifytest.Claim("aud", "projects/"+number)), verify.ErrInvalidAudience},
		{"aud with a number in it", s.AppCheckToken(number, "app", verifytest.Claim("aud", []any{"projects/" + number, 5})), verify.ErrInvalidAudience},
		{"aud of another project", s.AppCheckToken(number, "app", verifytest.Claim("aud", []string{"projects/999"})), verify.ErrInvalidAudience},
		{"missing aud", s.AppCheckToken(number, "app", verifytest.WithoutClaim("aud")), verify.ErrInvalidAudience},
		{"issuer of another project", s.AppCheckToken(number, "app", verifytest.Claim("iss", claimcheck.AppCheckIssuerPrefix+"999")), verify.ErrInvalidIssuer},
		{"issuer a number", s.AppCheckToken(number, "app", verifytest.Claim("iss", 5)), verify.ErrInvalidIssuer},
		{"no app ID", s.AppCheckToken(number, ""), verify.ErrInvalidSubject},
		{"expired", s.AppCheckToken(number, "app", verifytest.ExpiresAt(fixedNow.Add(-time.Hour))), verify.ErrExpired},
		{"missing exp", s.AppCheckToken(number, "app", verifytest.WithoutClaim("exp")), verify.ErrInvalidExpiry},
		{"iat in the future", s.AppCheckToken(number, "app", verifytest.Claim("iat", fixedNow.Add(time.Hour).Unix())), verify.ErrIssuedInFuture},
		{"an ID token", s.IDToken("u1"), verify.ErrInvalidAudience},
		{"unknown key", s.AppCheckToken(number, "app", verifytest.SignedBy(verifytest.GenerateKey())), jwks.ErrUnknownKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := a.Verify(ctx, c.token)
			mustFail(t, err, c.want)
		})
	}
	for _, bad := range []string{"", "12a"} {
		if _, err := verify.NewAppCheck(verify.AppCheckProject{Number: bad, ID: project}); err == nil {
			t.Errorf("NewAppCheck(%q) accepted", bad)
		}
	}
	// Swapped number and ID are both refused, the number naming the mistake.
	_, err = verify.NewAppCheck(verify.AppCheckProject{Number: project, ID: number})
	if !errors.Is(err, verify.ErrInvalidProjectID) || !strings.Contains(err.Error(), "looks like a project ID") {
		t.Errorf("swapped number and ID: %v", err)
	}
}

func TestAppCheckMiddleware(t *testing.T) {
	s := newSigner()
	a, err := verify.NewAppCheck(verify.AppCheckProject{Number: "42"}, verify.WithKeySource(s.KeySource()), verify.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := verify.AppCheckFromContext(r.Context())
		fmt.Fprint(w, tok.AppID)
	}))
	for _, c := range []struct {
		name   string
		token  string
		status int
	}{
		{"valid", s.AppCheckToken("42", "my-app"), http.StatusOK},
		{"missing", "", http.StatusUnauthorized},
		{"tampered", s.AppCheckToken("42", "my-app") + "A", http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if c.token != "" {
				req.Header.Set(verify.AppCheckHeader, c.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			if c.status == http.StatusOK && rec.Body.String() != "my-app" {
				t.Fatalf("handler saw app %q", rec.Body)
			}
		})
	}
}
