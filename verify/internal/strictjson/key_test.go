package strictjson

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// readKeyOf reads the JSON string body (between quotes, as written) with
// readKey and returns the key's folded form.
func readKeyOf(body string) (form string, self bool, err error) {
	d := Decoder{s: `"` + body + `"`}
	var k key
	err = d.readKey(&k)
	if err == nil && d.pos != len(d.s) {
		return "", false, fmt.Errorf("readKey stopped at %d of %q", d.pos, d.s)
	}
	return k.form(), k.self, err
}

// referenceForm is the folded form of the key whose body is body, the
// plain way: decode the escapes, then fold each rune.
func referenceForm(body string) string {
	var b []byte
	for _, r := range unescape(body) {
		b = utf8.AppendRune(b, foldTable().foldRune(r))
	}
	return string(b)
}

// escapedRune spells r as a \u escape, or two for a rune beyond the Basic
// Multilingual Plane.
func escapedRune(r rune) string {
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		return fmt.Sprintf(`\u%04x\u%04x`, hi, lo)
	}
	return fmt.Sprintf(`\u%04X`, r)
}

// TestKeyFormMatchesEqualFold checks, for every rune, that readKey gives
// two one-rune keys the same folded form exactly when strings.EqualFold
// says they are equal (the hash set of keys relies on it), and the same
// form to the rune written as itself and as an escape.
func TestKeyFormMatchesEqualFold(t *testing.T) {
	formOf := func(r rune) string {
		raw := string(r)
		if r < 0x20 || r == '"' || r == '\\' {
			raw = escapedRune(r)
		}
		form, self, err := readKeyOf(raw)
		if err != nil {
			t.Fatalf("readKey(%q): %v", raw, err)
		}
		if self != (r >= 0x20 && r < utf8.RuneSelf && r != '"' && r != '\\' && !unicode.IsUpper(r)) {
			t.Fatalf("readKey(%q): self %v", raw, self)
		}
		escaped, _, err := readKeyOf(escapedRune(r))
		if err != nil || escaped != form {
			t.Fatalf("readKey(%s) = %q, %v; want %q, as written plain", escapedRune(r), escaped, err, form)
		}
		return form
	}
	byForm := map[string]rune{}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if utf16.IsSurrogate(r) {
			continue
		}
		form := formOf(r)
		// Every rune of the orbit has the same form.
		for o := unicode.SimpleFold(r); o != r; o = unicode.SimpleFold(o) {
			if of := formOf(o); of != form {
				t.Fatalf("%q and %q fold together but have the forms %q and %q", r, o, form, of)
			}
		}
		// No rune of another orbit has it.
		if prev, ok := byForm[form]; ok && !strings.EqualFold(string(prev), string(r)) {
			t.Fatalf("%q and %q differ under folding but share the form %q", prev, r, form)
		}
		byForm[form] = r
	}
}

// TestKeyFormAtEncodingEdges: readKey writes each rune's fold in the
// UTF-8 of its own width, at the edges where the width changes: U+0080
// (two bytes, not one), U+07FF and U+0800 (three bytes, not two), U+FFFF
// and U+10000 (four), and the two runes beyond ASCII that fold into it
// (Kelvin sign, long s); and decodes escapes as encoding/json does.
func TestKeyFormAtEncodingEdges(t *testing.T) {
	for body, want := range map[string]string{
		"\u0080":         "\u0080",
		"a\u07ffb":       "a\u07ffb",
		"\u0800":         "\u0800",
		"x\u0800y":       "x\u0800y",
		"\uffff":         "\uffff",
		"\U00010000":     "\U00010000",
		"\u212a":         "k", // KELVIN SIGN folds with K and k
		"\u017f":         "s", // LATIN SMALL LETTER LONG S folds with S and s
		"\u00c5X":        "\u00c5x",
		`A\u0042c`:       "abc",
		`\ud83d\ude00`:   "\U0001F600",
		`\ud83d`:         "\ufffd", // a lone surrogate, as encoding/json decodes it
		`\ude00\ud83dX`:  "\ufffd\ufffdx",
		`\"\\\/\b\f\n\t`: "\"\\/\b\f\n\t",
	} {
		got, _, err := readKeyOf(body)
		if err != nil || got != want || !utf8.ValidString(got) {
			t.Errorf("readKey(%q) = %q, %v; want %q", body, got, err, want)
		}
	}
}

// TestReadKeyRefuses what scanString refuses, with the same errors.
func TestReadKeyRefuses(t *testing.T) {
	for _, body := range []string{"a\xffb", "Ж\xc3", "\xed\xa0\x80", "a\x01", `a\x`, `\u12`, `\u12G4`, "ab"} {
		doc := `"` + body
		if body != "ab" {
			doc += `"`
		}
		_, _, want := (&Decoder{s: doc}).scanString()
		d := Decoder{s: doc}
		err := d.readKey(new(key))
		if err == nil || err != want {
			t.Errorf("readKey(%q) = %v, want %v", doc, err, want)
		}
	}
}

