package claimcheck_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/claims"
)

// fuzzPayloads seed FuzzParse: a genuine payload and the shapes of the
// hostile corpus (duplicates, look-alike keys, wrong types, nesting).
var fuzzPayloads = []string{
	`{"iss":"https://securetoken.google.com/p","aud":"p","sub":"u1","iat":1764072000,"auth_time":1764072000,"exp":1764075600,"user_id":"u1","email":"ada@example.com","email_verified":true,"firebase":{"identities":{"email":["ada@example.com"]},"sign_in_provider":"password","tenant":"t1"}}`,
	`{"aud":"p","aud":"q"}`,
	`{"aud":"p","AUD":"q"}`,
	`{"AUD":"p"}`,
	`{"a\u0075d":"p","aud":"q"}`,
	`{"a\u0075d":"p"}`,
	`{"ſub":"admin"}`,
	`{"aud":["p"]}`,
	`{"aud":42}`,
	`{"exp":"1764075600"}`,
	`{"exp":1764075600.5}`,
	`{"exp":1.7e9}`,
	`{"exp":9223372036854775807}`,
	`{"exp":100000000000000000000000000000}`,
	`{"sub":42}`,
	`{"sub":null,"aud":null}`,
	`{"firebase":{"tenant":"a","tenant":"b"}}`,
	`{"firebase":{"Tenant":"a"}}`,
	`{"firebase":"x"}`,
	`{"firebase":{"tenant":7}}`,
	`{"email_verified":"true"}`,
	`{"deep":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}}}}}}}}}}}`,
	`{"deep":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]}`,
	"{\"name\":\"\xff\"}",
	`{"a":1}{}`,
	`[]`,
	`null`,
	"\xef\xbb\xbf{}",
	`{"x":"\ud800"}`,
	`{"x":1,}`,
	`{"x" 1}`,
	`{"x":1e400}`,
	`{"x":[1.7976931348623157e308,-18e307]}`,
	`{"uid":7}`,
	`{"uid":"u1","sub":"u1"}`,
	`{"x":tru}`,
	`{`,
	``,
}

// FuzzParse: Parse never panics; a refusal is a *ValidationError naming a
// sentinel; an accepted payload is one encoding/json reads the same way,
// with no duplicate key, and the typed fields agree with it.
func FuzzParse(f *testing.F) {
	for _, p := range fuzzPayloads {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		tok, err := claimcheck.Parse(payload)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		m := decodeUnique(t, payload)
		str := func(name string) string { s, _ := m[name].(string); return s }
		if tok.UID != str("sub") || tok.Audience != str("aud") || tok.Issuer != str("iss") ||
			tok.Email != str("email") || tok.Name != str("name") || tok.Picture != str("picture") ||
			tok.PhoneNumber != str("phone_number") {
			t.Fatalf("typed fields disagree with encoding/json on %q", payload)
		}
		if verified, _ := m["email_verified"].(bool); verified != tok.EmailVerified {
			t.Fatalf("email_verified %v, typed %v", m["email_verified"], tok.EmailVerified)
		}
		checkTime(t, "exp", m["exp"], tok.Expires)
		checkTime(t, "iat", m["iat"], tok.IssuedAt)
		checkTime(t, "auth_time", m["auth_time"], tok.AuthTime)
		fb, _ := m["firebase"].(map[string]any)
		tenant, _ := fb["tenant"].(string)
		provider, _ := fb["sign_in_provider"].(string)
		if tok.Firebase.Tenant != tenant || tok.Firebase.SignInProvider != provider {
			t.Fatalf("firebase %v, typed %+v", fb, tok.Firebase)
		}
		if tok.Payload != string(payload) {
			t.Fatal("Payload() is not the payload")
		}
		var all map[string]any
		if err := tok.Decode(&all); err != nil {
			t.Fatalf("accepted %q, which Decode into a map[string]any refuses: %v", payload, err)
		}
		if uid, ok := m["uid"]; ok && uid != nil {
			if _, isString := uid.(string); !isString {
				t.Fatalf("accepted a uid of type %T", uid)
			}
		}
	})
}

