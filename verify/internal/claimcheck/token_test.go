package claimcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// referenceParse is Parse as it was before the single-pass parser: the
// structural scanner of strictjson_test.go, then encoding/json into the
// wire struct; and, as the rule that every payload must be readable into
// a map[string]any (no number beyond float64's range) says, encoding/json
// into an interface value. The parser must agree with it on every input.
func referenceParse(payload []byte) (*Token, error) {
	if err := checkStrictJSON(payload, payloadNames, firebaseNames); err != nil {
		return nil, &ValidationError{Claim: "payload", Err: ErrMalformed, Actual: err.Error()}
	}
	if err := json.Unmarshal(payload, new(any)); err != nil {
		return nil, &ValidationError{Claim: "payload", Err: ErrMalformed, Actual: err.Error()}
	}
	return parseMistyped(payload)
}

// referenceParseHeader is ParseHeader as it was, with the same rule.
func referenceParseHeader(data []byte) (Header, error) {
	if err := checkStrictJSON(data, headerNames, nil); err != nil {
		return Header{}, &ValidationError{Claim: "header", Err: ErrMalformed, Actual: err.Error()}
	}
	if err := json.Unmarshal(data, new(any)); err != nil {
		return Header{}, &ValidationError{Claim: "header", Err: ErrMalformed, Actual: err.Error()}
	}
	return parseHeaderMistyped(data)
}

// sameOutcome reports how got and want differ, or "". Malformed inputs
// must fail with ErrMalformed on the same part; every other error must be
// the same ValidationError field by field.
func sameOutcome(gotTok, wantTok any, got, want error) string {
	switch {
	case got == nil && want == nil:
		if !reflect.DeepEqual(gotTok, wantTok) {
			return fmt.Sprintf("decoded differently:\n got %#v\nwant %#v", gotTok, wantTok)
		}
		return ""
	case got == nil || want == nil:
		return fmt.Sprintf("error %v, reference error %v", got, want)
	}
	var g, w *ValidationError
	if !errors.As(got, &g) || !errors.As(want, &w) {
		return fmt.Sprintf("not ValidationErrors: %v, %v", got, want)
	}
	if errors.Is(w.Err, ErrMalformed) && (w.Claim == "payload" || w.Claim == "header") {
		if g.Err != w.Err || g.Claim != w.Claim {
			return fmt.Sprintf("error %v, reference error %v", got, want)
		}
		return ""
	}
	if *g != *w {
		return fmt.Sprintf("error %#v, reference error %#v", *g, *w)
	}
	return ""
}

func checkPayload(t *testing.T, payload string) {
	t.Helper()
	got, err := Parse([]byte(payload))
	want, werr := referenceParse([]byte(payload))
	got, want = normalized(got), normalized(want)
	if d := sameOutcome(got, want, err, werr); d != "" {
		t.Errorf("Parse(%q): %s", payload, d)
	}
}

// normalized returns t for comparison: both parsers keep the payload as
// given, so nothing needs rewriting.
func normalized(t *Token) *Token {
	return t
}

func checkHeader(t *testing.T, header string) {
	t.Helper()
	got, err := ParseHeader([]byte(header))
	want, werr := referenceParseHeader([]byte(header))
	if d := sameOutcome(got, want, err, werr); d != "" {
		t.Errorf("ParseHeader(%q): %s", header, d)
	}
}

const typicalPayload = `{"name":"Ada Lovelace","picture":"https://example.com/ada.png",` +
	`"iss":"https://securetoken.google.com/p-1","aud":"p-1","auth_time":1764070000,` +
	`"user_id":"uid-1","sub":"uid-1","iat":1764070000,"exp":1764073600,` +
	`"email":"ada@example.com","email_verified":true,` +
	`"firebase":{"identities":{"email":["ada@example.com"],"google.com":["1234"]},"sign_in_provider":"password","tenant":"t-1"}}`

