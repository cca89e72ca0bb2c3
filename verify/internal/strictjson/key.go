package strictjson

import (
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// A key is an object member's key as read: its body as written, between
// the quotes, and its folded form (see foldRune), which is what keys are
// compared by.
type key struct {
	body    string
	escaped bool // body has escapes
	// self: body is its own folded form (ASCII, no upper case, no
	// escapes), as nearly every key is. Otherwise folded is the form, in
	// the Decoder's buffer, valid until the next key is read.
	self   bool
	folded []byte
}

// form returns k's folded form, as a string of its own when k is not
// self.
func (k key) form() string {
	if k.self {
		return k.body
	}
	return string(k.folded)
}

// decoded returns k's text with its escapes decoded.
func (k key) decoded() string {
	if k.escaped {
		return unescape(k.body)
	}
	return k.body
}

// readKey reads into k the key whose opening quote is at d.pos, checking
// it as scanString checks a string, and folds it on the way: one pass over
// its bytes, whatever they are. A body that is its own folded form is a
// substring of the document; any other is folded into d.fold.
func (d *Decoder) readKey(k *key) error {
	s, start := d.s, d.pos+1
	i := start
	for i < len(s) && selfByte[s[i]] {
		i++
	}
	if i < len(s) && s[i] == '"' {
		d.pos = i + 1
		*k = key{body: s[start:i], self: true}
		return nil
	}
	return d.foldKey(k, start, i)
}

// foldKey is readKey past the first byte, at i, that does not stand for
// itself in a folded key: it reads the rest of the key's body, which
// starts at start, and folds all of it into d.fold.
func (d *Decoder) foldKey(k *key, start, i int) error {
	s := d.s
	folded := append(d.fold[:0], s[start:i]...)
	escaped := false
	t := foldTable()
	for i < len(s) {
		c := s[i]
		if plainByte[c] {
			folded = append(folded, asciiFold[c])
			i++
			continue
		}
		// Two- and three-byte runes, nearly all the runes beyond ASCII in
		// keys, are checked as plainRuneLen checks them and folded here
		// with no call: this keeps a payload of such keys within the
		// ceiling bound (see package verify's BenchmarkGates).
		if c >= 0xc2 && c <= 0xdf && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
			folded = appendTwo(folded, t.two[rune(c&0x1f)<<6|rune(s[i+1]&0x3f)])
			i += 2
			continue
		}
		if c >= 0xe1 && c <= 0xef && c != 0xed && i+2 < len(s) && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80 {
			r := rune(c&0x0f)<<12 | rune(s[i+1]&0x3f)<<6 | rune(s[i+2]&0x3f)
			if f := t.foldRune(r); f != r {
				folded = utf8.AppendRune(folded, f)
			} else {
				folded = append(folded, c, s[i+1], s[i+2])
			}
			i += 3
			continue
		}
		switch {
		case c == '"':
			d.pos, d.fold = i+1, folded
			*k = key{body: s[start:i], escaped: escaped, folded: folded}
			return nil
		case c == '\\':
			r, n, err := decodeEscape(s[i:])
			if err != nil {
				return err
			}
			folded = utf8.AppendRune(folded, t.foldRune(r))
			escaped = true
			i += n
		case c < 0x20:
			return errControl
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return errBadUTF8
			}
			folded = utf8.AppendRune(folded, t.foldRune(r))
			i += n
		}
	}
	return errUnterminated
}

// appendTwo appends f, a rune below U+0800, in UTF-8.
func appendTwo(b []byte, f uint16) []byte {
	if f < utf8.RuneSelf {
		return append(b, byte(f))
	}
	return append(b, 0xc0|byte(f>>6), 0x80|byte(f&0x3f))
}

// selfByte marks the bytes that stand for themselves in a JSON string and
// in a folded key: plainByte but the upper-case letters.
var selfByte = func() (t [256]bool) {
	for c := range t {
		t[c] = plainByte[c] && (c < 'A' || c > 'Z')
	}
	return t
}()

// asciiFold is the folded form of each ASCII byte: its lower case.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		t[c] = byte(c)
		if 'A' <= c && c <= 'Z' {
			t[c] += 'a' - 'A'
		}
	}
	return t
}()

// objectKeys is what one object's keys are checked against: the caller's
// names, which of them were read, and the hashes of the folded forms of
// the other keys read so far (see foldHash). It lives on the caller's
// stack; only an object of more than eight other keys allocates, for a
// hash set of them.
type objectKeys struct {
	names *Names
	found uint32    // bit i: names.list[i] was read
	n     int       // how many other keys were read
	first [8]uint64 // the hashes of the first of them
	// lone is the first of them while it is not hashed (loneUnhashed):
	// see addOther.
	lone         string
	loneUnhashed bool
	rest         foldSet // the hashes of all of them, once there are more than eight
	start        int     // where the object's '{' is
	depth        int     // the object's depth
}

