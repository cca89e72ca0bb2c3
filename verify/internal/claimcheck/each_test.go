package claimcheck

import (
	"errors"
	"testing"
	"time"
)

// TestTimeStepsFollowCheckTimes runs ValidateEach and Validate over every
// combination of a few times per claim, projects, issuers, subjects and
// tenants, and requires ValidateEach's first failure (lowest Step) to be
// Validate's error, message and all, and no failure exactly when Validate
// accepts.
func TestTimeStepsFollowCheckTimes(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	times := []time.Time{{}, now.Add(-48 * time.Hour), now.Add(-2 * time.Hour), now.Add(-30 * time.Minute),
		now, now.Add(30 * time.Second), now.Add(2 * time.Minute), now.Add(50 * time.Minute), now.Add(3 * time.Hour)}
	wants := []Expected{
		{ProjectIDs: []string{"p-one"}, IssuerPrefix: IDTokenIssuerPrefix, Leeway: time.Minute, MaxLifetime: time.Hour},
		{ProjectIDs: []string{"p-one"}, IssuerPrefix: SessionCookieIssuerPrefix, Leeway: 0, Tenants: []string{"t1"}},
	}
	bases := []Token{
		{UID: "u", Audience: "p-one", Issuer: IDTokenIssuerPrefix + "p-one", Firebase: Firebase{Tenant: "t1"}},
		{UID: "", Audience: "p-two", Issuer: IDTokenIssuerPrefix + "p-two"},
		{UID: "u", Audience: "p-one", Issuer: SessionCookieIssuerPrefix + "p-one"},
	}
	n, accepted := 0, 0
	for _, want := range wants {
		for _, base := range bases {
			for _, exp := range times {
				for _, iat := range times {
					for _, auth := range times {
						tok := base
						tok.Expires, tok.IssuedAt, tok.AuthTime = exp, iat, auth
						got := firstFailure(ValidateEach(&tok, want, now))
						err := Validate(&tok, want, now)
						n++
						if err == nil {
							accepted++
						}
						if (got == nil) != (err == nil) || got != nil && (!errors.Is(got, errors.Unwrap(err)) || got.Error() != err.Error()) {
							t.Fatalf("exp %v iat %v auth_time %v, %+v: ValidateEach's first failure %v, Validate %v", exp, iat, auth, tok, got, err)
						}
					}
				}
			}
		}
	}
	if accepted == 0 || accepted == n {
		t.Fatalf("%d of %d accepted: the grid does not exercise both verdicts", accepted, n)
	}
}

// firstFailure is the error of the failed Outcome with the lowest Step.
func firstFailure(outs []Outcome) error {
	var first *Outcome
	for i := range outs {
		if o := &outs[i]; o.Err != nil && (first == nil || o.Step < first.Step) {
			first = o
		}
	}
	if first == nil {
		return nil
	}
	return first.Err
}

// TestValidateEachGoesOnPastAFailure checks that a token breaking three
// rules reports all three, and that a rule whose comparison claim is
// missing is marked Partial rather than passed silently.
func TestValidateEachGoesOnPastAFailure(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	want := Expected{ProjectIDs: []string{"p-one"}, IssuerPrefix: IDTokenIssuerPrefix, Leeway: time.Minute, MaxLifetime: time.Hour}
	tok := Token{UID: "u", Audience: "p-two", Issuer: IDTokenIssuerPrefix + "p-two",
		Expires: now.Add(-3 * time.Hour), AuthTime: now.Add(-4 * time.Hour)}
	byRule := map[string]Outcome{}
	for _, o := range ValidateEach(&tok, want, now) {
		byRule[o.Rule] = o
	}
	for rule, sentinel := range map[string]error{"aud": ErrInvalidAudience, "exp": ErrExpired, "iat": ErrInvalidIssuedAt} {
		if !errors.Is(byRule[rule].Err, sentinel) {
			t.Errorf("%s: %v, want %v", rule, byRule[rule].Err, sentinel)
		}
	}
	for _, rule := range []string{"iss", "sub", "auth_time"} {
		if byRule[rule].Err != nil {
			t.Errorf("%s: %v, want a pass", rule, byRule[rule].Err)
		}
	}
	if !byRule["auth_time"].Partial || byRule["sub"].Partial {
		t.Errorf("auth_time partial %v (want true: iat is missing), sub partial %v", byRule["auth_time"].Partial, byRule["sub"].Partial)
	}
	if _, ok := byRule["firebase.tenant"]; ok {
		t.Error("a tenant rule without tenants configured")
	}
}

// TestValidateAppCheckEachFollowsValidateAppCheck is the grid test for
// App Check tokens.
func TestValidateAppCheckEachFollowsValidateAppCheck(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	times := []time.Time{{}, now.Add(-2 * time.Hour), now, now.Add(30 * time.Second), now.Add(2 * time.Minute), now.Add(time.Hour)}
	want := AppCheckExpected{ProjectNumber: "123456789012", ProjectID: "p-one", Leeway: time.Minute}
	bases := []AppCheckToken{
		{AppID: "1:123456789012:web:abc", Issuer: AppCheckIssuerPrefix + "123456789012", Audience: []string{"projects/123456789012"}},
		{AppID: "", Issuer: AppCheckIssuerPrefix + "999", Audience: []string{"projects/p-two"}},
		{AppID: "app", Issuer: AppCheckIssuerPrefix + "999", Audience: []string{"projects/p-one"}},
	}
	accepted, n := 0, 0
	for _, base := range bases {
		for _, exp := range times {
			for _, iat := range times {
				tok := base
				tok.Expires, tok.IssuedAt = exp, iat
				got := firstFailure(ValidateAppCheckEach(&tok, want, now))
				err := ValidateAppCheck(&tok, want, now)
				n++
				if err == nil {
					accepted++
				}
				if (got == nil) != (err == nil) || got != nil && got.Error() != err.Error() {
					t.Fatalf("%+v: ValidateAppCheckEach's first failure %v, ValidateAppCheck %v", tok, got, err)
				}
			}
		}
	}
	if accepted == 0 || accepted == n {
		t.Fatalf("%d of %d accepted", accepted, n)
	}
}
