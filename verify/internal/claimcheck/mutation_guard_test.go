package claimcheck_test

// Tests that pin the exact edge of each claim rule and of the parser's
// duplicate-key check, so that a one-edit change to the code fails a test.
// Expectations are literals, not read from the constants under test.

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/claims"
)

// guardNow is the fixed clock of these tests.
var guardNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// guardToken is a genuine ID token of my-project: auth_time <= iat < exp.
func guardToken() *claims.Token {
	return &claims.Token{
		UID:      "u1",
		Audience: "my-project",
		Issuer:   "https://securetoken.google.com/my-project",
		AuthTime: guardNow.Add(-10 * time.Minute),
		IssuedAt: guardNow.Add(-time.Minute),
		Expires:  guardNow.Add(59 * time.Minute),
	}
}

var guardExpected = claimcheck.Expected{
	ProjectIDs:   []string{"my-project"},
	IssuerPrefix: "https://securetoken.google.com/",
	Leeway:       time.Minute,
	MaxLifetime:  time.Hour,
}

func wantRule(t *testing.T, err, want error, claim string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	var ve *claims.ValidationError
	if !errors.As(err, &ve) || ve.Claim != claim {
		t.Fatalf("err = %#v, want a ValidationError on %q", err, claim)
	}
}

// TestAudienceNearMisses refuses an aud that is the project with a suffix,
// a prefix of it, or the project in another case; its iss always matches
// its own aud, so only the audience rule can refuse it.
func TestAudienceNearMisses(t *testing.T) {
	wantRule(t, claimcheck.Validate(guardToken(), guardExpected, guardNow), nil, "")
	for _, aud := range []string{"my-project-evil", "my-projectx", "my-proj", "My-Project", "MY-PROJECT", "my-project ", ""} {
		t.Run(aud, func(t *testing.T) {
			tok := guardToken()
			tok.Audience, tok.Issuer = aud, "https://securetoken.google.com/"+aud
			wantRule(t, claimcheck.Validate(tok, guardExpected, guardNow), claimcheck.ErrInvalidAudience, "aud")
			wantRule(t, claimcheck.CheckAudience(tok, []string{"other-project", "my-project"}), claimcheck.ErrInvalidAudience, "aud")
		})
	}
	// An empty accepted project never matches, not even an empty aud.
	tok := guardToken()
	tok.Audience = ""
	wantRule(t, claimcheck.CheckAudience(tok, []string{""}), claimcheck.ErrInvalidAudience, "aud")
	// Every accepted project is tried, not only the first.
	wantRule(t, claimcheck.CheckAudience(guardToken(), []string{"other-project", "my-project"}), nil, "")
}

// TestIssuerNearMisses refuses an iss that differs from the expected one
// in a single place, at the same length where possible.
func TestIssuerNearMisses(t *testing.T) {
	for _, iss := range []string{
		"https://securetoken.google.org/my-project",
		"https://securetoken.google.com/my-projecx",
		"https://securetoken.google.com/My-project",
		"http://securetoken.google.com/my-project",
		"https://securetoken.google.com/my-project/",
		"https://securetoken.google.com/my-projec",
		"https://securetoken.google.com/",
		"my-project",
		"",
	} {
		t.Run(iss, func(t *testing.T) {
			tok := guardToken()
			tok.Issuer = iss
			wantRule(t, claimcheck.CheckIssuer(tok, "https://securetoken.google.com/"), claimcheck.ErrInvalidIssuer, "iss")
		})
	}
	// An empty aud never makes the bare prefix an acceptable issuer.
	tok := guardToken()
	tok.Audience, tok.Issuer = "", "https://securetoken.google.com/"
	wantRule(t, claimcheck.CheckIssuer(tok, "https://securetoken.google.com/"), claimcheck.ErrInvalidIssuer, "iss")
	// The hints name what the token was instead.
	tok = guardToken()
	tok.Issuer = "https://session.firebase.google.com/my-project"
	err := claimcheck.CheckIssuer(tok, "https://securetoken.google.com/")
	if err == nil || !strings.Contains(err.Error(), "this is a session cookie, but an ID token was expected") {
		t.Errorf("session cookie as ID token: %v", err)
	}
	err = claimcheck.CheckIssuer(guardToken(), "https://session.firebase.google.com/")
	if err == nil || !strings.Contains(err.Error(), "this is an ID token, but a session cookie was expected") {
		t.Errorf("ID token as session cookie: %v", err)
	}
	// An issuer of neither kind gets neither of those hints.
	for _, prefix := range []string{"https://securetoken.google.com/", "https://session.firebase.google.com/"} {
		tok := guardToken()
		tok.Issuer = "https://evil.example.com/my-project"
		err := claimcheck.CheckIssuer(tok, prefix)
		if err == nil || !strings.Contains(err.Error(), "(the token was not issued by Firebase Authentication for this project)") {
			t.Errorf("foreign issuer against %s: %v", prefix, err)
		}
	}
}

