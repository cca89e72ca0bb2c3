package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// The grammar's conformance with encoding/json: on every document,
// whatever Decoder accepts, json.Valid accepts; and whatever json.Valid
// accepts, Decoder accepts unless one of its own rules refuses it (not an
// object, a key repeated under folding, a limit, a number beyond float64),
// each with its own error (the first it meets, when there are several). The documents are genuine payloads and their
// near misses: every one-byte change of each.

// genuineDocuments are a Firebase ID token payload, a header, an App Check
// payload and custom claims with escapes, runes beyond ASCII and numbers.
var genuineDocuments = []string{
	`{"iss":"https://securetoken.google.com/p-1","aud":"p-1","auth_time":1764070000,"user_id":"u1","sub":"u1","iat":1764070000,"exp":1764073600,"email":"ada@example.com","email_verified":true,"firebase":{"identities":{"email":["ada@example.com"]},"sign_in_provider":"password","tenant":"t-1"}}`,
	`{"alg":"RS256","kid":"0123456789abcdef","typ":"JWT"}`,
	`{"sub":"1:123:web:abc","aud":["projects/123","projects/p-1"],"provider":"recaptcha_enterprise","iss":"https://firebaseappcheck.googleapis.com/123","exp":1764073600,"iat":1764070000}`,
	"{\"name\":\"Zo\u00eb \\\"Z\\\" \\u00e9\\ud83d\\ude00\",\"roles\":[\"a\",\"b\\/c\"],\"n\":[-0.5e-3,12E+2,0,-7],\"x\":{\"y\":[null,true,false,{}]},\"\u0436\":1}",
}

// nearMissBytes replace each byte of a genuine document in turn: the
// JSON structure, the starts of values, white space, and bytes that are
// not JSON or not UTF-8.
var nearMissBytes = []byte("{}[]\":,\\0129-+.eEtfnu/ \t\n\r\x00\x1f\x7f\x80\xc3\xed\xff")

// nearMisses returns every document one byte away from doc: each byte
// replaced by each of nearMissBytes, deleted, or doubled.
func nearMisses(doc string) [][]byte {
	var out [][]byte
	for i := range len(doc) {
		for _, c := range nearMissBytes {
			if c != doc[i] {
				out = append(out, []byte(doc[:i]+string(c)+doc[i+1:]))
			}
		}
		out = append(out, []byte(doc[:i]+doc[i+1:]), []byte(doc[:i+1]+doc[i:]))
	}
	return out
}

// readDocument reads data as one object of members that Decoder only
// checks.
func readDocument(data []byte) error {
	d := New(data)
	if err := d.Begin(); err != nil {
		return err
	}
	if err := d.Object(1, nil, nil); err != nil {
		return err
	}
	return d.End()
}

func TestGrammarMatchesEncodingJSON(t *testing.T) {
	n := 0
	for _, doc := range genuineDocuments {
		if err := readDocument([]byte(doc)); err != nil {
			t.Fatalf("genuine document refused: %v\n%s", err, doc)
		}
		for _, m := range nearMisses(doc) {
			checkConformance(t, m)
			n++
		}
	}
	t.Logf("%d near misses checked", n)
}

// FuzzGrammarMatchesEncodingJSON is TestGrammarMatchesEncodingJSON on any
// document.
func FuzzGrammarMatchesEncodingJSON(f *testing.F) {
	for _, doc := range genuineDocuments {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkConformance(t, data)
	})
}

// checkConformance compares Decoder's verdict on data with encoding/json's.
func checkConformance(t *testing.T, data []byte) {
	t.Helper()
	err := readDocument(data)
	valid := json.Valid(data)
	switch {
	case err == nil && !valid:
		t.Fatalf("accepted what json.Valid refuses: %q", data)
	case err != nil && !valid:
		// Refused: for a syntax fault, or for one of Decoder's own rules
		// broken before it.
		if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrDuplicateKey) && !errors.Is(err, ErrTooDeep) &&
			!errors.Is(err, ErrTooMany) && !errors.Is(err, ErrNumberRange) {
			t.Fatalf("invalid JSON refused with %v, of no kind: %q", err, data)
		}
	case err != nil:
		if rules := ownRules(data); !isAny(err, rules) {
			t.Fatalf("valid JSON refused with %v, want one of %v: %q", err, rules, data)
		}
	}
}

// isAny reports whether err wraps one of rules.
func isAny(err error, rules []error) bool {
	for _, r := range rules {
		if errors.Is(err, r) {
			return true
		}
	}
	return false
}

// ownRules returns the rules of Decoder's own that data, valid JSON, breaks
// as encoding/json finds them: a top-level value that is not an object, or
// bytes that are not UTF-8 (ErrSyntax); a number beyond float64
// (ErrNumberRange); the first limit or repeated key met (ErrTooDeep,
// ErrTooMany, ErrDuplicateKey). Decoder reports whichever it meets first.
func ownRules(data []byte) []error {
	if b := bytes.TrimLeft(data, " \t\r\n"); len(b) == 0 || b[0] != '{' {
		return []error{ErrSyntax}
	}
	var rules []error
	if !utf8.Valid(data) {
		rules = append(rules, ErrSyntax) // json.Valid allows it in strings
	}
	if err := json.Unmarshal(data, new(any)); err != nil {
		rules = append(rules, ErrNumberRange)
	}
	w := walker{dec: json.NewDecoder(bytes.NewReader(data))}
	if err := w.value(0); err != nil {
		rules = append(rules, err)
	}
	return rules
}

// walker reads a valid document's tokens, counting what Decoder limits
// and comparing each key with those before it in its object.
type walker struct {
	dec    *json.Decoder
	values int
}

func (w *walker) value(depth int) error {
	tok, err := w.dec.Token()
	if err != nil {
		return nil // not reached: the document is valid
	}
	switch tok {
	case json.Delim('{'):
		return w.object(depth + 1)
	case json.Delim('['):
		return w.array(depth + 1)
	}
	return nil
}

func (w *walker) object(depth int) error {
	if depth > MaxDepth {
		return ErrTooDeep
	}
	var keys []string
	for w.dec.More() {
		if w.values++; len(keys) == MaxMembers || w.values > MaxValues {
			return ErrTooMany
		}
		tok, _ := w.dec.Token()
		k, _ := tok.(string)
		for _, prev := range keys {
			if strings.EqualFold(prev, k) {
				return ErrDuplicateKey
			}
		}
		keys = append(keys, k)
		if err := w.value(depth); err != nil {
			return err
		}
	}
	_, _ = w.dec.Token() // '}'
	return nil
}

func (w *walker) array(depth int) error {
	if depth > MaxDepth {
		return ErrTooDeep
	}
	for w.dec.More() {
		if w.values++; w.values > MaxValues {
			return ErrTooMany
		}
		if err := w.value(depth); err != nil {
			return err
		}
	}
	_, _ = w.dec.Token() // ']'
	return nil
}
