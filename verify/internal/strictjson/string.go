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
			n, err := escapeLen(s[i:])
			if err != nil {
				return "", false, err
			}
			escaped = true
			i += n
		case c < 0x20:
			return "", false, syntaxErr("control character in string")
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

// escapeLen returns the length of the escape at the start of s (its
// backslash included), or why it is not one.
func escapeLen(s string) (int, error) {
	if len(s) < 2 {
		return 0, errUnterminated
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
		if hex4(s[2:]) < 0 {
			return 0, syntaxErr("invalid \\u escape")
		}
		return 6, nil
	}
	return 0, syntaxErr("invalid escape")
}

// hex4 decodes the four hex digits at the start of s, or returns -1.
func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unescape decodes the body s of a string already checked by scanString,
// as encoding/json does: a \u escape of a lone or misordered surrogate
// becomes U+FFFD.
func unescape(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			b = append(b, s[i])
			i++
			continue
		}
		if s[i+1] != 'u' {
			b = append(b, unescapeByte(s[i+1]))
			i += 2
			continue
		}
		r, n := unescapeRune(s[i:])
		b = utf8.AppendRune(b, r)
		i += n
	}
	return string(b)
}

// unescapeByte is the byte a one-letter escape (after its backslash)
// stands for.
func unescapeByte(c byte) byte {
	switch c {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c // '"', '\\', '/'
}

// unescapeRune decodes the \u escape at the start of s, with the one after
// it when the two are a surrogate pair, and returns the rune and the
// length of what it decoded.
func unescapeRune(s string) (rune, int) {
	r := hex4(s[2:])
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if dec := utf16.DecodeRune(r, hex4(s[8:])); dec != unicode.ReplacementChar {
			return dec, 12
		}
	}
	return unicode.ReplacementChar, 6
}