// FuzzParseHeader: as FuzzParse, for the header.
func FuzzParseHeader(f *testing.F) {
	for _, h := range []string{
		`{"alg":"RS256","kid":"b3896151fd18389b85eb1cb03f38d54777bb944b","typ":"JWT"}`,
		`{"alg":"none"}`,
		`{"alg":"RS256","alg":"none","kid":"k"}`,
		`{"alg":"RS256","Alg":"none","kid":"k"}`,
		`{"alg":256,"kid":"k"}`,
		`{"alg":"RS256","kid":1}`,
		`{"alg":"RS256","kid":null}`,
		`{"alg":"RS256","kid":"k","crit":["exp"]}`,
		`{"alg":"RS256","kid":"k","crit":null}`,
		`{"alg":"RS256","kid":"k","jku":"http://127.0.0.1/jwks","jwk":{"kty":"RSA"}}`,
		`{"alg":"RS256","kid":"k","typ":7}`,
		`{"alg":"RS256","kid":"k","x":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}}}}}}}}}}}`,
		"{\"alg\":\"RS256\xff\"}",
		`null`,
	} {
		f.Add([]byte(h))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := claimcheck.ParseHeader(data)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		m := decodeUnique(t, data)
		alg, _ := m["alg"].(string)
		kid, _ := m["kid"].(string)
		typ, _ := m["typ"].(string)
		_, crit := m["crit"]
		if h.Algorithm != alg || h.KeyID != kid || h.Type != typ || h.Critical != crit {
			t.Fatalf("header %+v disagrees with encoding/json %v", h, m)
		}
		if claimcheck.CheckAlgorithm(h, false) == nil && claimcheck.CheckHeader(h) == nil {
			if alg != claimcheck.AlgorithmRS256 || kid == "" || crit {
				t.Fatalf("header rules passed %v", m)
			}
		}
	})
}

var sentinels = []error{
	claimcheck.ErrMalformed, claimcheck.ErrUnsupportedAlgorithm, claimcheck.ErrInvalidKeyID, claimcheck.ErrCriticalHeader,
	claimcheck.ErrInvalidAudience, claimcheck.ErrInvalidIssuer, claimcheck.ErrInvalidSubject, claimcheck.ErrInvalidExpiry,
	claimcheck.ErrExpired, claimcheck.ErrInvalidIssuedAt, claimcheck.ErrIssuedInFuture, claimcheck.ErrInvalidAuthTime,
	claimcheck.ErrAuthTimeInFuture, claimcheck.ErrInvalidTenant,
}

// checkRefusal requires err to be a *ValidationError wrapping exactly one
// sentinel.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var ve *claims.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("refusal %T %v is not a *ValidationError", err, err)
	}
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("refusal %v wraps %d sentinels", err, n)
	}
	if strings.ContainsAny(err.Error(), "\n\r") {
		t.Fatalf("refusal %q spans lines", err)
	}
}

// checkTime compares a typed time with the JSON number it came from: a
// positive number up to the year 9999 gives that second, anything else
// (absent, null, non-positive, too large) the zero Time.
func checkTime(t *testing.T, name string, raw any, got time.Time) {
	t.Helper()
	var want int64
	if n, ok := raw.(json.Number); ok {
		sec, err := n.Int64()
		if err != nil {
			t.Fatalf("%s %v accepted though it is not a whole int64", name, n)
		}
		if sec > 0 && sec <= 253402300799 {
			want = sec
		}
	} else if raw != nil {
		t.Fatalf("%s of type %T accepted", name, raw)
	}
	if want == 0 {
		if !got.IsZero() {
			t.Fatalf("%s %v gave %v, want the zero time", name, raw, got)
		}
		return
	}
	if got.Unix() != want {
		t.Fatalf("%s %v gave %v", name, raw, got)
	}
}

// decodeUnique decodes an accepted JSON object with encoding/json,
// failing the test on invalid UTF-8, a duplicate key (compared as
// encoding/json matches field names), or trailing data: an independent
// check of the strict parser.
func decodeUnique(t *testing.T, data []byte) map[string]any {
	t.Helper()
	if !utf8.Valid(data) {
		t.Fatalf("accepted invalid UTF-8: %q", data)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := walkUnique(d, 0); err != nil {
		t.Fatalf("accepted %q: %v", data, err)
	}
	var m map[string]any
	d = json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("accepted %q, which encoding/json refuses: %v", data, err)
	}
	if m == nil {
		t.Fatalf("accepted %q, which is not an object", data)
	}
	if err := json.Unmarshal(data, new(map[string]any)); err != nil {
		t.Fatalf("accepted %q, which encoding/json cannot read into a map[string]any: %v", data, err)
	}
	if _, err := d.Token(); err != io.EOF {
		t.Fatalf("accepted data after the object: %q", data)
	}
	return m
}

func walkUnique(d *json.Decoder, depth int) error {
	if depth > claimcheck.MaxJSONDepth {
		return errors.New("nesting deeper than MaxJSONDepth")
	}
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return err
			}
			key := strings.ToLower(strings.ToUpper(k.(string)))
			if seen[key] {
				return errors.New("duplicate key " + key)
			}
			seen[key] = true
			if err := walkUnique(d, depth+1); err != nil {
				return err
			}
		}
		_, err = d.Token()
		return err
	case json.Delim('['):
		for d.More() {
			if err := walkUnique(d, depth+1); err != nil {
				return err
			}
		}
		_, err = d.Token()
		return err
	}
	return nil
}