// TestParseAppCheck reads a genuine App Check payload and refuses one
// that is not strict JSON or has a mistyped claim, each with its rule.
func TestParseAppCheck(t *testing.T) {
	tok, err := claimcheck.ParseAppCheck([]byte(`{"sub":"1:123:web:abc","iss":"https://firebaseappcheck.googleapis.com/123",` +
		`"aud":["projects/123","projects/my-project"],"iat":1764071940,"exp":1764075540}`))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AppID != "1:123:web:abc" || tok.Issuer != "https://firebaseappcheck.googleapis.com/123" ||
		len(tok.Audience) != 2 || tok.Audience[1] != "projects/my-project" ||
		tok.IssuedAt.Unix() != 1764071940 || tok.Expires.Unix() != 1764075540 {
		t.Fatalf("ParseAppCheck = %+v", tok)
	}
	for _, c := range []struct {
		name, payload string
		err           error
		claim         string
	}{
		{"duplicate sub", `{"sub":"a","sub":"b"}`, claimcheck.ErrMalformed, "payload"},
		{"trailing data", `{"sub":"a"} {}`, claimcheck.ErrMalformed, "payload"},
		{"aud a string", `{"sub":"a","aud":"projects/123"}`, claimcheck.ErrInvalidAudience, "aud"},
		{"iss a number", `{"sub":"a","iss":5}`, claimcheck.ErrInvalidIssuer, "iss"},
		{"exp a string", `{"sub":"a","exp":"1764075540"}`, claimcheck.ErrInvalidExpiry, "exp"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok, err := claimcheck.ParseAppCheck([]byte(c.payload))
			wantRule(t, err, c.err, c.claim)
			if tok != nil {
				t.Fatalf("a refused payload came with a token: %+v", tok)
			}
		})
	}
	wantRule(t, claimcheck.CheckAppCheckHeader(claims.Header{Algorithm: "RS256", KeyID: "k", Type: "JWT"}), nil, "")
	for _, typ := range []string{"", "jwt", "JWS", "JWT "} {
		wantRule(t, claimcheck.CheckAppCheckHeader(claims.Header{Algorithm: "RS256", KeyID: "k", Type: typ}), claimcheck.ErrInvalidType, "typ")
	}
}

// TestTimeEdges pins each time rule to the second, with a one-minute leeway.
func TestTimeEdges(t *testing.T) {
	cases := []struct {
		name   string
		change func(*claims.Token)
		err    error
		claim  string
	}{
		{"exp one second inside the leeway", func(t *claims.Token) { t.Expires = guardNow.Add(-59 * time.Second) }, nil, ""},
		{"exp at the leeway", func(t *claims.Token) { t.Expires = guardNow.Add(-60 * time.Second) }, claimcheck.ErrExpired, "exp"},
		{"iat at the leeway", func(t *claims.Token) {
			t.IssuedAt, t.Expires = guardNow.Add(60*time.Second), guardNow.Add(61*time.Minute)
		}, nil, ""},
		{"iat one second past the leeway", func(t *claims.Token) {
			t.IssuedAt, t.Expires = guardNow.Add(61*time.Second), guardNow.Add(61*time.Minute)
		}, claimcheck.ErrIssuedInFuture, "iat"},
		{"lifetime of exactly one hour", func(t *claims.Token) { t.Expires = t.IssuedAt.Add(time.Hour) }, nil, ""},
		{"lifetime one second over", func(t *claims.Token) { t.Expires = t.IssuedAt.Add(time.Hour + time.Second) }, claimcheck.ErrInvalidExpiry, "exp"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := guardToken()
			c.change(tok)
			wantRule(t, claimcheck.Validate(tok, guardExpected, guardNow), c.err, c.claim)
		})
	}
	// Without a lifetime bound, a long one is accepted.
	tok := guardToken()
	tok.Expires = tok.IssuedAt.Add(14 * 24 * time.Hour)
	wantRule(t, claimcheck.CheckTimes(tok, guardNow, time.Minute, 0), nil, "")
	wantRule(t, claimcheck.CheckTimes(tok, guardNow, time.Minute, 14*24*time.Hour), nil, "")
	tok.Expires = tok.Expires.Add(time.Second)
	wantRule(t, claimcheck.CheckTimes(tok, guardNow, time.Minute, 14*24*time.Hour), claimcheck.ErrInvalidExpiry, "exp")
}