// key reads a member's key and its ':', checks it against the keys before
// it, and returns the index of the name it is, or -1.
func (d *Decoder) key(keys *objectKeys) (int, error) {
	d.skipSpace()
	if d.pos >= len(d.s) || d.s[d.pos] != '"' {
		return -1, syntaxErr("expected a key")
	}
	at := d.pos
	var k key
	if err := d.readKey(&k); err != nil {
		return -1, err
	}
	idx, err := d.addKey(keys, &k, at)
	if err != nil {
		return -1, err
	}
	return idx, d.colon()
}

// addKey records the key k, read at offset at, in keys and returns the
// index of the name it is, or -1. Its cost is linear in k's length,
// whatever the keys before it: k's folded form is compared with the names
// of its length and first byte, and otherwise hashed (see addOther).
func (d *Decoder) addKey(keys *objectKeys, k *key, at int) (int, error) {
	var idx int
	if k.self {
		idx = index(keys.names, k.body)
	} else {
		idx = index(keys.names, k.folded)
	}
	if idx < 0 {
		return -1, d.addOther(keys, k, at)
	}
	if keys.found&(1<<idx) != 0 {
		return -1, fmt.Errorf("%w %q", ErrDuplicateKey, k.decoded())
	}
	if name := keys.names.list[idx]; !k.self && k.decoded() != name {
		return -1, fmt.Errorf("%w: key %q is not spelled %q", ErrSyntax, k.decoded(), name)
	}
	keys.found |= 1 << idx
	return idx, nil
}

// addOther records k, a key that is none of the names, by the hash of its
// folded form. When a hash repeats, which for distinct keys (the seed
// being secret) is as likely as guessing 64 random bits, the object's
// keys are read again to compare k with each (keyBefore): the hashes only
// spare that reading. The first such key, when it is its own folded form,
// is hashed only once a second comes: many objects have one.
func (d *Decoder) addOther(keys *objectKeys, k *key, at int) error {
	if keys.n == 0 && k.self {
		keys.lone, keys.loneUnhashed = k.body, true
		keys.n++
		return nil
	}
	h := foldHash(k)
	if keys.loneUnhashed {
		keys.first[0], keys.loneUnhashed = foldHash(&key{body: keys.lone, self: true}), false
	}
	seen := false
	switch {
	case keys.n < len(keys.first):
		for _, f := range keys.first[:keys.n] {
			seen = seen || f == h
		}
		keys.first[keys.n] = h
	case keys.n == len(keys.first): // the ninth: the set takes over
		for _, f := range keys.first {
			keys.rest.insert(f)
		}
		fallthrough
	default:
		seen = !keys.rest.insert(h)
	}
	if seen && d.keyBefore(keys, k.form(), at) {
		return fmt.Errorf("%w %q", ErrDuplicateKey, k.decoded())
	}
	keys.n++
	return nil
}

// keyBefore reports whether the object of keys has, before offset end, a
// key of the folded form form. Everything before end was checked already.
func (d *Decoder) keyBefore(keys *objectKeys, form string, end int) bool {
	q := Decoder{s: d.s, pos: keys.start + 1}
	for {
		q.skipSpace()
		if q.pos >= end {
			return false
		}
		var prev key
		if err := q.readKey(&prev); err != nil {
			return false // not reached
		}
		if prev.form() == form {
			return true
		}
		if q.colon() != nil || q.Skip(keys.depth) != nil {
			return false // not reached
		}
		if _, err := q.next('}'); err != nil {
			return false // not reached
		}
	}
}

// Names is a list of at most 32 member names, each ASCII without upper
// case (so its own folded form), that Object tells a reader of.
type Names struct {
	list []string
	// bySlot[s] has bit i set if list[i]'s length and first byte give the
	// slot s (see slot): a key is compared only with those names.
	bySlot [256]uint32
}

// NewNames makes the Names of list, whose index in list Object passes on.
// It panics if a name is empty, is not its own folded form, or needs an
// escape in JSON, or if there are more than 32: the lists are the
// package's callers' own constants.
func NewNames(list ...string) *Names {
	if len(list) > 32 {
		panic("strictjson: more than 32 names")
	}
	set := &Names{list: list}
	for i, n := range list {
		for j := range len(n) {
			if !selfByte[n[j]] {
				panic("strictjson: a name that is not its own folded form: " + n)
			}
		}
		if n == "" {
			panic("strictjson: an empty name")
		}
		set.bySlot[slot(n)] |= 1 << i
	}
	return set
}

// List is the names, in the order given to NewNames.
func (set *Names) List() []string { return set.list }

// index returns the index in set of the name equal to folded, or -1
// (always for a nil set).
func index[T ~string | ~[]byte](set *Names, folded T) int {
	if set == nil || len(folded) == 0 {
		return -1
	}
	for c := set.bySlot[slot(folded)]; c != 0; c &= c - 1 {
		i := bits.TrailingZeros32(c)
		if set.list[i] == string(folded) {
			return i
		}
	}
	return -1
}

// slot sorts a non-empty string into one of 256 slots, by the low three
// bits of its length and the low five of its first byte.
func slot[T ~string | ~[]byte](s T) uint8 {
	return uint8(len(s))<<5 | s[0]&31
}