func TestParseTypicalPayload(t *testing.T) {
	tok, err := Parse([]byte(typicalPayload))
	if err != nil {
		t.Fatal(err)
	}
	want := Token{
		UID: "uid-1", Audience: "p-1", Issuer: "https://securetoken.google.com/p-1",
		IssuedAt: time.Unix(1764070000, 0).UTC(), Expires: time.Unix(1764073600, 0).UTC(),
		AuthTime: time.Unix(1764070000, 0).UTC(), Email: "ada@example.com", EmailVerified: true,
		Name: "Ada Lovelace", Picture: "https://example.com/ada.png",
		Firebase: Firebase{SignInProvider: "password", Tenant: "t-1"},
		Payload:  typicalPayload,
	}
	if !reflect.DeepEqual(*tok, want) {
		t.Errorf("Parse = %#v\nwant %#v", *tok, want)
	}
	wantIDs := map[string][]string{"email": {"ada@example.com"}, "google.com": {"1234"}}
	if got := tok.Identities(); !reflect.DeepEqual(got, wantIDs) {
		t.Errorf("Identities() = %v, want %v", got, wantIDs)
	}
	checkPayload(t, typicalPayload)
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		claim   string
		err     error
	}{
		{"empty", ``, "payload", ErrMalformed},
		{"array", `[]`, "payload", ErrMalformed},
		{"string", `"x"`, "payload", ErrMalformed},
		{"trailing data", `{} {}`, "payload", ErrMalformed},
		{"trailing comma", `{"sub":"u",}`, "payload", ErrMalformed},
		{"missing colon", `{"sub" "u"}`, "payload", ErrMalformed},
		{"unterminated", `{"sub":"u"`, "payload", ErrMalformed},
		{"unterminated string", `{"sub":"u}`, "payload", ErrMalformed},
		{"single quotes", `{'sub':'u'}`, "payload", ErrMalformed},
		{"bare word", `{"x":nul}`, "payload", ErrMalformed},
		{"literal prefix", `{"x":truex}`, "payload", ErrMalformed},
		{"leading zero", `{"x":01}`, "payload", ErrMalformed},
		{"plus sign", `{"x":+1}`, "payload", ErrMalformed},
		{"bare dot", `{"x":1.}`, "payload", ErrMalformed},
		{"bare exponent", `{"x":1e}`, "payload", ErrMalformed},
		{"hex number", `{"x":0x10}`, "payload", ErrMalformed},
		{"NaN", `{"x":NaN}`, "payload", ErrMalformed},
		{"control character", "{\"x\":\"a\tb\"}", "payload", ErrMalformed},
		{"bad escape", `{"x":"\q"}`, "payload", ErrMalformed},
		{"short unicode escape", `{"x":"\u12"}`, "payload", ErrMalformed},
		{"bad unicode escape", `{"x":"\u12g4"}`, "payload", ErrMalformed},
		{"invalid UTF-8", "{\"x\":\"\xff\"}", "payload", ErrMalformed},
		{"encoded surrogate", "{\"x\":\"\xed\xa0\x80\"}", "payload", ErrMalformed},
		{"invalid UTF-8 in key", "{\"\xc3\":1}", "payload", ErrMalformed},
		{"duplicate aud", `{"aud":"a","aud":"b"}`, "payload", ErrMalformed},
		{"case-folded duplicate", `{"aud":"a","AUD":"b"}`, "payload", ErrMalformed},
		{"misspelled sub", `{"SUB":"a"}`, "payload", ErrMalformed},
		{"long s folds to sub", `{"ſub":"a"}`, "payload", ErrMalformed},
		{"kelvin sign folds to k", "{\"k\":1,\"\u212a\":2}", "payload", ErrMalformed},
		{"escaped kelvin sign", `{"k":1,"\u212a":2}`, "payload", ErrMalformed},
		{"escaped duplicate", `{"sub":"a","\u0073ub":"b"}`, "payload", ErrMalformed},
		{"duplicate in firebase", `{"firebase":{"tenant":"a","Tenant":"b"}}`, "payload", ErrMalformed},
		{"duplicate in a custom claim", `{"c":{"x":1,"X":2}}`, "payload", ErrMalformed},
		{"too deep", `{"x":` + strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth) + `}`, "payload", ErrMalformed},
		{"sub not a string", `{"sub":1}`, "sub", ErrInvalidSubject},
		{"aud an array", `{"aud":["a","b"]}`, "aud", ErrInvalidAudience},
		{"iss a bool", `{"iss":true}`, "iss", ErrInvalidIssuer},
		{"exp a fraction", `{"exp":1.5}`, "exp", ErrInvalidExpiry},
		{"exp an exponent", `{"exp":1e9}`, "exp", ErrInvalidExpiry},
		{"exp too large", `{"exp":99999999999999999999}`, "exp", ErrInvalidExpiry},
		{"exp a string", `{"exp":"1"}`, "exp", ErrInvalidExpiry},
		{"iat a fraction", `{"iat":1.0}`, "iat", ErrInvalidIssuedAt},
		{"auth_time an object", `{"auth_time":{}}`, "auth_time", ErrInvalidAuthTime},
		{"tenant a number", `{"firebase":{"tenant":7}}`, "firebase.tenant", ErrInvalidTenant},
		{"firebase a string", `{"firebase":"x"}`, "firebase", ErrMalformed},
		{"identities an array", `{"firebase":{"identities":[]}}`, "firebase.identities", ErrMalformed},
		{"email_verified a string", `{"email_verified":"true"}`, "email_verified", ErrMalformed},
		{"first type error wins", `{"aud":1,"sub":2}`, "aud", ErrInvalidAudience},
		{"number beyond float64", `{"x":1e400}`, "payload", ErrMalformed},
		{"negative number beyond float64", `{"x":-1e400}`, "payload", ErrMalformed},
		{"just beyond float64", `{"x":1.7976931348623159e308}`, "payload", ErrMalformed},
		{"beyond float64 as 18e307", `{"x":18e307}`, "payload", ErrMalformed},
		{"beyond float64 with a fraction", `{"x":0.0001e313}`, "payload", ErrMalformed},
		{"400-digit integer", `{"x":` + "1" + strings.Repeat("0", 399) + `}`, "payload", ErrMalformed},
		{"309-digit integer", `{"x":` + "2" + strings.Repeat("0", 308) + `}`, "payload", ErrMalformed},
		{"huge exponent", `{"x":1e99999999999999999999999}`, "payload", ErrMalformed},
		{"beyond float64 nested", `{"c":{"d":[1,{"e":[2,3e999]}]}}`, "payload", ErrMalformed},
		{"beyond float64 in firebase", `{"firebase":{"sign_in_attributes":{"n":1e309}}}`, "payload", ErrMalformed},
		{"beyond float64 in exp", `{"exp":1e400}`, "payload", ErrMalformed},
		{"beyond float64 beats a type error", `{"aud":1,"x":1e400}`, "payload", ErrMalformed},
		{"uid a number", `{"uid":7}`, "uid", ErrInvalidSubject},
		{"uid an object", `{"sub":"a","uid":{"id":"a"}}`, "uid", ErrInvalidSubject},
		{"uid misspelled", `{"UID":"a"}`, "payload", ErrMalformed},
		{"uid twice", `{"uid":"a","uid":"b"}`, "payload", ErrMalformed},
		{"syntax beats type", `{"aud":1,"x":}`, "payload", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.payload))
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, tt.err) || ve.Claim != tt.claim {
				t.Errorf("Parse(%q) = %v, want %v on %q", tt.payload, err, tt.err, tt.claim)
			}
			checkPayload(t, tt.payload)
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		check   func(*Token) bool
	}{
		{"empty object", `{}`, func(t *Token) bool { return t.UID == "" }},
		{"white space", " \t\r\n{ \"sub\" : \"u\" } \n", func(t *Token) bool { return t.UID == "u" }},
		{"nulls leave zero values", `{"sub":null,"exp":null,"email_verified":null,"firebase":null}`,
			func(t *Token) bool { return t.UID == "" && t.Expires.IsZero() && t.Identities() == nil }},
		{"escapes", `{"sub":"a\"b\\c\/d\b\f\n\r\t\u00e9"}`, func(t *Token) bool { return t.UID == "a\"b\\c/d\b\f\n\r\té" }},
		{"surrogate pair", `{"name":"\ud83d\ude00"}`, func(t *Token) bool { return t.Name == "😀" }},
		{"lone surrogate", `{"name":"\ud83dx"}`, func(t *Token) bool { return t.Name == "\ufffdx" }},
		{"reversed surrogates", `{"name":"\ude00\ud83d"}`, func(t *Token) bool { return t.Name == "\ufffd\ufffd" }},
		{"high then escape", `{"name":"\ud83d\n"}`, func(t *Token) bool { return t.Name == "\ufffd\n" }},
		{"raw UTF-8", `{"name":"Ådä 😀"}`, func(t *Token) bool { return t.Name == "Ådä 😀" }},
		{"negative exp is absent", `{"exp":-5}`, func(t *Token) bool { return t.Expires.IsZero() }},
		{"minus zero", `{"exp":-0}`, func(t *Token) bool { return t.Expires.IsZero() }},
		{"numbers in custom claims", `{"x":[0,-1,1.5e+3,2E-2,0.25]}`, func(t *Token) bool { return true }},
		{"numbers at float64's edges", `{"x":[1.7976931348623157e308,-1.7976931348623157e308,1e308,10e307,1e-400,` +
			`0e99999,0.000e400,-0.0e9999,` + "1" + strings.Repeat("0", 308) + `,` + strings.Repeat("9", 308) + `,0.` + strings.Repeat("0", 400) + `1e400]}`,
			func(t *Token) bool { return true }},
		{"uid a string", `{"uid":"u-1","sub":"u-1"}`, func(t *Token) bool { return t.UID == "u-1" }},
		{"uid null", `{"uid":null}`, func(t *Token) bool { return true }},
		{"deep custom claim", `{"x":` + strings.Repeat("[", MaxJSONDepth-1) + strings.Repeat("]", MaxJSONDepth-1) + `}`,
			func(t *Token) bool { return true }},
		{"empty identities", `{"firebase":{"identities":{}}}`,
			func(t *Token) bool { return t.Identities() != nil && len(t.Identities()) == 0 }},
		{"null identity", `{"firebase":{"identities":{"a":null,"b":[null,"x"],"c":[]}}}`,
			func(t *Token) bool {
				id := t.Identities()
				return id["a"] == nil && len(id["b"]) == 2 && id["b"][0] == "" && id["c"] != nil
			}},
		{"identities decoded on demand", `{"firebase":{"identities":{"e\u006dail":["a\"b","\u00e9"],"phone":null}}}`,
			func(t *Token) bool {
				id := t.Identities()
				ok := len(id) == 2 && len(id["email"]) == 2 && id["email"][0] == `a"b` && id["email"][1] == "é" && id["phone"] == nil
				id["email"][0] = "changed" // the map is the caller's own
				return ok && t.Identities()["email"][0] == `a"b`
			}},
		{"escaped key", `{"s\u0075b":"u"}`, func(t *Token) bool { return t.UID == "u" }},
		{"unknown firebase field", `{"firebase":{"sign_in_attributes":{"a":1}}}`, func(t *Token) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse([]byte(tt.payload))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.payload, err)
			}
			if !tt.check(tok) {
				t.Errorf("Parse(%q) = %#v", tt.payload, tok)
			}
			checkPayload(t, tt.payload)
		})
	}
}