// FuzzReadKeyMatchesScanString: on any string, readKey accepts what
// scanString accepts, ends where it ends, and gives the folded form of
// the decoded key, rune by rune.
func FuzzReadKeyMatchesScanString(f *testing.F) {
	for _, s := range []string{`"aud"`, `"Aud"`, `"\u0061"`, `"Жж"`, `"ＡＢ"`, `"\ud83d\ude00"`, "\"\U0001F600\"", `"a`, "\"\xff\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if !strings.HasPrefix(doc, `"`) {
			doc = `"` + doc
		}
		ref := Decoder{s: doc}
		body, _, refErr := ref.scanString()
		d := Decoder{s: doc}
		var k key
		err := d.readKey(&k)
		if err != refErr {
			t.Fatalf("readKey: %v, scanString: %v", err, refErr)
		}
		if err != nil {
			return
		}
		if d.pos != ref.pos || k.body != body {
			t.Fatalf("readKey read %q to %d, scanString %q to %d", k.body, d.pos, body, ref.pos)
		}
		if want := referenceForm(body); k.form() != want {
			t.Fatalf("form %q, want %q", k.form(), want)
		}
		if k.decoded() != unescape(body) {
			t.Fatalf("decoded %q, want %q", k.decoded(), unescape(body))
		}
	})
}

// TestKeyBefore checks the exact comparison behind a repeated hash: the
// object's keys before the offset, and only those, are compared.
func TestKeyBefore(t *testing.T) {
	data := `{"a":1, "b":[{"c":2}],"D":{"x":"}"},"e\u0301":4,"\u0047":0,"f":5}`
	d := Decoder{s: data}
	keys := objectKeys{start: 0, depth: 1}
	end := strings.Index(data, `"f"`)
	for k, want := range map[string]bool{"a": true, "B": true, "d": true, "e\u0301": true, "g": true, "c": false, "x": false, "f": false, "e": false} {
		if got := d.keyBefore(&keys, referenceForm(k), end); got != want {
			t.Errorf("keyBefore(%q) = %v, want %v", k, got, want)
		}
	}
}

// TestDuplicateKeysInSmallObjects repeats a key in objects of few keys,
// where the first key is hashed only once a second comes.
func TestDuplicateKeysInSmallObjects(t *testing.T) {
	for doc, dup := range map[string]bool{
		`{"a":1,"a":2}`:             true,
		`{"a":1,"A":2}`:             true,
		`{"A":1,"a":2}`:             true,
		`{"é":1,"É":2}`:             true,
		`{"a":1,"\u0041":2}`:        true,
		`{"\u00e9":1,"É":2}`:        true,
		`{"a":1,"b":2,"a":3}`:       true,
		`{"x":{"a":1},"y":{"a":1}}`: false,
		`{"a":1,"b":2}`:             false,
		`{"":1,"":2}`:               true,
		`{"":1}`:                    false,
	} {
		err := readDocument([]byte(doc))
		if got := errors.Is(err, ErrDuplicateKey); got != dup || (!dup && err != nil) {
			t.Errorf("%s: %v, want a duplicate %v", doc, err, dup)
		}
	}
}

// TestNamesSpelledExactly: a key that folds to a name is the name only
// when it decodes to the name's very spelling.
func TestNamesSpelledExactly(t *testing.T) {
	names := NewNames("aud", "sub", "kid")
	for doc, want := range map[string]error{
		`{"aud":1,"sub":2}`:       nil,
		`{"\u0061ud":1}`:          nil,
		`{"Aud":1}`:               ErrSyntax,
		"{\"\u212aid\":1}":        ErrSyntax, // KELVIN SIGN, i, d
		`{"ａｕｄ":1}`:               nil,       // full-width letters fold only with their own upper case
		`{"aud":1,"\u0061ud":2}`:  ErrDuplicateKey,
		`{"aud":1,"other":2}`:     nil,
		`{"sub":1,"x":2,"sub":3}`: ErrDuplicateKey,
	} {
		d := New([]byte(doc))
		err := d.Begin()
		if err == nil {
			err = d.Object(1, names, nil)
		}
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", doc, err, want)
		}
	}
}

func TestNewNamesRefusesNamesThatAreNotTheirOwnForm(t *testing.T) {
	for _, name := range []string{"", "Aud", "é", `a"b`, `a\b`} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewNames(%q) did not panic", name)
				}
			}()
			NewNames(name)
		}()
	}
}
