package strictjson

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// scanString reads the string whose opening quote is at d.pos, checking
// its escapes and its UTF-8, and returns its body (between the quotes, as
// written) and whether the body has escapes.
func (d *Decoder) scanString() (body string, escaped bool, err error) {
	s, start := d.s, d.pos+1
	for i := start; i < len(s); {
		for i < len(s) && plainByte[s[i]] {
			i++ // the bytes that stand for themselves, as most do
		}
		if i == len(s) {
			break
		}
		switch c := s[i]; {
		case c == '"':
			d.pos = i + 1
			return s[start:i], escaped, nil
		case c == '\\':
			_, n, err := decodeEscape(s[i:])
			if err != nil {
				return "", false, err
			}
			escaped = true
			i += n
		case c < 0x20:
			return "", false, errControl
		default:
			n := runeLen(s, i)
			if n == 0 {
				return "", false, errBadUTF8
			}
			i += n
		}
	}
	return "", false, errUnterminated
}

// plainByte marks the bytes that stand for themselves in a JSON string:
// printable ASCII but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// runeLen returns the length of the UTF-8 sequence that starts at s[i],
// beyond ASCII, or 0 if it is not valid UTF-8. Two- and three-byte
// sequences whose lead byte allows any continuation bytes, the commonest
// in keys and names beyond ASCII, are checked here; the others by the utf8
// package. This is what keeps a payload of such keys within the junk bound.
func runeLen(s string, i int) int {
	if n := plainRuneLen(s, i); n > 0 {
		return n
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n == 1 {
		return 0
	}
	return n
}

// plainRuneLen returns 2 or 3 if s[i:] starts with a two-byte sequence
// (lead byte C2 to DF) or a three-byte one whose lead byte allows any
// continuation bytes (E1 to EC, EE, EF: neither an overlong form nor a
// surrogate can start so), and 0 for any other sequence, valid or not.
func plainRuneLen(s string, i int) int {
	c := s[i]
	switch {
	case 0xc2 <= c && c <= 0xdf && i+1 < len(s) && s[i+1]&0xc0 == 0x80:
		return 2
	case (0xe1 <= c && c <= 0xec || c == 0xee || c == 0xef) && i+2 < len(s) &&
		s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80:
		return 3
	}
	return 0
}

// readString reads the string whose opening quote is at d.pos and returns
// its value: a substring of the document when it has no escapes.
func (d *Decoder) readString() (string, error) {
	body, escaped, err := d.scanString()
	if escaped {
		body = unescape(body)
	}
	return body, err
}

// decodeEscape checks the escape at the start of s (its backslash
// included) and returns the rune it stands for and its length, or why it
// is not one. A \u escape of a surrogate is decoded with the one after it
// when the two are a pair; a lone or misordered surrogate is U+FFFD, as
// encoding/json decodes it.
func decodeEscape(s string) (rune, int, error) {
	if len(s) < 2 {
		return 0, 0, errUnterminated
	}
	if s[1] != 'u' {
		if c := escapeByte[s[1]]; c != 0 {
			return rune(c), 2, nil
		}
		return 0, 0, errBadEscape
	}
	r := hex4(s[2:])
	switch {
	case r < 0:
		return 0, 0, errBadUEscape
	case !utf16.IsSurrogate(r):
		return r, 6, nil
	case len(s) >= 12 && s[6] == '\\' && s[7] == 'u':
		if pair := utf16.DecodeRune(r, hex4(s[8:])); pair != unicode.ReplacementChar {
			return pair, 12, nil
		}
	}
	return unicode.ReplacementChar, 6, nil
}

// escapeByte is the byte each one-letter escape stands for, by the letter
// after the backslash, and 0 for a letter that makes no escape.
var escapeByte = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hex4 decodes the four hex digits at the start of s, or returns -1.
func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	a, b, c, d := hexDigit[s[0]], hexDigit[s[1]], hexDigit[s[2]], hexDigit[s[3]]
	if a|b|c|d < 0 {
		return -1
	}
	return rune(a)<<12 | rune(b)<<8 | rune(c)<<4 | rune(d)
}

// hexDigit is the value of each hex digit, and -1 for any other byte.
var hexDigit = func() (t [256]int8) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9':
			t[c] = int8(c - '0')
		case 'a' <= c && c <= 'f':
			t[c] = int8(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			t[c] = int8(c - 'A' + 10)
		default:
			t[c] = -1
		}
	}
	return t
}()

// unescape decodes the body s of a string already checked by scanString.
func unescape(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			b = append(b, s[i])
			i++
			continue
		}
		r, n, _ := decodeEscape(s[i:])
		b = utf8.AppendRune(b, r)
		i += n
	}
	return string(b)
}