// TestTenantEdges: an empty accepted tenant never matches, and every
// accepted tenant is tried.
func TestTenantEdges(t *testing.T) {
	tok := guardToken()
	wantRule(t, claimcheck.CheckTenant(tok, []string{""}), claimcheck.ErrInvalidTenant, "firebase.tenant")
	tok.Firebase.Tenant = "tenant-2"
	wantRule(t, claimcheck.CheckTenant(tok, []string{"tenant-1", "tenant-2"}), nil, "")
	wantRule(t, claimcheck.CheckTenant(tok, []string{"tenant-1", "Tenant-2", "tenant-22"}), claimcheck.ErrInvalidTenant, "firebase.tenant")
	wantRule(t, claimcheck.CheckTenant(tok, nil), nil, "")
}

// customClaims returns n custom claims c1..cn as JSON members, each with a
// leading comma.
func customClaims(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `,"c%d":%d`, i, i)
	}
	return b.String()
}

// TestDuplicateKeyAfterTheEighthCustomClaim refuses a repeated key however
// many custom claims come before it: the parser keeps its first eight
// custom keys apart from the rest, and both must be searched.
func TestDuplicateKeyAfterTheEighthCustomClaim(t *testing.T) {
	head := `{"iss":"https://securetoken.google.com/my-project","aud":"my-project","sub":"u1","iat":1764071940,"auth_time":1764071400,"exp":1764075540`
	for _, members := range []string{customClaims(20), customClaims(8) + `,"":0`, `,"":0` + customClaims(9)} {
		if _, err := claimcheck.Parse([]byte(head + members + `}`)); err != nil {
			t.Fatalf("distinct custom claims %s: %v", members, err)
		}
	}
	cases := []struct{ name, members string }{
		{"ninth repeats the first", customClaims(8) + `,"c1":0`},
		{"ninth repeats the eighth", customClaims(8) + `,"c8":0`},
		{"tenth repeats the ninth", customClaims(9) + `,"c9":0`},
		{"twentieth repeats the fifteenth", customClaims(19) + `,"c15":0`},
		{"escaped repeat of the first after eight", customClaims(8) + `,"c\u0031":0`},
		{"escaped repeat of the ninth", customClaims(12) + `,"\u00639":0`},
		{"aud again after eight", customClaims(8) + `,"aud":"my-project"`},
		{"AUD after eight", customClaims(8) + `,"AUD":"my-project"`},
		{"sub again after twenty", customClaims(20) + `,"sub":"u2"`},
		{"empty key twice around the eighth", `,"":0` + customClaims(9) + `,"":1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := claimcheck.Parse([]byte(head + c.members + `}`))
			wantRule(t, err, claimcheck.ErrMalformed, "payload")
		})
	}
	// The same inside a nested object of custom claims.
	nested := head + `,"roles":{` + strings.TrimPrefix(customClaims(10), ",") + `,"c10":0}}`
	_, err := claimcheck.Parse([]byte(nested))
	wantRule(t, err, claimcheck.ErrMalformed, "payload")
	nestedOK := head + `,"roles":{` + strings.TrimPrefix(customClaims(10), ",") + `}}`
	if _, err := claimcheck.Parse([]byte(nestedOK)); err != nil {
		t.Fatalf("nested object of ten distinct keys: %v", err)
	}
}

// TestAppCheckEdges pins the App Check rules: aud must contain an exact
// projects/<number> or projects/<id>, iss must be the exact issuer.
func TestAppCheckEdges(t *testing.T) {
	want := claimcheck.AppCheckExpected{ProjectNumber: "123456789012", ProjectID: "my-project", Leeway: time.Minute}
	valid := func() *claims.AppCheckToken {
		return &claims.AppCheckToken{
			AppID:    "1:123456789012:web:abc",
			Issuer:   "https://firebaseappcheck.googleapis.com/123456789012",
			Audience: []string{"projects/123456789012", "projects/my-project"},
			IssuedAt: guardNow.Add(-time.Minute),
			Expires:  guardNow.Add(59 * time.Minute),
		}
	}
	wantRule(t, claimcheck.ValidateAppCheck(valid(), want, guardNow), nil, "")
	byID := valid()
	byID.Audience = []string{"projects/my-project"}
	wantRule(t, claimcheck.ValidateAppCheck(byID, want, guardNow), nil, "")
	for _, aud := range [][]string{
		{"projects/12345678901"}, {"projects/1234567890123"}, {"projects/my-project-evil"},
		{"projects/My-Project"}, {"123456789012"}, {"my-project"}, {},
	} {
		tok := valid()
		tok.Audience = aud
		wantRule(t, claimcheck.ValidateAppCheck(tok, want, guardNow), claimcheck.ErrInvalidAudience, "aud")
	}
	noID := want
	noID.ProjectID = ""
	tok := valid()
	tok.Audience = []string{"projects/"}
	wantRule(t, claimcheck.ValidateAppCheck(tok, noID, guardNow), claimcheck.ErrInvalidAudience, "aud")
	for _, iss := range []string{
		"https://firebaseappcheck.googleapis.org/123456789012",
		"https://firebaseappcheck.googleapis.com/12345678901",
		"https://firebaseappcheck.googleapis.com/my-project",
		"https://firebaseappcheck.googleapis.com/123456789012/",
	} {
		tok := valid()
		tok.Issuer = iss
		wantRule(t, claimcheck.ValidateAppCheck(tok, want, guardNow), claimcheck.ErrInvalidIssuer, "iss")
	}
	edges := []struct {
		name   string
		change func(*claims.AppCheckToken)
		err    error
		claim  string
	}{
		{"exp inside the leeway", func(t *claims.AppCheckToken) { t.Expires = guardNow.Add(-59 * time.Second) }, nil, ""},
		{"exp at the leeway", func(t *claims.AppCheckToken) { t.Expires = guardNow.Add(-time.Minute) }, claimcheck.ErrExpired, "exp"},
		{"iat at the leeway", func(t *claims.AppCheckToken) { t.IssuedAt = guardNow.Add(time.Minute) }, nil, ""},
		{"iat past the leeway", func(t *claims.AppCheckToken) { t.IssuedAt = guardNow.Add(time.Minute + time.Second) }, claimcheck.ErrIssuedInFuture, "iat"},
		{"no exp", func(t *claims.AppCheckToken) { t.Expires = time.Time{} }, claimcheck.ErrInvalidExpiry, "exp"},
		{"no iat", func(t *claims.AppCheckToken) { t.IssuedAt = time.Time{} }, claimcheck.ErrInvalidIssuedAt, "iat"},
		{"no app", func(t *claims.AppCheckToken) { t.AppID = "" }, claimcheck.ErrInvalidSubject, "sub"},
	}
	for _, c := range edges {
		t.Run(c.name, func(t *testing.T) {
			tok := valid()
			c.change(tok)
			wantRule(t, claimcheck.ValidateAppCheck(tok, want, guardNow), c.err, c.claim)
		})
	}
}

// TestParseNumberAndStringEdges covers the parser's byte-level edges: a
// payload cut anywhere is refused (never a panic), a minus sign with no
// digits is not a number, a lone continuation byte is not UTF-8, and
// \u escapes decode with every hex digit in either case.
func TestParseNumberAndStringEdges(t *testing.T) {
	full := `{"iss":"https://securetoken.google.com/my-project","aud":"my-project","sub":"u1",` +
		`"iat":1764071940,"auth_time":1764071400,"exp":1764075540,"n":-12,"z":0,"f":-0.5e-3,"s":"a\u00e9b"}`
	if _, err := claimcheck.Parse([]byte(full)); err != nil {
		t.Fatalf("full payload: %v", err)
	}
	for i := 0; i < len(full); i++ {
		if _, err := claimcheck.Parse([]byte(full[:i])); !errors.Is(err, claimcheck.ErrMalformed) {
			t.Fatalf("payload cut to %q: err = %v, want ErrMalformed", full[:i], err)
		}
	}
	for _, payload := range []string{
		`{"c":-}`, `{"c":-x}`, `{"c":-,"d":1}`, `{"iat":-}`, `{"c":[-]}`, `{"c":--1}`,
		"{\"c\":\"\x80\"}", "{\"c\":\"ab\x80\"}", "{\"name\":\"\xc0\xaf\"}", "{\"c\":\"\xff\"}",
		"{\"\x80\":1}",
		`{"c":"\u00g0"}`, `{"c":"\u00"}`, `{"c":"\u`,
	} {
		if _, err := claimcheck.Parse([]byte(payload)); !errors.Is(err, claimcheck.ErrMalformed) {
			t.Errorf("Parse(%q): err = %v, want ErrMalformed", payload, err)
		}
	}
	// Each hex digit, in both cases, in a typed claim (decoded by the
	// parser itself) and in a key.
	tok, err := claimcheck.Parse([]byte(`{"name":"\u00c9\u00e9\u00Aa\u00fF\u00bB\u00Dd\u0041\u0030\u0039",` +
		`"\u0065mail":"ada@example.com","sub":"u\u0031"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Éé\u00aa\u00ff\u00bb\u00ddA09"; tok.Name != want {
		t.Errorf("name = %q, want %q", tok.Name, want)
	}
	if tok.Email != "ada@example.com" || tok.UID != "u1" {
		t.Errorf("escaped key or value: email %q, sub %q", tok.Email, tok.UID)
	}
}
