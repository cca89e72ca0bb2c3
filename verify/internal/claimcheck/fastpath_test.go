package claimcheck

import (
	"strings"
	"testing"
)

// TestNamedKey checks the fast path of key on its own: it finds exactly
// the keys spelled like a name of the set (the quote right after the
// name's bytes), only among the candidates it is given, only with room to
// read two words, and leaves every other key to the long way.
func TestNamedKey(t *testing.T) {
	pad := `:"` + strings.Repeat("x", 20) + `"}`
	for _, set := range []*nameSet{tokenFields.names, firebaseFields.names, headerFields.names, appCheckFields.names} {
		all := uint32(1)<<len(set.names) - 1
		for i, name := range set.names {
			want := -1
			if len(name) <= 16 {
				want = i
			}
			cases := []struct {
				key  string
				want int
			}{
				{`"` + name + `"`, want},
				{`"` + name + `x"`, -1},
				{`"` + name + `\"`, -1},
				{`"` + name[:len(name)-1] + `"`, -1},
				{`"` + strings.ToUpper(name[:1]) + name[1:] + `"`, -1},
				{`"\u00` + hexByte(name[0]) + name[1:] + `"`, -1},
				{` "` + name + `"`, -1},
			}
			for _, c := range cases {
				p := jsonParser{data: []byte(c.key + pad)}
				idx, end := p.namedKey(set, all)
				if idx != c.want || (idx >= 0 && end != len(c.key)) {
					t.Errorf("namedKey(%q) = %d, %d; want %d, %d", c.key, idx, end, c.want, len(c.key))
				}
				if idx >= 0 {
					if other, _ := p.namedKey(set, all&^(1<<idx)); other != -1 {
						t.Errorf("namedKey(%q) without its name among the candidates = %d, want -1", c.key, other)
					}
					if got := set.byStart(c.key[1], c.key[2]); got&(1<<idx) == 0 {
						t.Errorf("byStart(%q) = %b, misses %q", c.key[1:3], got, name)
					}
				}
			}
			// Too near the end to read two words: left to the long way.
			short := `"` + name + `":1}`
			if len(short) < 18 {
				p := jsonParser{data: []byte(short)}
				if idx, _ := p.namedKey(set, all); idx != -1 {
					t.Errorf("namedKey(%q), %d bytes, = %d, want -1", short, len(short), idx)
				}
			}
		}
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

// TestSkipValueNumbers checks the whole numbers skipValue reads itself
// against scanNumber, which reads every other number.
func TestSkipValueNumbers(t *testing.T) {
	for _, text := range []string{
		"0,", "0}", "0]", "7,", "1795608000}", "01,", "0 ,", "12 ", "1.5,", "1e3}", "-1,", "0x,",
		strings.Repeat("9", 308) + ",", strings.Repeat("9", 309) + ",", strings.Repeat("9", 400) + "}",
	} {
		p := jsonParser{data: []byte(text), str: text}
		err := p.skipValue(1)
		end, serr := scanNumber([]byte(text), 0)
		if (err == nil) != (serr == nil) || (err == nil && p.pos != end) || (err != nil && err.Error() != serr.Error()) {
			t.Errorf("skipValue(%.20q) = %d, %v; scanNumber %d, %v", text, p.pos, err, end, serr)
		}
	}
}

// TestEightDigits checks the eight-digit step against a byte at a time,
// for every byte in every place among digits.
func TestEightDigits(t *testing.T) {
	for place := range 8 {
		for c := range 256 {
			b := []byte("31415926")
			b[place] = byte(c)
			x := uint64(0)
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(b[i])
			}
			want := strings.Trim(string(b), "0123456789") == ""
			if got := eightDigits(x); got != want {
				t.Fatalf("eightDigits(%q) = %v, want %v", b, got, want)
			}
			if want {
				var v uint32
				for _, d := range b {
					v = v*10 + uint32(d-'0')
				}
				if got := eightDigitsValue(x); got != v {
					t.Fatalf("eightDigitsValue(%q) = %d, want %d", b, got, v)
				}
			}
		}
	}
	if got := eightDigitsValue(0x3939393939393939); got != 99999999 {
		t.Errorf("eightDigitsValue(99999999) = %d", got)
	}
}