func TestParseHeaderAgreesWithReference(t *testing.T) {
	for _, h := range []string{
		`{"alg":"RS256","kid":"abc","typ":"JWT"}`,
		`{"alg":"none"}`,
		`{"alg":"RS256","kid":"k","crit":["exp"]}`,
		`{"alg":"RS256","kid":"k","crit":null}`,
		`{"alg":1}`, `{"kid":true}`, `{"typ":{}}`, `{"alg":"RS256","ALG":"none"}`,
		`{"Kid":"x"}`, `{"alg":"RS256","x5u":"https://example.com"}`, `{"alg":"RS256"`, `[]`,
		`{"alg":"RS256","kid":"\u006b"}`,
	} {
		checkHeader(t, h)
	}
	h, err := ParseHeader([]byte(`{"alg":"RS256","kid":"k-1","typ":"JWT","crit":null}`))
	if err != nil || h != (Header{Algorithm: "RS256", KeyID: "k-1", Type: "JWT", Critical: true}) {
		t.Errorf("ParseHeader = %+v, %v", h, err)
	}
}

// TestParseMatchesEncodingJSON decodes random valid payloads and compares
// with encoding/json (through the reference).
func TestParseMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		p := randomPayload(r)
		if !json.Valid([]byte(p)) {
			t.Fatalf("generator made invalid JSON %q", p)
		}
		checkPayload(t, p)
	}
}

