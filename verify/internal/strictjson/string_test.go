package strictjson

import (
	"testing"
	"unicode/utf8"
)

// TestPlainRuneLen checks the shortcut for two- and three-byte UTF-8
// against the utf8 package, on every lead byte beyond ASCII and every
// byte after it (every seventh third byte).
func TestPlainRuneLen(t *testing.T) {
	for a := 0x80; a <= 0xff; a++ {
		for b := 0; b <= 0xff; b++ {
			for c := 0; c <= 0xff; c += 7 {
				seq := string([]byte{byte(a), byte(b), byte(c)})
				r, size := utf8.DecodeRuneInString(seq)
				n := plainRuneLen(seq, 0)
				if n != 0 && (n != size || r == utf8.RuneError && size == 1) {
					t.Fatalf("plainRuneLen(% x) = %d, but utf8 decodes %U of %d bytes", seq, n, r, size)
				}
				valid := r != utf8.RuneError || size > 1
				if got := runeLen(seq, 0); (got != 0) != valid || valid && got != size {
					t.Fatalf("runeLen(% x) = %d, want %d (valid %v)", seq, got, size, valid)
				}
			}
		}
	}
}

// TestUnescape decodes escapes as encoding/json does, lone and misordered
// surrogates included.
func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`a\"b\\c\/d\b\f\n\r\t`: "a\"b\\c/d\b\f\n\r\t",
		`\u00e9\u0041`:         "éA",
		`\ud83d\ude00`:         "😀",
		`\ud83d`:               "\ufffd",
		`\ude00\ud83d`:         "\ufffd\ufffd",
		`\ud83dx`:              "\ufffdx",
		`\ud83d\u0041`:         "\ufffdA",
	} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%s) = %q, want %q", in, got, want)
		}
	}
}
