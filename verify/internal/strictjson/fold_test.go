package strictjson

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// TestFoldKeyMatchesEqualFold checks, for every rune, that foldKey gives
// two one-rune keys the same folded form exactly when strings.EqualFold
// says they are equal: the hash set of keys relies on it.
func TestFoldKeyMatchesEqualFold(t *testing.T) {
	byForm := map[string]rune{}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if utf16.IsSurrogate(r) {
			continue
		}
		k := string(r)
		f, self := foldKey(k, nil)
		form := string(f)
		if self {
			form = k
		}
		if self != (r < utf8.RuneSelf && !unicode.IsUpper(r)) {
			t.Fatalf("foldKey(%q): self %v", k, self)
		}
		// Every rune of the orbit has the same form.
		for o := unicode.SimpleFold(r); o != r; o = unicode.SimpleFold(o) {
			of, oself := foldKey(string(o), nil)
			oform := string(of)
			if oself {
				oform = string(o)
			}
			if oform != form {
				t.Fatalf("%q and %q fold together but have the forms %q and %q", k, string(o), form, oform)
			}
		}
		// No rune of another orbit has it.
		if prev, ok := byForm[form]; ok && !strings.EqualFold(string(prev), k) {
			t.Fatalf("%q and %q differ under folding but share the form %q", string(prev), k, form)
		}
		byForm[form] = r
	}
}

// TestFoldTable compares the table behind smallestFold with the walk of
// unicode.SimpleFold's orbit, for every rune.
func TestFoldTable(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune+1; r++ {
		if got, want := smallestFold(r), orbitMin(r); got != want {
			t.Fatalf("smallestFold(%U) = %U, want %U", r, got, want)
		}
	}
	for r, got := range foldTable().two {
		if want := foldTable().foldRune(rune(r)); rune(got) != want || want >= 0x800 {
			t.Fatalf("two[%U] = %U, want %U", r, got, want)
		}
	}
	if n := len(foldTable().pages); n > 64 {
		t.Errorf("%d pages, want at most 64", n)
	}
}

func TestFoldSetSize(t *testing.T) {
	if foldSetSlots < 2*MaxMembers || foldSetSlots&(foldSetSlots-1) != 0 {
		t.Fatalf("foldSetSlots = %d, want a power of two of at least %d", foldSetSlots, 2*MaxMembers)
	}
}

func TestFoldKeyInvalidUTF8(t *testing.T) {
	for k, want := range map[string]string{"a\xffB": "a\ufffdb", "\xff": "\ufffd", "Ж\xc3": "Ж\ufffd", "ж\xe2\x82Ǆ": "Ж\ufffd\ufffdǄ"} {
		if got, _ := foldKey(k, nil); string(got) != want {
			t.Errorf("foldKey(%q) = %q, want %q", k, got, want)
		}
	}
}

// foldKey writes each rune's fold in the UTF-8 of its own width, at the
// edges where the width changes: U+0080 (two bytes, not one), U+07FF and
// U+0800 (three bytes, not two), U+FFFF and U+10000 (four), and the two
// runes beyond ASCII that fold into it (Kelvin sign, long s).
func TestFoldKeyAtEncodingEdges(t *testing.T) {
	for k, want := range map[string]string{
		"\u0080":     "\u0080",
		"a\u07ffb":   "a\u07ffb",
		"\u0800":     "\u0800",
		"x\u0800y":   "x\u0800y",
		"\uffff":     "\uffff",
		"\U00010000": "\U00010000",
		"\u212a":     "k", // KELVIN SIGN folds with K and k
		"\u017f":     "s", // LATIN SMALL LETTER LONG S folds with S and s
		"\u00c5X":    "\u00c5x",
	} {
		got, _ := foldKey(k, nil)
		if string(got) != want || !utf8.Valid(got) {
			t.Errorf("foldKey(%q) = %q, want %q", k, got, want)
		}
	}
}