var randomKeys = append(append([]string{"user_id", "admin", "roles", "x"}, payloadNames...), "Sub", "ſub", "firebase")

func randomPayload(r *rand.Rand) string {
	var b strings.Builder
	b.WriteByte('{')
	n := r.IntN(8)
	used := map[string]bool{}
	for i := 0; i < n; i++ {
		k := randomKeys[r.IntN(len(randomKeys))]
		if used[strings.ToLower(k)] && r.IntN(4) != 0 {
			continue
		}
		used[strings.ToLower(k)] = true
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:", k)
		if k == "firebase" && r.IntN(4) != 0 {
			b.WriteString(randomFirebase(r))
		} else {
			b.WriteString(randomValue(r, 0))
		}
	}
	b.WriteByte('}')
	return b.String()
}

func randomFirebase(r *rand.Rand) string {
	fields := []string{
		`"sign_in_provider":` + randomValue(r, 3),
		`"tenant":` + randomValue(r, 3),
		`"identities":{"email":["a@b.c"],"google.com":[` + randomValue(r, 3) + `]}`,
		`"identities":` + randomValue(r, 1),
		`"second_factor_identifier":"x"`,
	}
	r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	return "{" + strings.Join(fields[:1+r.IntN(3)], ",") + "}"
}

func randomValue(r *rand.Rand, depth int) string {
	choice := r.IntN(12)
	if depth > 3 && choice >= 10 {
		choice = 0
	}
	switch choice {
	case 0:
		return `"plain"`
	case 1:
		return `"esc\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x"`
	case 2:
		return `"Ådä 😀"`
	case 3:
		return fmt.Sprint(r.Int64N(1 << 40))
	case 4:
		return fmt.Sprint(-r.Int64N(100))
	case 5:
		return []string{"1.5", "1e3", "2E-2", "0.0", "-0", "99999999999999999999"}[r.IntN(6)]
	case 6:
		return "true"
	case 7:
		return "false"
	case 8:
		return "null"
	case 9:
		return `""`
	case 10:
		return "[" + randomValue(r, depth+1) + "," + randomValue(r, depth+1) + "]"
	default:
		return `{"a":` + randomValue(r, depth+1) + `,"b":` + randomValue(r, depth+1) + "}"
	}
}

