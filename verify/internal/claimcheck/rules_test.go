package claimcheck_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/claims"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func validToken() *claims.Token {
	return &claims.Token{
		UID:      "u1",
		Audience: "p",
		Issuer:   claimcheck.IDTokenIssuerPrefix + "p",
		IssuedAt: now.Add(-time.Minute),
		AuthTime: now.Add(-time.Minute),
		Expires:  now.Add(59 * time.Minute),
	}
}

var expected = claimcheck.Expected{
	ProjectIDs:   []string{"p"},
	IssuerPrefix: claimcheck.IDTokenIssuerPrefix,
	Leeway:       time.Minute,
	MaxLifetime:  time.Hour,
}

func TestValidateEachRule(t *testing.T) {
	cases := []struct {
		name   string
		change func(*claims.Token)
		want   claimcheck.Expected
		err    error
		claim  string
	}{
		{"valid", func(*claims.Token) {}, expected, nil, ""},
		{"other audience", func(t *claims.Token) { t.Audience = "q" }, expected, claimcheck.ErrInvalidAudience, "aud"},
		{"no audience", func(t *claims.Token) { t.Audience = "" }, expected, claimcheck.ErrInvalidAudience, "aud"},
		{"issuer of the other kind", func(t *claims.Token) { t.Issuer = claimcheck.SessionCookieIssuerPrefix + "p" }, expected, claimcheck.ErrInvalidIssuer, "iss"},
		{"issuer with a trailing slash", func(t *claims.Token) { t.Issuer += "/" }, expected, claimcheck.ErrInvalidIssuer, "iss"},
		{"empty uid", func(t *claims.Token) { t.UID = "" }, expected, claimcheck.ErrInvalidSubject, "sub"},
		{"uid of 128 bytes", func(t *claims.Token) { t.UID = strings.Repeat("é", 64) }, expected, nil, ""},
		{"uid of 129 bytes", func(t *claims.Token) { t.UID = strings.Repeat("a", 129) }, expected, claimcheck.ErrInvalidSubject, "sub"},
		{"no exp", func(t *claims.Token) { t.Expires = time.Time{} }, expected, claimcheck.ErrInvalidExpiry, "exp"},
		{"no iat", func(t *claims.Token) { t.IssuedAt = time.Time{} }, expected, claimcheck.ErrInvalidIssuedAt, "iat"},
		{"no auth_time", func(t *claims.Token) { t.AuthTime = time.Time{} }, expected, claimcheck.ErrInvalidAuthTime, "auth_time"},
		{"expired within the leeway", func(t *claims.Token) { t.Expires = now.Add(-59 * time.Second) }, expected, nil, ""},
		{"expired at the leeway", func(t *claims.Token) { t.Expires = now.Add(-time.Minute) }, expected, claimcheck.ErrExpired, "exp"},
		{"iat at the leeway", func(t *claims.Token) { t.IssuedAt = now.Add(time.Minute) }, expected, nil, ""},
		{"iat past the leeway", func(t *claims.Token) { t.IssuedAt = now.Add(time.Minute + time.Second) }, expected, claimcheck.ErrIssuedInFuture, "iat"},
		{"auth_time past the leeway", func(t *claims.Token) { t.AuthTime = now.Add(time.Minute + time.Second) }, expected, claimcheck.ErrAuthTimeInFuture, "auth_time"},
		{"lifetime over the limit", func(t *claims.Token) { t.Expires = t.IssuedAt.Add(time.Hour + time.Second) }, expected, claimcheck.ErrInvalidExpiry, "exp"},
		{"no tenant where one is required", func(*claims.Token) {}, withTenants("a"), claimcheck.ErrInvalidTenant, "firebase.tenant"},
		{"other tenant", func(t *claims.Token) { t.Firebase.Tenant = "b" }, withTenants("a"), claimcheck.ErrInvalidTenant, "firebase.tenant"},
		{"one of the tenants", func(t *claims.Token) { t.Firebase.Tenant = "b" }, withTenants("a", "b"), nil, ""},
		{"second project", func(t *claims.Token) { t.Audience, t.Issuer = "q", claimcheck.IDTokenIssuerPrefix+"q" }, withProjects("p", "q"), nil, ""},
		{"second project's aud with first's iss", func(t *claims.Token) { t.Audience = "q" }, withProjects("p", "q"), claimcheck.ErrInvalidIssuer, "iss"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := validToken()
			c.change(tok)
			err := claimcheck.Validate(tok, c.want, now)
			if c.err == nil {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			var ve *claims.ValidationError
			if !errors.As(err, &ve) || ve.Claim != c.claim {
				t.Fatalf("err = %#v, want a ValidationError on %q", err, c.claim)
			}
		})
	}
}

