package claimcheck

import "time"

// Outcome is what one claim rule made of a token, for a report that shows
// every rule rather than the first failure (see ValidateEach).
type Outcome struct {
	// Rule names the rule by its claim: "aud", "iss", "sub", "exp", "iat",
	// "auth_time" or "firebase.tenant".
	Rule string
	// Step is the place, in Validate's order, of the check that failed
	// (or, for a rule that passed, of its first check): of the rules that
	// failed, the one with the lowest Step is the error Validate returns.
	Step int
	// Err is the rule's first failure, as Validate returns it; nil when
	// the rule passed.
	Err error
	// Partial reports that some checks of a rule that passed were not
	// made, because a claim they compare with is missing (the lifetime
	// needs iat, for example); that claim's own rule fails.
	Partial bool
}

// Claims a time step needs, as bits.
const (
	needExp = 1 << iota
	needIat
	needAuthTime
)

// timeStep is one check of CheckTimes.
type timeStep struct {
	rule  string
	needs int // the claims that must be present for the check to apply
	check func(t *Token, now time.Time, want Expected) error
}

// timeSteps are the checks of CheckTimes, in its order: each calls the
// same function CheckTimes calls, so a report and a verification cannot
// disagree on what a rule means. TestTimeStepsFollowCheckTimes keeps the
// order honest.
var timeSteps = []timeStep{
	{"exp", 0, func(t *Token, _ time.Time, _ Expected) error {
		return checkPresent(t.Expires, "exp", ErrInvalidExpiry)
	}},
	{"iat", 0, func(t *Token, _ time.Time, _ Expected) error {
		return checkPresent(t.IssuedAt, "iat", ErrInvalidIssuedAt)
	}},
	{"auth_time", 0, func(t *Token, _ time.Time, _ Expected) error {
		return checkAuthTimePresent(t.AuthTime)
	}},
	{"exp", needExp, func(t *Token, now time.Time, want Expected) error {
		return checkNotExpired(t.Expires, now, want.Leeway, idTokenExpiredHint)
	}},
	{"iat", needIat, func(t *Token, now time.Time, want Expected) error {
		return checkIssuedAtPast(t.IssuedAt, now, want.Leeway)
	}},
	{"auth_time", needAuthTime, func(t *Token, now time.Time, want Expected) error {
		return checkAuthTimePast(t.AuthTime, now, want.Leeway)
	}},
	{"exp", needExp | needIat, func(t *Token, _ time.Time, _ Expected) error {
		return checkExpAfterIat(t.Expires, t.IssuedAt)
	}},
	{"exp", needExp | needIat, func(t *Token, _ time.Time, want Expected) error {
		return checkLifetime(t.Expires, t.IssuedAt, want.MaxLifetime)
	}},
	{"auth_time", needAuthTime | needIat, func(t *Token, _ time.Time, want Expected) error {
		return checkAuthTimeBeforeIat(t.AuthTime, t.IssuedAt, want.Leeway)
	}},
}

// ValidateEach applies every claim rule to t at time now, as Validate
// does, but goes on past a failure: it returns one Outcome per rule, in
// Validate's order (firebase.tenant only when want.Tenants is set). The
// failure with the lowest Step is the error Validate returns, and none
// fails exactly when Validate returns nil.
func ValidateEach(t *Token, want Expected, now time.Time) []Outcome {
	out := []Outcome{
		{Rule: "aud", Step: 1, Err: CheckAudience(t, want.ProjectIDs)},
		{Rule: "iss", Step: 2, Err: CheckIssuer(t, want.IssuerPrefix)},
		{Rule: "sub", Step: 3, Err: CheckSubject(t)},
	}
	present := 0
	for bit, at := range map[int]time.Time{needExp: t.Expires, needIat: t.IssuedAt, needAuthTime: t.AuthTime} {
		if !at.IsZero() {
			present |= bit
		}
	}
	byRule := map[string]int{}
	for i, s := range timeSteps {
		step := 4 + i
		at, seen := byRule[s.rule]
		if !seen {
			at = len(out)
			byRule[s.rule] = at
			out = append(out, Outcome{Rule: s.rule, Step: step})
		}
		o := &out[at]
		switch {
		case o.Err != nil:
			continue // the rule's first failure is the one reported
		case s.needs&present != s.needs:
			o.Partial = true
			continue
		}
		if err := s.check(t, now, want); err != nil {
			o.Err, o.Step, o.Partial = err, step, false
		}
	}
	if len(want.Tenants) > 0 {
		out = append(out, Outcome{Rule: "firebase.tenant", Step: 4 + len(timeSteps), Err: CheckTenant(t, want.Tenants)})
	}
	return out
}

// ValidateAppCheckEach is ValidateEach for App Check tokens: one Outcome
// per rule of ValidateAppCheck ("aud", "iss", "sub", "exp", "iat"), in
// its order, the failure with the lowest Step being the error
// ValidateAppCheck returns.
func ValidateAppCheckEach(t *AppCheckToken, want AppCheckExpected, now time.Time) []Outcome {
	out := []Outcome{
		{Rule: "aud", Step: 1, Err: checkAppCheckAudience(t, want)},
		{Rule: "iss", Step: 2, Err: checkAppCheckIssuer(t, want)},
		{Rule: "sub", Step: 3, Err: checkAppCheckSubject(t)},
		{Rule: "exp", Step: 4, Err: checkPresent(t.Expires, "exp", ErrInvalidExpiry)},
		{Rule: "iat", Step: 5, Err: checkPresent(t.IssuedAt, "iat", ErrInvalidIssuedAt)},
	}
	exp, iat := &out[3], &out[4]
	if exp.Err == nil && iat.Err == nil {
		// checkTimesAround's two checks, each on its own.
		if err := checkNotExpired(t.Expires, now, want.Leeway, appCheckExpiredHint); err != nil {
			exp.Err, exp.Step = err, 6
		}
		if err := checkIssuedAtPast(t.IssuedAt, now, want.Leeway); err != nil {
			iat.Err, iat.Step = err, 7
		}
	} else {
		exp.Partial, iat.Partial = exp.Err == nil, iat.Err == nil
	}
	return out
}