func TestParseAllocations(t *testing.T) {
	payload := []byte(typicalPayload)
	// The Token, the string copy of the payload, and the identities map
	// with its two slices.
	if n := testing.AllocsPerRun(100, func() { _, _ = Parse(payload) }); n > 6 {
		t.Errorf("Parse allocates %v times, want at most 6", n)
	}
	header := []byte(`{"alg":"RS256","kid":"0123456789abcdef0123456789abcdef01234567","typ":"JWT"}`)
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseHeader(header) }); n > 1 {
		t.Errorf("ParseHeader allocates %v times, want at most 1", n)
	}
}

// FuzzFastParserMatchesReference: the one-pass parser and the reference
// scanner with encoding/json agree on every input.
func FuzzFastParserMatchesReference(f *testing.F) {
	for _, s := range []string{
		typicalPayload, `{}`, `{"aud":"a","AUD":"b"}`, `{"ſub":"x"}`, `{"exp":1.5}`,
		`{"firebase":{"identities":{"a":[null]}}}`, `{"x":"\ud83d\ude00"}`, `{"sub":1,"aud":2}`,
		`{"x":[[[[{}]]]]}`, `{"crit":null,"alg":"RS256"}`,
		`{"aud":["projects/1",null],"iat":1,"exp":"2"}`, `{"aud":[1]}`, `{"aud":"x","sub":2}`, `{"aud":[]}`, `{"aud":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		want, werr := referenceParse(data)
		got, want = normalized(got), normalized(want)
		if d := sameOutcome(got, want, err, werr); d != "" {
			t.Errorf("Parse(%q): %s", data, d)
		}
		if err == nil && !json.Valid(data) {
			t.Errorf("Parse accepted invalid JSON %q", data)
		}
		gh, herr := ParseHeader(data)
		wh, wherr := referenceParseHeader(data)
		if d := sameOutcome(gh, wh, herr, wherr); d != "" {
			t.Errorf("ParseHeader(%q): %s", data, d)
		}
		ga, aerr := ParseAppCheck(data)
		wa, waerr := referenceParseAppCheck(data)
		if d := sameOutcome(ga, wa, aerr, waerr); d != "" {
			t.Errorf("ParseAppCheck(%q): %s", data, d)
		}
	})
}

// TestManyKeys checks the hash set that takes over after eight keys: every
// way of spelling a key again is refused wherever it comes, and distinct
// keys are accepted, as by the reference.
func TestManyKeys(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 250; i++ { // within MaxJSONMembers with each tail
		fmt.Fprintf(&b, `"k%03d":%d,`, i, i)
	}
	many := b.String()
	for _, tail := range []string{
		`"x":1`,                 // distinct: accepted
		`"k150":0`,              // exact duplicate
		`"K150":0`,              // ASCII case
		`"\u006b150":0`,         // escaped
		"\"\u212a150\":0",       // Kelvin sign, raw
		`"\u212A150":0`,         // Kelvin sign, escaped
		`"k000":0`,              // the first key, from the first eight
		`"k007":0`,              // the eighth
		`"k008":0`,              // the ninth, the first in the set
		`"k249":0`,              // the last
		`"ſub":"x"`,             // folds to a name
		`"sub":"a","sub":"b"`,   // a name twice after many keys
		`"é":1,"É":2`,           // non-ASCII case
		`"\u00e9":1,"\u00c9":2`, // escaped non-ASCII case
		`"ǅ":1,"ǆ":2`,           // a three-rune orbit (Dž, dž)
		`"ǅ":1,"Ǆ":2`,
		`"":1,"":2`, // the empty key twice
	} {
		payload := "{" + many + tail + "}"
		_, err := Parse([]byte(payload))
		if wantOK := tail == `"x":1`; (err == nil) != wantOK {
			t.Errorf("tail %s: Parse = %v, want accepted %v", tail, err, wantOK)
		}
		checkPayload(t, payload)
		// The same keys in a nested object, and in the firebase claim.
		checkPayload(t, `{"c":{`+many+tail+`}}`)
		checkPayload(t, `{"firebase":{`+many+tail+`}}`)
	}
}

// TestValueLimits pins the limits on members and values at their edges,
// and shows that custom claims of Firebase's largest size (1000 bytes of
// JSON), however dense, stay within them.
func TestValueLimits(t *testing.T) {
	members := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"sub":"u"`)
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, `,"k%d":0`, i)
		}
		return b.String() + "}"
	}
	elements := func(n int) string {
		return `{"x":[` + strings.TrimSuffix(strings.Repeat("0,", n), ",") + `]}`
	}
	for _, c := range []struct {
		name    string
		payload string
		refused string // a part of the error, or "" when accepted
	}{
		{"256 members", members(256), ""},
		{"257 members", members(257), "more than 256 members in one object"},
		{"257 members in a custom claim", `{"c":` + members(257) + `}`, "more than 256 members in one object"},
		{"1024 values", elements(1023), ""},
		{"1025 values", elements(1024), "more than 1024 members and array elements in all"},
		{"1025 values in two arrays", `{"a":[` + strings.Repeat("0,", 511) + `0],"b":[` + strings.Repeat("0,", 511) + `0]}`, "more than 1024"},
		{"1025 values in identities", `{"firebase":{"identities":{"email":[` + strings.Repeat(`"a",`, 1021) + `"a"]}}}`, "more than 1024"},
		{"1025 values in small objects", `{"x":[` + strings.Repeat(`{"a":0},`, 511) + `{"a":0}]}`, "more than 1024"},
		// Custom claims of 1000 bytes: the densest object and array.
		{"1000 bytes of two-letter keys", denseClaims(1000), ""},
		{"1000 bytes of array elements", `{"sub":"u","c":[` + strings.Repeat("0,", 494) + `0]}`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.payload))
			switch {
			case c.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.refused != "" && (!errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.refused)):
				t.Fatalf("Parse = %v, want ErrMalformed saying %q", err, c.refused)
			}
			checkPayload(t, c.payload)
		})
	}
}