// TestValidateTightRules breaks each of the rules that share a sentinel
// with another alone, and tells them apart by what the error expected.
func TestValidateTightRules(t *testing.T) {
	cases := []struct {
		name     string
		change   func(*claims.Token)
		err      error // nil: accepted
		claim    string
		expected string // a part of ValidationError.Expected
	}{
		{"exp equal to iat", func(t *claims.Token) { t.IssuedAt, t.Expires = now.Add(30*time.Second), now.Add(30*time.Second) },
			claimcheck.ErrInvalidExpiry, "exp", "a time after iat (2026-11-25T12:00:30Z)"},
		{"exp before iat", func(t *claims.Token) { t.IssuedAt, t.Expires = now.Add(40*time.Second), now.Add(30*time.Second) },
			claimcheck.ErrInvalidExpiry, "exp", "a time after iat (2026-11-25T12:00:40Z)"},
		{"exp a second after iat", func(t *claims.Token) { t.IssuedAt, t.Expires = now.Add(30*time.Second), now.Add(31*time.Second) },
			nil, "", ""},
		{"lifetime over the limit", func(t *claims.Token) { t.Expires = t.IssuedAt.Add(time.Hour + time.Second) },
			claimcheck.ErrInvalidExpiry, "exp", "at most 1h0m0s after iat"},
		{"auth_time after iat beyond the leeway", func(t *claims.Token) {
			t.IssuedAt, t.AuthTime, t.Expires = now.Add(-10*time.Minute), now.Add(-5*time.Minute), now.Add(40*time.Minute)
		},
			claimcheck.ErrInvalidAuthTime, "auth_time", "a time before iat (2026-11-25T11:50:00Z, with leeway)"},
		{"auth_time after iat by a second more than the leeway", func(t *claims.Token) {
			t.IssuedAt, t.AuthTime, t.Expires = now.Add(-10*time.Minute), now.Add(-9*time.Minute+time.Second), now.Add(40*time.Minute)
		}, claimcheck.ErrInvalidAuthTime, "auth_time", "a time before iat"},
		{"auth_time after iat by the leeway", func(t *claims.Token) {
			t.IssuedAt, t.AuthTime, t.Expires = now.Add(-10*time.Minute), now.Add(-9*time.Minute), now.Add(40*time.Minute)
		},
			nil, "", ""},
		{"auth_time long before iat", func(t *claims.Token) { t.AuthTime = now.Add(-300 * 24 * time.Hour) }, nil, "", ""},
		{"uid with a NUL", func(t *claims.Token) { t.UID = "u\x001" }, claimcheck.ErrInvalidSubject, "sub", "no control characters"},
		{"uid with a newline", func(t *claims.Token) { t.UID = "u1\nadmin logged in" }, claimcheck.ErrInvalidSubject, "sub", "no control characters"},
		{"uid with a tab", func(t *claims.Token) { t.UID = "u\t1" }, claimcheck.ErrInvalidSubject, "sub", "no control characters"},
		{"uid with an escape", func(t *claims.Token) { t.UID = "u1\x1b[2K" }, claimcheck.ErrInvalidSubject, "sub", "no control characters"},
		{"uid with DEL", func(t *claims.Token) { t.UID = "u1\x7f" }, claimcheck.ErrInvalidSubject, "sub", "no control characters"},
		{"uid with a C1 control", func(t *claims.Token) { t.UID = "u1\u0085" }, claimcheck.ErrInvalidSubject, "sub", "no control characters"},
		{"uid with the last C1 control", func(t *claims.Token) { t.UID = "u1\u009f" }, claimcheck.ErrInvalidSubject, "sub", "no control characters"},
		{"uid with invalid UTF-8", func(t *claims.Token) { t.UID = "u1\xc0" }, claimcheck.ErrInvalidSubject, "sub", "valid UTF-8"},
		{"uid with a lone continuation byte", func(t *claims.Token) { t.UID = "\x80u1" }, claimcheck.ErrInvalidSubject, "sub", "valid UTF-8"},
		{"uid with an encoded surrogate", func(t *claims.Token) { t.UID = "u\xed\xa0\x80" }, claimcheck.ErrInvalidSubject, "sub", "valid UTF-8"},
		{"uid a space", func(t *claims.Token) { t.UID = " " }, claimcheck.ErrInvalidSubject, "sub", "not only white space"},
		{"uid only white space", func(t *claims.Token) { t.UID = " \u00a0\u3000 " }, claimcheck.ErrInvalidSubject, "sub", "not only white space"},
		{"uid with inner and outer spaces", func(t *claims.Token) { t.UID = " user 1 " }, nil, "", ""},
		{"uid with U+FFFD", func(t *claims.Token) { t.UID = "u\ufffd1" }, nil, "", ""},
		{"uid with U+00A0", func(t *claims.Token) { t.UID = "u\u00a01" }, nil, "", ""},
		{"uid of Firebase's shape", func(t *claims.Token) { t.UID = "Xk7pQ2rT9sVbW3yZ1aB4cD5eF6g2" }, nil, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := validToken()
			c.change(tok)
			err := claimcheck.Validate(tok, expected, now)
			if c.err == nil {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			var ve *claims.ValidationError
			if !errors.Is(err, c.err) || !errors.As(err, &ve) || ve.Claim != c.claim || !strings.Contains(ve.Expected, c.expected) {
				t.Fatalf("err = %v, want %v on %q expecting %q", err, c.err, c.claim, c.expected)
			}
		})
	}
}