// denseClaims is an object of as many distinct two-letter keys as fit in
// n bytes of JSON, as custom claims of n bytes can have at most.
func denseClaims(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b strings.Builder
	b.WriteString(`{"sub":"u","c":{`)
	size := 2
	for i := 0; size+8 <= n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%c%c":0`, letters[i/26%26], letters[i%26])
		size += 7
	}
	b.WriteString("}}")
	return b.String()
}

// prefixSeeds are payloads whose starts CheckPayloadPrefix decides, or
// must not.
var prefixSeeds = []string{
	typicalPayload,
	denseClaims(1000),
	`{"x":[` + strings.Repeat("0,", 1100) + `0]}`,
	`{` + strings.Repeat(`"a":0,`, 3) + `"a":1}`,
	`{"sub":"a","x":{"y":[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]}}`,
	`  [1,2,3]`,
	`{"x":"` + strings.Repeat("a", 300) + `"}`,
	`{"x":1e` + strings.Repeat("0", 10) + `, "y":1}`,
	`{"x":123456789.5e-400}`,
}

// TestPayloadPrefix cuts payloads at every length: whatever start
// CheckPayloadPrefix refuses, Parse refuses the whole payload with the
// same error; and the limits are found in a start.
func TestPayloadPrefix(t *testing.T) {
	for _, payload := range prefixSeeds {
		for cut := 0; cut <= len(payload); cut++ {
			checkPrefix(t, []byte(payload), cut)
		}
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, `"k%03d":0,`, i)
	}
	if err := CheckPayloadPrefix([]byte(b.String())); !errors.Is(err, ErrMalformed) {
		t.Errorf("a start of 300 members: CheckPayloadPrefix = %v, want ErrMalformed", err)
	}
	if err := CheckPayloadPrefix([]byte(`{"sub":"a","aud":"b","x":"unterminated`)); err != nil {
		t.Errorf("an undecided start: CheckPayloadPrefix = %v, want nil", err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = CheckPayloadPrefix([]byte(typicalPayload)) }); n > 1 {
		t.Errorf("CheckPayloadPrefix allocates %v times, want at most 1", n)
	}
}