func withTenants(ids ...string) claimcheck.Expected {
	e := expected
	e.Tenants = ids
	return e
}

func withProjects(ids ...string) claimcheck.Expected {
	e := expected
	e.ProjectIDs = ids
	return e
}

func TestValidationErrorSaysExpectedAndFound(t *testing.T) {
	tok := validToken()
	tok.Audience = "other"
	err := claimcheck.Validate(tok, expected, now)
	msg := err.Error()
	for _, want := range []string{"verify: wrong audience: aud", `expected "p"`, `found "other"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestParseTypesAndStrictness(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		err     error
	}{
		{"typed claims", `{"sub":"u","aud":"p","iss":"i","iat":1,"exp":2,"auth_time":1,"email":"a@b.c","email_verified":true,"firebase":{"sign_in_provider":"password","identities":{"email":["a@b.c"]},"tenant":"t"}}`, nil},
		{"custom claims kept", `{"sub":"u","roles":{"Name":"x","Sub":"y"},"n":[1,{"a":1}]}`, nil},
		{"custom claim keys equal but for case", `{"roles":{"Name":"x","name":"y"}}`, claimcheck.ErrMalformed},
		{"aud an array", `{"aud":["p"]}`, claimcheck.ErrInvalidAudience},
		{"aud a number", `{"aud":5}`, claimcheck.ErrInvalidAudience},
		{"iss an object", `{"iss":{}}`, claimcheck.ErrInvalidIssuer},
		{"sub a number", `{"sub":5}`, claimcheck.ErrInvalidSubject},
		{"exp a string", `{"exp":"2"}`, claimcheck.ErrInvalidExpiry},
		{"exp a fraction", `{"exp":2.5}`, claimcheck.ErrInvalidExpiry},
		{"exp an exponent", `{"exp":2e9}`, claimcheck.ErrInvalidExpiry},
		{"iat a bool", `{"iat":true}`, claimcheck.ErrInvalidIssuedAt},
		{"auth_time huge", `{"auth_time":1e300}`, claimcheck.ErrInvalidAuthTime},
		{"auth_time beyond float64", `{"auth_time":1e400}`, claimcheck.ErrMalformed},
		{"tenant a number", `{"firebase":{"tenant":1}}`, claimcheck.ErrInvalidTenant},
		{"email_verified a string", `{"email_verified":"true"}`, claimcheck.ErrMalformed},
		{"identities a list", `{"firebase":{"identities":["a"]}}`, claimcheck.ErrMalformed},
		{"duplicate aud", `{"aud":"p","aud":"q"}`, claimcheck.ErrMalformed},
		{"duplicate by case", `{"aud":"p","AUD":"q"}`, claimcheck.ErrMalformed},
		{"lone case variant", `{"AUD":"q"}`, claimcheck.ErrMalformed},
		{"Unicode fold of sub", `{"ſub":"admin"}`, claimcheck.ErrMalformed},
		{"duplicate by escape", `{"aud":"p","a\u0075d":"q"}`, claimcheck.ErrMalformed},
		{"duplicate inside firebase", `{"firebase":{"tenant":"a","tenant":"b"}}`, claimcheck.ErrMalformed},
		{"duplicate in a custom claim", `{"x":{"k":1,"k":2}}`, claimcheck.ErrMalformed},
		{"array", `["sub"]`, claimcheck.ErrMalformed},
		{"trailing data", `{"sub":"u"} {}`, claimcheck.ErrMalformed},
		{"invalid UTF-8", "{\"sub\":\"\xff\"}", claimcheck.ErrMalformed},
		{"too deep", `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, claimcheck.ErrMalformed},
		{"bad literal", `{"sub":tru}`, claimcheck.ErrMalformed},
		{"empty", ``, claimcheck.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := claimcheck.Parse([]byte(c.payload))
			if c.err == nil && err != nil {
				t.Fatalf("err = %v, want nil", err)
			}
			if c.err != nil && !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
		})
	}
}