func checkPrefix(t *testing.T, payload []byte, cut int) {
	t.Helper()
	err := CheckPayloadPrefix(payload[:cut:cut])
	if err == nil {
		return
	}
	if _, perr := Parse(payload); perr == nil || perr.Error() != err.Error() {
		t.Fatalf("CheckPayloadPrefix(%q) = %v, but Parse of %q = %v", payload[:cut], err, payload, perr)
	}
}

// FuzzPayloadPrefix is TestPayloadPrefix on any payload and cut.
func FuzzPayloadPrefix(f *testing.F) {
	for _, s := range prefixSeeds {
		f.Add([]byte(s), uint16(len(s)/2))
	}
	f.Fuzz(func(t *testing.T, payload []byte, cut uint16) {
		checkPrefix(t, payload, int(cut)%(len(payload)+1))
	})
}

// White space may stand on either side of every array element; the
// skipping loops of the array reader move forward only.
func TestParseArraysWithWhiteSpace(t *testing.T) {
	payload := `{"sub":"u","x":[ 1 , 2 ,[ ] , [ 3 ] , "a" , { "b" : [ null ] } ],"y":[	],"firebase":{"identities":{"email":[ "a@x" , "b@x" ]}}}`
	tok, err := Parse([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Identities()["email"]; len(got) != 2 || got[1] != "b@x" {
		t.Errorf("identities %v", tok.Identities())
	}
	var custom struct {
		X []any `json:"x"`
	}
	if err := tok.Decode(&custom); err != nil || len(custom.X) != 6 {
		t.Errorf("x = %v, %v", custom.X, err)
	}
}

// TestKeyPathsAgree reads claim names where the fast path takes them and
// where it leaves them to the long way (white space, escapes, the end
// near, repeats, other spellings), and checks that Parse agrees with the
// reference parser on each.
func TestKeyPathsAgree(t *testing.T) {
	var payloads []string
	for _, name := range append(append([]string{}, payloadNames...), "user_id", "x") {
		value := `"v"`
		switch name {
		case "iat", "exp", "auth_time":
			value = "1795608000"
		case "email_verified":
			value = "true"
		case "firebase":
			value = `{"sign_in_provider":"password","tenant":"t-1","identities":{"email":["a@b"]}}`
		}
		long := `,"padding":"` + strings.Repeat("p", 24) + `"`
		payloads = append(payloads,
			`{"`+name+`":`+value+long+`}`,
			`{"`+name+`":`+value+`}`,
			`{ "`+name+`" : `+value+long+`}`,
			`{"`+name+`":`+value+`,"`+name+`":`+value+long+`}`,
			`{"`+name+`":`+value+`, "`+name+`":`+value+long+`}`,
			`{"`+strings.ToUpper(name)+`":`+value+long+`}`,
			`{"`+name+`":`+value+`,"`+strings.ToUpper(name)+`":`+value+long+`}`,
			`{"\u00`+hexByte(name[0])+name[1:]+`":`+value+long+`}`,
			`{"`+name+`x":`+value+long+`}`,
			`{"`+name+`":`+value+long+`,"`+name+`":`+value+`}`,
		)
	}
	for _, p := range payloads {
		checkPayload(t, p)
	}
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}