func TestParseFillsTheToken(t *testing.T) {
	tok, err := claimcheck.Parse([]byte(`{"sub":"u","aud":"p","iss":"i","iat":1700000000,"exp":1700003600,"auth_time":1699990000,` +
		`"email":"a@b.c","email_verified":true,"phone_number":"+15555550100","name":"Ada","picture":"https://x/y.png",` +
		`"firebase":{"sign_in_provider":"phone","identities":{"phone":["+15555550100"]},"tenant":"t","sign_in_second_factor":"phone","second_factor_identifier":"f"},"admin":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if tok.UID != "u" || tok.Audience != "p" || tok.Issuer != "i" || tok.Email != "a@b.c" || !tok.EmailVerified ||
		tok.PhoneNumber != "+15555550100" || tok.Name != "Ada" || tok.Picture != "https://x/y.png" ||
		tok.Firebase.SignInProvider != "phone" || tok.Identities()["phone"][0] != "+15555550100" ||
		tok.Firebase.Tenant != "t" || tok.Firebase.SignInSecondFactor != "phone" || tok.Firebase.SecondFactorIdentifier != "f" {
		t.Fatalf("token = %+v", tok)
	}
	if !tok.IssuedAt.Equal(time.Unix(1700000000, 0)) || !tok.Expires.Equal(time.Unix(1700003600, 0)) || !tok.AuthTime.Equal(time.Unix(1699990000, 0)) {
		t.Fatalf("times = %v %v %v", tok.IssuedAt, tok.Expires, tok.AuthTime)
	}
	m, err := tok.Map()
	if err != nil || m["admin"] != true {
		t.Fatalf("Map() = %v, %v", m, err)
	}
}

func TestParseHeader(t *testing.T) {
	cases := []struct {
		name   string
		header string
		err    error
	}{
		{"typical", `{"alg":"RS256","kid":"k","typ":"JWT"}`, nil},
		{"alg a number", `{"alg":256,"kid":"k"}`, claimcheck.ErrUnsupportedAlgorithm},
		{"kid a number", `{"alg":"RS256","kid":1}`, claimcheck.ErrInvalidKeyID},
		{"alg twice", `{"alg":"none","alg":"RS256","kid":"k"}`, claimcheck.ErrMalformed},
		{"ALG variant", `{"ALG":"none","alg":"RS256","kid":"k"}`, claimcheck.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := claimcheck.ParseHeader([]byte(c.header))
			if (c.err == nil) != (err == nil) || (c.err != nil && !errors.Is(err, c.err)) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
		})
	}
	for _, alg := range []string{"none", "None", "NONE", "rs256", "HS256", ""} {
		if err := claimcheck.CheckAlgorithm(claims.Header{Algorithm: alg, KeyID: "k"}, false); !errors.Is(err, claimcheck.ErrUnsupportedAlgorithm) {
			t.Errorf("alg %q accepted", alg)
		}
	}
	if err := claimcheck.CheckAlgorithm(claims.Header{Algorithm: "none"}, true); err != nil {
		t.Errorf("alg none refused in emulator mode: %v", err)
	}
	if err := claimcheck.CheckHeader(claims.Header{Algorithm: "RS256", Critical: true, KeyID: "k"}); !errors.Is(err, claimcheck.ErrCriticalHeader) {
		t.Errorf("crit accepted: %v", err)
	}
}
