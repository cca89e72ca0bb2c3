package claimcheck

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// jsonParser is the single pass behind Parse and ParseHeader. It checks the
// full JSON grammar (strings with their escapes and UTF-8, numbers,
// literals), refuses duplicate keys, misspelled claim names and deep
// nesting, and fills the typed claims as it goes, with no reflection.
//
// When a typed claim has the wrong JSON type the pass notes the first such
// mistake (mistype), worded as encoding/json words it, and carries on
// checking the grammar: a syntax error anywhere comes first.
type jsonParser struct {
	data []byte
	// str is data as a string, made once: unescaped strings are substrings
	// of it and cost no allocation of their own.
	str string
	pos int
	// typeErr is the first typed member found with a value of the wrong
	// JSON type (see mistype), reported once the syntax is checked.
	typeErr *ValidationError
	// fold holds the folded form of the last key that is not its own
	// (see foldKey); it grows to the longest such key and is reused.
	fold []byte
	// keyBuf holds the last key with escapes, decoded (see key).
	keyBuf []byte
	// values counts the members and array elements read so far, against
	// MaxJSONValues.
	values int
}

// seenKey is a key already read in the current object, with the keySig
// summary of its folded form: keys equal under folding share it.
type seenKey struct {
	key string
	sig uint32
}

// keySig summarizes a folded key (see foldKey) by its length and first
// byte.
func keySig[T ~string | ~[]byte](folded T) uint32 {
	if len(folded) == 0 {
		return 0
	}
	return uint32(len(folded))<<8 | uint32(folded[0])
}

// MaxJSONDepth is how deeply objects and arrays may nest in a token's header
// or payload. Genuine Firebase tokens nest three levels at most.
const MaxJSONDepth = 16

// MaxJSONMembers is how many members one object of a token's header or
// payload may have, and MaxJSONValues how many members and array elements
// the whole header or payload may have. A genuine Firebase payload has
// about 20 members of its own and custom claims of at most 1000 bytes of
// JSON, which hold at most about 170 members or 500 array elements (a
// member takes at least 6 bytes, an element 2). The limits refuse early,
// before the whole payload is read, what only junk has.
const (
	MaxJSONMembers = 256
	MaxJSONValues  = 1024
)

// errDuplicateKey, errTooDeep, errTooMany and errSyntax are wrapped into
// ErrMalformed by callers.
var (
	errDuplicateKey = errors.New("duplicate key")
	errTooDeep      = errors.New("nesting too deep")
	errTooMany      = errors.New("too many values")
	errSyntax       = errors.New("invalid JSON")
)

var (
	errTooManyMembers = fmt.Errorf("%w: more than %d members in one object", errTooMany, MaxJSONMembers)
	errTooManyValues  = fmt.Errorf("%w: more than %d members and array elements in all", errTooMany, MaxJSONValues)
)

// decisive reports whether err, returned by a pass over a prefix of a
// document, is the error the same pass returns for any document starting
// with that prefix: one found where everything before was read in full
// and nothing after was looked at (a limit, a duplicate of a key read in
// full, an opening bracket too deep, a first byte that opens no object).
// Errors at the end of the prefix, such as an unterminated string, a
// literal or escape cut short, or a number whose range depends on digits
// yet to come, are not.
func (p *jsonParser) decisive(err error) bool {
	if err == errNotObject {
		return p.pos < len(p.data)
	}
	return errors.Is(err, errTooMany) || errors.Is(err, errTooDeep) || errors.Is(err, errDuplicateKey)
}

// count counts one more member or array element against MaxJSONValues.
func (p *jsonParser) count() error {
	p.values++
	if p.values > MaxJSONValues {
		return errTooManyValues
	}
	return nil
}

func syntaxErr(msg string) error { return fmt.Errorf("%w: %s", errSyntax, msg) }

var (
	errUnexpectedEnd = syntaxErr("unexpected end")
	errBadUTF8       = syntaxErr("not valid UTF-8")
	errNotObject     = syntaxErr("not a JSON object")
)

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) && p.data[p.pos] <= ' ' {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte.
func (p *jsonParser) peek() (byte, error) {
	p.skipSpace()
	if p.pos >= len(p.data) {
		return 0, errUnexpectedEnd
	}
	return p.data[p.pos], nil
}

// begin checks that data is one object (after white space), leaving
// p.pos at its '{'.
func (p *jsonParser) begin() error {
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != '{' {
		return errNotObject
	}
	return nil
}

// members reads the object whose '{' is at p.pos, a container at depth.
// Each key is checked against the keys before it and against names (nil
// for an object without typed members); member then reads the value,
// given the key and the index of the name it is (or -1). The key may be
// held in a buffer the next key overwrites, unless keep asks for keys
// that member may keep.
func (p *jsonParser) members(depth int, names *nameSet, keep bool, member func(key string, idx int) error) error {
	keys := objectKeys{names: names, start: p.pos, depth: depth}
	empty, err := p.open('}', depth)
	if err != nil || empty {
		return err
	}
	for n := 1; ; n++ {
		if p.values++; n > MaxJSONMembers || p.values > MaxJSONValues {
			if n > MaxJSONMembers {
				return errTooManyMembers
			}
			return errTooManyValues
		}
		k, idx, temp, err := p.key(&keys)
		if err != nil {
			return err
		}
		if temp && keep {
			k = strings.Clone(k)
		}
		if err := member(k, idx); err != nil {
			return err
		}
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++ // compact JSON: the ',' right after the value
			continue
		}
		more, err := p.next('}')
		if err != nil || !more {
			return err
		}
	}
}

// end checks that nothing but white space follows the top-level object.
func (p *jsonParser) end() error {
	p.skipSpace()
	if p.pos != len(p.data) {
		return syntaxErr("data after the object")
	}
	return nil
}

// open consumes the '{' or '[' at p.pos of a container at depth and
// reports whether it closes at once.
func (p *jsonParser) open(closer byte, depth int) (empty bool, err error) {
	if depth > MaxJSONDepth {
		return false, errTooDeep
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == closer {
		p.pos++
		return true, nil
	}
	return false, nil
}

// next consumes the ',' or closer after a member and reports whether
// another member follows.
func (p *jsonParser) next(closer byte) (more bool, err error) {
	p.skipSpace()
	if p.pos >= len(p.data) {
		return false, errUnexpectedEnd
	}
	switch p.data[p.pos] {
	case ',':
		p.pos++
		return true, nil
	case closer:
		p.pos++
		return false, nil
	}
	if closer == '}' {
		return false, syntaxErr("expected ',' or '}'")
	}
	return false, syntaxErr("expected ',' or ']'")
}

// objectKeys is what one object's keys must be checked against: the names
// of its typed members (nil for an object without any), which of them were
// read, and every other key read so far. It lives on the caller's stack;
// only an object with more than eight other keys allocates, for a hash
// set of them.
type objectKeys struct {
	names *nameSet
	found uint32     // bit i: names.names[i] was read
	n     int        // how many other keys were read
	first [8]seenKey // the first of them
	rest  foldSet    // the hashes of all of them, once there are more than eight
	start int        // where the object's '{' is
	depth int        // the object's depth
}

// key reads a member's key and its ':', and returns the key and the index
// of the name it is (or -1). The key must differ, under the case folding
// encoding/json applies to field names, from every key read before in the
// object; and a key that folds to one of the names must be spelled exactly
// like it. temp reports a key with escapes, decoded into p.keyBuf, which
// the next such key overwrites.
func (p *jsonParser) key(keys *objectKeys) (_ string, _ int, temp bool, _ error) {
	// The commonest key, a claim name spelled exactly, right after the
	// '{' or ',' (see namedKey), if its first two bytes start a name that
	// the object has not had yet; any other key is read the long way.
	if d, i, names := p.data, p.pos, keys.names; names != nil && i+2 < len(d) && d[i] == '"' {
		if c := names.byStart(d[i+1], d[i+2]) &^ keys.found; c != 0 {
			if idx, end := p.namedKey(names, c); idx >= 0 {
				keys.found |= 1 << idx
				if end < len(d) && d[end] == ':' {
					p.pos = end + 1 // compact JSON: the ':' right after the key
					return names.names[idx], idx, false, nil
				}
				p.pos = end
				return names.names[idx], idx, false, p.colon()
			}
		}
	}
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != '"' {
		return "", -1, false, syntaxErr("expected a key")
	}
	at := p.pos
	// A key of plain bytes, as nearly every key is, is read here, eight
	// bytes at a time: it needs no decoding and is its own folded form.
	d := p.data
	start := p.pos + 1
	i := start
	for i+8 <= len(d) {
		n := plainKeyPrefix(binary.LittleEndian.Uint64(d[i:]))
		i += n
		if n < 8 {
			break
		}
	}
	if i+8 > len(d) {
		for i < len(d) && plainKeyByte[d[i]] {
			i++
		}
	}
	self := i < len(d) && d[i] == '"'
	if !self && i < len(d) && 'A' <= d[i] && d[i] <= 'Z' {
		// Upper case: still plain, but to be folded (by addKey).
		for i+8 <= len(d) {
			n := plainPrefix(binary.LittleEndian.Uint64(d[i:]))
			i += n
			if n < 8 {
				break
			}
		}
		for i < len(d) && plainByte[d[i]] {
			i++
		}
	}
	var k string
	if i < len(d) && d[i] == '"' {
		k = p.str[start:i]
		p.pos = i + 1
	} else {
		if _, _, err := p.readString(false); err != nil {
			return "", -1, false, err
		}
		body := d[start : p.pos-1]
		if bytes.IndexByte(body, '\\') < 0 {
			k = p.str[start : p.pos-1]
		} else {
			// Decoded into a buffer kept for the next key, not allocated:
			// a payload of escaped keys allocated once per key.
			p.keyBuf = appendUnescaped(p.keyBuf[:0], body)
			k, temp = unsafe.String(unsafe.SliceData(p.keyBuf), len(p.keyBuf)), true
		}
	}
	idx, err := p.addKey(keys, k, self, temp, at)
	if err != nil {
		return "", -1, false, err
	}
	if p.pos < len(d) && d[p.pos] == ':' {
		p.pos++
		return k, idx, temp, nil
	}
	return k, idx, temp, p.colon()
}

// colon consumes the ':' after a key, after white space if any.
func (p *jsonParser) colon() error {
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != ':' {
		return syntaxErr("expected ':'")
	}
	p.pos++
	return nil
}

// result is what Parse, ParseHeader and ParseAppCheck return once the
// object at the top of p was read with outcome err: a syntax fault, or
// data after the object, as ErrMalformed of where ("payload", "header");
// else the first mistyped member recorded; else nil.
func (p *jsonParser) result(where string, err error) error {
	if err == nil {
		err = p.end()
	}
	if err != nil {
		return &ValidationError{Claim: where, Err: ErrMalformed, Actual: err.Error()}
	}
	if p.typeErr != nil {
		return p.typeErr
	}
	return nil
}

// plainKeyByte marks the bytes of a key that is its own folded form and
// needs no decoding: printable ASCII but upper-case letters, the quote and
// the backslash.
var plainKeyByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && (c < 'A' || c > 'Z')
	}
	return t
}()

// plainKeyPrefix counts the bytes at the start of x (read little-endian)
// that are plainKeyByte: plainPrefix's, less the upper-case letters, which
// it flags by subtracting from each byte with its high bit set (so no
// borrow crosses bytes): 0x41 leaves the high bit for bytes from 'A' up,
// 0x5b for bytes above 'Z'.
func plainKeyPrefix(x uint64) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	controlOrHigh := (x - ones*0x20) | x // bytes below 0x20 or beyond ASCII
	quote := (q - ones) &^ q             // '"'
	backslash := (bs - ones) &^ bs       // '\\'
	h := x | highs
	upper := (h - ones*'A') &^ (h - ones*('Z'+1)) // 'A'..'Z'
	return int(uint(bits.TrailingZeros64((controlOrHigh|quote|backslash|upper)&highs)) / 8)
}

// addKey records key k, read at offset at, in keys and returns the index
// of the name it is, or -1. self tells that k is known to be its own
// folded form, temp that k is held in p.keyBuf (so keys keeps a copy).
//
// Every check costs time in proportion to k's length, whatever the keys
// before it: k is folded once (foldKey), a key that folds to one of the
// names is compared only with the names of its keySig and with whether
// that name was read (found), and any other key only with the other keys
// of its keySig among the first eight, then through the hash set of the
// folded forms (it cannot fold to a name, read or not). The set keeps only
// hashes; when one repeats, which for distinct keys (the seed being
// secret) is as likely as guessing 64 random bits, the object's keys are
// read again to compare k with each.
func (p *jsonParser) addKey(keys *objectKeys, k string, self, temp bool, at int) (int, error) {
	var folded []byte
	if !self {
		folded, self = foldKey(k, p.fold)
		p.fold = folded
	}
	var sig uint32
	idx := -1
	if self {
		sig = keySig(k)
		idx = keys.names.index(k, sig)
	} else {
		sig = keySig(folded)
		idx = keys.names.indexBytes(folded, sig)
	}
	if idx >= 0 {
		name := keys.names.names[idx]
		if keys.found&(1<<idx) != 0 {
			return -1, fmt.Errorf("%w %q", errDuplicateKey, k)
		}
		if !self && k != name { // a key that is its own folded form matched exactly
			return -1, fmt.Errorf("%w: key %q is not spelled %q", errSyntax, k, name)
		}
		keys.found |= 1 << idx
		return idx, nil // names never fold to one another
	}
	if keys.n < len(keys.first) {
		for _, s := range keys.first[:keys.n] {
			if s.sig == sig && foldEqual(s.key, k) {
				return -1, fmt.Errorf("%w %q", errDuplicateKey, k)
			}
		}
		if temp {
			k = strings.Clone(k)
		}
		keys.first[keys.n] = seenKey{key: k, sig: sig}
		keys.n++
		return -1, nil
	}
	if keys.n == len(keys.first) { // the ninth: the set takes over
		for _, s := range keys.first {
			f, self := foldKey(s.key, p.fold)
			p.fold = f
			keys.rest.insert(foldHash(s.key, f, self)) // distinct, whatever the hashes
		}
		folded, self = foldKey(k, p.fold)
		p.fold = folded
	}
	if !keys.rest.insert(foldHash(k, folded, self)) && p.keyBefore(keys, k, at) {
		return -1, fmt.Errorf("%w %q", errDuplicateKey, k)
	}
	keys.n++
	return -1, nil
}

// keyBefore reports whether the object of keys has, before offset end, a
// key equal to k under folding. Everything before end was checked already.
func (p *jsonParser) keyBefore(keys *objectKeys, k string, end int) bool {
	q := jsonParser{data: p.data, str: p.str, pos: keys.start + 1}
	for {
		q.skipSpace()
		if q.pos >= end {
			return false
		}
		prev, _, err := q.readString(true)
		if err != nil {
			return false // not reached
		}
		if foldEqual(prev, k) {
			return true
		}
		q.skipSpace()
		q.pos++ // ':'
		if err := q.skipValue(keys.depth); err != nil {
			return false // not reached
		}
		q.skipSpace()
		q.pos++ // ','
	}
}

// foldKey returns k's folded form: each rune replaced by the smallest rune
// it folds to (the smallest of its unicode.SimpleFold orbit), and then an
// ASCII upper-case letter by its lower case. Two keys are equal under
// strings.EqualFold (the folding encoding/json matches field names with)
// exactly when their folded forms are equal. self reports that k is its
// own folded form (ASCII without upper case, as nearly every key is);
// otherwise the form is written over buf, which is returned grown.
func foldKey(k string, buf []byte) (folded []byte, self bool) {
	i := 0
	for i < len(k) && k[i] < utf8.RuneSelf && (k[i] < 'A' || k[i] > 'Z') {
		i++
	}
	if i == len(k) {
		return buf[:0], true
	}
	// The folded form of valid UTF-8 is never longer than k (the smallest
	// rune of an orbit takes no more bytes), so it is written in place.
	if cap(buf) < len(k) {
		buf = make([]byte, len(k))
	}
	buf = buf[:cap(buf)]
	n := copy(buf, k[:i])
	var table *foldPages
	for i < len(k) {
		c := k[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[n] = c
			n++
			i++
			continue
		}
		if table == nil {
			table = foldTable()
		}
		if i+1 < len(k) && 0xc2 <= c && c <= 0xdf && k[i+1]&0xc0 == 0x80 {
			// Two bytes, as most runes beyond ASCII in keys are: their
			// folded form, at most two bytes too, is looked up whole.
			f := table.two[(uint16(c&0x1f)<<6|uint16(k[i+1]&0x3f))&0x7ff]
			if f < utf8.RuneSelf {
				buf[n] = byte(f)
				n++
			} else {
				buf[n], buf[n+1] = 0xc0|byte(f>>6), 0x80|byte(f)&0x3f
				n += 2
			}
			i += 2
			continue
		}
		var r rune
		size := 3
		if i+2 < len(k) && plainThreeByte(c, k[i+1], k[i+2]) {
			r = rune(c&0x0f)<<12 | rune(k[i+1]&0x3f)<<6 | rune(k[i+2]&0x3f)
		} else if r, size = utf8.DecodeRuneInString(k[i:]); r == utf8.RuneError && size == 1 {
			return foldInvalid(k, buf[:n], i)
		}
		r = table.smallest(r)
		switch {
		case 'A' <= r && r <= 'Z':
			buf[n] = byte(r) + 'a' - 'A'
			n++
		case r < utf8.RuneSelf:
			buf[n] = byte(r)
			n++
		case r < 0x800:
			buf[n], buf[n+1] = 0xc0|byte(r>>6), 0x80|byte(r)&0x3f
			n += 2
		case r < 0x10000: // never a surrogate: the smallest of a rune's orbit is a rune
			buf[n], buf[n+1], buf[n+2] = 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f
			n += 3
		default:
			n += utf8.EncodeRune(buf[n:], r)
		}
		i += size
	}
	return buf[:n], false
}

// foldInvalid is foldKey from offset i of k on, where k is not valid
// UTF-8 (each such byte folds to U+FFFD, three bytes), appending to buf
// the form of what comes before. Keys are checked to be UTF-8 before they
// are folded; this keeps foldKey total.
func foldInvalid(k string, buf []byte, i int) ([]byte, bool) {
	for _, r := range k[i:] {
		r = smallestFold(r)
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		buf = utf8.AppendRune(buf, r)
	}
	return buf, false
}

// plainThreeByte reports whether a, b, c are a three-byte UTF-8 sequence
// whose lead byte allows any continuation bytes (E1-EC, EE, EF: neither
// an overlong form nor a surrogate can start so); others are left to the
// utf8 package.
func plainThreeByte(a, b, c byte) bool {
	return (0xe1 <= a && a <= 0xec || a == 0xee || a == 0xef) && b&0xc0 == 0x80 && c&0xc0 == 0x80
}

// smallestFold returns the smallest rune that r folds to, itself included,
// from foldTable: a lookup, where unicode.SimpleFold walks r's orbit with
// a binary search per step (a payload of such runes cost ten times a
// verification).
func smallestFold(r rune) rune { return foldTable().smallest(r) }

// smallest is smallestFold with the table at hand.
func (t *foldPages) smallest(r rune) rune {
	if uint32(r) > unicode.MaxRune {
		return r
	}
	page := t.index[r>>8]
	if page == 0 {
		return r
	}
	return t.pages[page][r&0xff]
}

// orbitMin returns the smallest rune that r folds to, itself included,
// walking its unicode.SimpleFold orbit: what foldTable holds.
func orbitMin(r rune) rune {
	smallest := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		smallest = min(smallest, f)
	}
	return smallest
}

// foldTable holds orbitMin for every rune, in pages of 256 runes: index
// gives each page's place in pages, 0 for the pages where every rune is
// its own orbitMin (most of them). A rune with any case mapping is in one
// of unicode.CaseRanges, so only those are walked; TestFoldTable checks
// every rune. It is built on first use (about a millisecond), as most
// programs never read a key beyond ASCII.
var foldTable = sync.OnceValue(func() *foldPages {
	t := &foldPages{pages: make([][256]rune, 1, 32)}
	for _, cr := range unicode.CaseRanges {
		for r := rune(cr.Lo); r <= rune(cr.Hi); r++ {
			m := orbitMin(r)
			if m == r {
				continue
			}
			if t.index[r>>8] == 0 {
				var page [256]rune
				for i := range page {
					page[i] = r&^0xff | rune(i)
				}
				t.index[r>>8] = uint16(len(t.pages))
				t.pages = append(t.pages, page)
			}
			t.pages[t.index[r>>8]][r&0xff] = m
		}
	}
	for r := range t.two {
		f := t.smallest(rune(r))
		if 'A' <= f && f <= 'Z' {
			f += 'a' - 'A'
		}
		t.two[r] = uint16(f)
	}
	return t
})

// foldPages is the form of foldTable.
type foldPages struct {
	index [(unicode.MaxRune + 1) >> 8]uint16
	pages [][256]rune
	// two is foldKey's folded form of each rune below U+0800 (the ones
	// two bytes of UTF-8 spell): its orbitMin, with an ASCII upper-case
	// letter then lowered, as foldKey writes it.
	two [0x800]uint16
}

// foldSeed seeds the hash of folded keys, so that no one can choose keys
// that all land in one slot. It is set once, at start-up.
var foldSeed = maphash.MakeSeed()

// foldHash hashes k's folded form: k itself if self, else folded.
func foldHash(k string, folded []byte, self bool) uint64 {
	if self {
		return maphash.String(foldSeed, k)
	}
	return maphash.Bytes(foldSeed, folded)
}

// foldSet is a set of the foldHashes of keys (open addressing, linear
// probing). It holds no pointers, so the collector never scans it, and is
// made at once with room for MaxJSONMembers keys at most half full, so it
// never grows.
type foldSet struct {
	slots []uint64 // a foldHash with slotUsed set, or 0 for an empty slot
}

const slotUsed = 1 << 63

// insert adds the hash h and reports whether it was not there already.
func (s *foldSet) insert(h uint64) bool {
	if s.slots == nil {
		s.slots = make([]uint64, foldSetSlots)
	}
	h |= slotUsed
	for i := int(h) & (foldSetSlots - 1); ; i = (i + 1) & (foldSetSlots - 1) {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return true
		case h:
			return false
		}
	}
}

// foldSetSlots is the size of a foldSet: a power of two, at least twice
// MaxJSONMembers.
const foldSetSlots = 512

// nameSet is a list of at most 32 field names, all ASCII without upper
// case (so each is its own folded form), indexed so that a folded key is
// compared only with the names of its keySig: bySig[sigSlot(sig)] has bit
// i set if names[i]'s keySig lands in that slot.
type nameSet struct {
	names []string
	bySig [256]uint32
	// byFirst[c] and bySecond[c] have bit i set if the first or second
	// byte of names[i] and its closing quote is c (see byStart), and
	// words[i] is names[i] as namedKey compares it.
	byFirst, bySecond [256]uint32
	words             []nameWords
}

// byStart returns the names whose first two bytes, with the closing quote
// after the name, are a and b: those a key starting with a and b can be.
func (set *nameSet) byStart(a, b byte) uint32 {
	return set.byFirst[a] & set.bySecond[b]
}

func newNameSet(names []string) *nameSet {
	if len(names) > 32 {
		panic("claims: more than 32 names in a nameSet")
	}
	set := &nameSet{names: names}
	for i, n := range names {
		if _, self := foldKey(n, nil); !self {
			panic("claims: a name in a nameSet is not its own folded form")
		}
		set.bySig[sigSlot(keySig(n))] |= 1 << i
		quoted := n + `"`
		set.byFirst[quoted[0]] |= 1 << i
		set.bySecond[quoted[1]] |= 1 << i
		set.words = append(set.words, wordsOf(n))
	}
	return set
}

// index returns the index of the name equal to folded, whose keySig is
// sig, or -1 (always for a nil set).
func (set *nameSet) index(folded string, sig uint32) int {
	if set == nil {
		return -1
	}
	for c := set.bySig[sigSlot(sig)]; c != 0; c &= c - 1 {
		i := bits.TrailingZeros32(c)
		if set.names[i] == folded {
			return i
		}
	}
	return -1
}

// indexBytes is index for a folded form held in bytes.
func (set *nameSet) indexBytes(folded []byte, sig uint32) int {
	if set == nil {
		return -1
	}
	for c := set.bySig[sigSlot(sig)]; c != 0; c &= c - 1 {
		i := bits.TrailingZeros32(c)
		if set.names[i] == string(folded) {
			return i
		}
	}
	return -1
}

// sigSlot folds a keySig summary into 256 slots: the low three bits of the
// length and the low five of the first byte.
func sigSlot(sig uint32) uint8 {
	return uint8(sig>>8)<<5 | uint8(sig)&31
}

func foldEqual(a, b string) bool {
	if len(a) == len(b) && isASCII(a) && isASCII(b) {
		for i := 0; i < len(a); i++ {
			x, y := a[i], b[i]
			if x != y && (x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z') {
				return false
			}
		}
		return true
	}
	return strings.EqualFold(a, b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// skipValue checks one value inside a container at depth.
func (p *jsonParser) skipValue(depth int) error {
	c, err := p.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return p.skipObject(depth + 1)
	case '[':
		return p.skipArray(depth + 1)
	case '"':
		_, _, err := p.readString(false)
		return err
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	}
	if '0' <= c && c <= '9' {
		if end, ok := wholeNumberEnd(p.data, p.pos); ok {
			p.pos = end
			return nil
		}
	}
	return p.skipNumber()
}

// wholeNumberEnd returns the end of the number starting with the digit at
// d[i] when it is the commonest kind: a whole number of at most
// maxFloatDigits digits (so within float64's range), followed at once by
// ',', '}' or ']'. For any other number ok is false, and the caller reads
// it with scanNumber, which finds the same end for these.
func wholeNumberEnd(d []byte, i int) (end int, ok bool) {
	j := i + 1
	if d[i] != '0' {
		for j < len(d) && '0' <= d[j] && d[j] <= '9' {
			j++
		}
	}
	if j < len(d) && (d[j] == ',' || d[j] == '}' || d[j] == ']') && j-i <= maxFloatDigits {
		return j, true
	}
	return 0, false
}

// skipArray checks an array at depth whose '[' is at p.pos. Numbers, the
// commonest elements, are read in the loop itself.
func (p *jsonParser) skipArray(depth int) error {
	empty, err := p.open(']', depth)
	if err != nil || empty {
		return err
	}
	d := p.data
	i := p.pos
	for {
		if p.values++; p.values > MaxJSONValues {
			p.pos = i
			return errTooManyValues
		}
		for i < len(d) && jsonSpace[d[i]] {
			i++
		}
		if i >= len(d) {
			return errUnexpectedEnd
		}
		if c := d[i]; '0' <= c && c <= '9' {
			if end, ok := wholeNumberEnd(d, i); ok {
				i = end
			} else if i, err = scanNumber(d, i); err != nil {
				return err
			}
		} else if c == '-' {
			if i, err = scanNumber(d, i); err != nil {
				return err
			}
		} else if c == '[' {
			p.pos = i
			if err := p.skipArray(depth + 1); err != nil {
				return err
			}
			i = p.pos
		} else {
			p.pos = i
			if err := p.skipValue(depth); err != nil {
				return err
			}
			i = p.pos
		}
		for i < len(d) && jsonSpace[d[i]] {
			i++
		}
		if i >= len(d) {
			return errUnexpectedEnd
		}
		switch d[i] {
		case ',':
			i++
		case ']':
			p.pos = i + 1
			return nil
		default:
			return syntaxErr("expected ',' or ']'")
		}
	}
}

// jsonSpace marks JSON's white space.
var jsonSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// skipObject checks an object at depth whose '{' is at p.pos.
func (p *jsonParser) skipObject(depth int) error {
	return p.members(depth, nil, false, func(string, int) error { return p.skipValue(depth) })
}

func (p *jsonParser) literal(word string) error {
	if len(p.data)-p.pos < len(word) || p.str[p.pos:p.pos+len(word)] != word {
		return syntaxErr("invalid literal")
	}
	p.pos += len(word)
	return nil
}

// readNumber reads a number as JSON spells it (RFC 8259, section 6) and
// returns its text.
func (p *jsonParser) readNumber() (string, error) {
	start := p.pos
	if err := p.skipNumber(); err != nil {
		return "", err
	}
	return p.str[start:p.pos], nil
}

// skipNumber checks the number at p.pos and moves past it.
func (p *jsonParser) skipNumber() error {
	end, err := scanNumber(p.data, p.pos)
	p.pos = end
	return err
}

// scanNumber checks the number at d[i:] and returns the index after it.
// A number beyond float64's range (1e400, a 400-digit integer) is refused:
// encoding/json cannot decode it into an interface value, so neither
// Token.Decode into a map nor the Admin SDK could read the payload.
func scanNumber(d []byte, i int) (int, error) {
	start := i
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := i
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i++
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	default:
		return i, syntaxErr("invalid value")
	}
	if i >= len(d) || (d[i] != '.' && d[i] != 'e' && d[i] != 'E') {
		if i-digits > maxFloatDigits && !inFloatRange(d[start:i]) {
			return i, numberRangeErr(d[start:i])
		}
		return i, nil // a whole number, as nearly all are
	}
	if d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return i, syntaxErr("invalid number")
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return i, syntaxErr("invalid number")
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	if !inFloatRange(d[start:i]) {
		return i, numberRangeErr(d[start:i])
	}
	return i, nil
}

// maxFloatDigits is the most digits of a whole number always within
// float64's range (about 1.8e308).
const maxFloatDigits = 308

// errNumberRange is wrapped into ErrMalformed by callers.
var errNumberRange = errors.New("number beyond float64's range")

func numberRangeErr(text []byte) error {
	return fmt.Errorf("%w: %s (encoding/json cannot decode it into an interface value, nor can the Admin SDK)",
		errNumberRange, quote(string(text)))
}

// inFloatRange reports whether the JSON number text (already checked)
// converts to a finite float64, as strconv.ParseFloat requires. It finds
// the decimal exponent of the leading digit, and only on the edge (10^308
// to 10^309) asks strconv.ParseFloat; its cost is linear in len(text).
func inFloatRange(text []byte) bool {
	i := 0
	if text[i] == '-' {
		i++
	}
	lead, nonzero := 0, false // lead: the exponent of the leading nonzero digit
	intStart := i
	for i < len(text) && '0' <= text[i] && text[i] <= '9' {
		i++
	}
	if text[intStart] != '0' {
		lead, nonzero = i-intStart-1, true
	}
	if i < len(text) && text[i] == '.' {
		i++
		for z := 1; i < len(text) && '0' <= text[i] && text[i] <= '9'; i, z = i+1, z+1 {
			if !nonzero && text[i] != '0' {
				lead, nonzero = -z, true
			}
		}
	}
	if !nonzero {
		return true // zero, whatever the exponent
	}
	exp := int64(0)
	if i < len(text) { // 'e' or 'E'
		i++
		neg := text[i] == '-'
		if text[i] == '+' || text[i] == '-' {
			i++
		}
		for ; i < len(text); i++ {
			if exp < 1<<40 { // far beyond any length of text
				exp = exp*10 + int64(text[i]-'0')
			}
		}
		if neg {
			exp = -exp
		}
	}
	switch e := int64(lead) + exp; {
	case e < maxFloatDigits:
		return true
	case e > maxFloatDigits:
		return false
	}
	_, err := strconv.ParseFloat(string(text), 64)
	return err == nil
}

// readString reads the string whose opening quote is at p.pos, checking
// its escapes and UTF-8. With want, it returns the decoded value: a
// substring of p.str when there is no escape. ascii reports that the
// string has neither escapes nor bytes beyond ASCII.
func (p *jsonParser) readString(want bool) (s string, ascii bool, err error) {
	start := p.pos + 1
	d := p.data
	i := start
	escaped, high := false, false
	for {
		if i >= len(d) {
			return "", false, syntaxErr("unterminated string")
		}
		// Eight bytes at a time up to the first that is a quote, a
		// backslash, a control character or beyond ASCII; one at a time
		// near the end.
		for i+8 <= len(d) {
			if m := notPlain(binary.LittleEndian.Uint64(d[i:])); m != 0 {
				i += int(uint(bits.TrailingZeros64(m)) / 8)
				break
			}
			i += 8
		}
		if i+8 > len(d) {
			for i < len(d) && plainByte[d[i]] {
				i++
			}
		}
		if i >= len(d) {
			return "", false, syntaxErr("unterminated string")
		}
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			if !want {
				return "", false, nil
			}
			if !escaped {
				return p.str[start:i], !high, nil
			}
			return unescape(d[start:i]), false, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(d) {
				return "", false, syntaxErr("unterminated string")
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if hex4(d[i+2:]) < 0 {
					return "", false, syntaxErr("invalid \\u escape")
				}
				i += 6
			default:
				return "", false, syntaxErr("invalid escape")
			}
		case c < 0x20:
			return "", false, syntaxErr("control character in string")
		case c < utf8.RuneSelf:
			i++
		default:
			// A run of runes beyond ASCII, read here; two-byte ones, the
			// commonest, without decoding them.
			high = true
			for i < len(d) && d[i] >= utf8.RuneSelf {
				if i+1 < len(d) && 0xc2 <= d[i] && d[i] <= 0xdf && d[i+1]&0xc0 == 0x80 {
					i += 2
					continue
				}
				if i+2 < len(d) && plainThreeByte(d[i], d[i+1], d[i+2]) {
					i += 3
					continue
				}
				r, size := utf8.DecodeRune(d[i:])
				if r == utf8.RuneError && size == 1 {
					return "", false, errBadUTF8
				}
				i += size
			}
		}
	}
}

// plainByte marks the bytes that stand for themselves in a JSON string:
// printable ASCII but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainPrefix counts the bytes at the start of x (read little-endian) that
// are plainByte.
func plainPrefix(x uint64) int {
	return int(uint(bits.TrailingZeros64(notPlain(x))) / 8)
}

// notPlain flags with its high bit the bytes of x that are not plainByte,
// with the zero-byte tests of "Bit Twiddling Hacks" (haszero, hasless): a
// flag can be spurious only above a byte rightly flagged, so the lowest
// flag is exact. (hasless's usual "&^ x" is left out: x itself flags the
// bytes beyond ASCII.)
func notPlain(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	controlOrHigh := (x - ones*0x20) | x // bytes below 0x20 or beyond ASCII
	quote := (q - ones) &^ q             // '"'
	backslash := (bs - ones) &^ bs       // '\\'
	return (controlOrHigh | quote | backslash) & highs
}

// hex4 decodes the four hex digits at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
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

// unescape decodes the body of a string already checked by readString, as
// encoding/json does: a \u escape of a lone or misordered surrogate becomes
// U+FFFD.
func unescape(s []byte) string {
	return string(appendUnescaped(make([]byte, 0, len(s)), s))
}

// appendUnescaped appends the body s, decoded as unescape does, to b.
func appendUnescaped(b, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		switch s[i+1] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, hex4(s[i+2:])); dec != unicode.ReplacementChar {
						b = utf8.AppendRune(b, dec)
						i += 6
						continue
					}
				}
				r = unicode.ReplacementChar
			}
			b = utf8.AppendRune(b, r)
			continue
		default: // '"', '\\', '/'
			b = append(b, s[i+1])
		}
		i += 2
	}
	return b
}

// Typed members. A table of fields (see fields) names the typed members
// of one kind of object, and for each the rule its type belongs to and how
// its value is read. Each reader stores the value when its JSON type fits
// the Go type encoding/json would decode it into, leaves the zero value
// for null (as encoding/json does), and otherwise records the first such
// mistake (mistype) and only checks the value's grammar: the document's
// syntax is checked to the end first, and the mistake reported after.

// field is a typed member of objects of type T: its claim name, the rule
// a value of the wrong JSON type breaks (nil for ErrMalformed), the kind
// of its value, and where in a T its value goes. The place is an offset,
// found once from a typed accessor (see at), so that reading a member is a
// switch and a direct call: calling the accessor itself, a function value,
// would move every T read (and the parser) to the heap.
type field[T any] struct {
	name   string
	rule   error
	kind   fieldKind
	offset uintptr
}

// fieldKind is the Go type a field's value is read into.
type fieldKind uint8

const (
	kindString     fieldKind = iota // string
	kindTime                        // time.Time, from a NumericDate
	kindBool                        // bool
	kindPresent                     // bool: the member is there, whatever its value (crit)
	kindTypeOnly                    // a string, checked and dropped (uid)
	kindStrings                     // []string
	kindFirebase                    // Firebase, the firebase claim
	kindIdentities                  // firebase.identities, checked and dropped (Token.Identities decodes it)
)

// at makes the field name of kind, whose value the accessor reaches in a
// T (called once, here, on a zero T).
func at[T, F any](name string, rule error, kind fieldKind, accessor func(*T) *F) field[T] {
	var zero T
	offset := uintptr(unsafe.Pointer(accessor(&zero))) - uintptr(unsafe.Pointer(&zero))
	return field[T]{name: name, rule: rule, kind: kind, offset: offset}
}

// The constructors of each kind of field, typed so that a field cannot be
// read into a Go value of another type.

func stringField[T any](name string, rule error, accessor func(*T) *string) field[T] {
	return at(name, rule, kindString, accessor)
}

func timeField[T any](name string, rule error, accessor func(*T) *time.Time) field[T] {
	return at(name, rule, kindTime, accessor)
}

func boolField[T any](name string, rule error, accessor func(*T) *bool) field[T] {
	return at(name, rule, kindBool, accessor)
}

func presentField[T any](name string, rule error, accessor func(*T) *bool) field[T] {
	return at(name, rule, kindPresent, accessor)
}

func typeOnlyField[T any](name string, rule error) field[T] {
	return field[T]{name: name, rule: rule, kind: kindTypeOnly}
}

func stringsField[T any](name string, rule error, accessor func(*T) *[]string) field[T] {
	return at(name, rule, kindStrings, accessor)
}

func firebaseField[T any](name string, rule error, accessor func(*T) *Firebase) field[T] {
	return at(name, rule, kindFirebase, accessor)
}

func identitiesField[T any](name string, rule error) field[T] {
	return field[T]{name: name, rule: rule, kind: kindIdentities}
}

// member is what a reader needs to know of the member it reads: the claim
// as encoding/json names it in a type error (the path of keys, such as
// "firebase.tenant"), its rule, and the depth of its object.
type member struct {
	path  string
	rule  error
	depth int
}

// fields is the table of the typed members of objects of type T, which
// are at depth, with the nameSet of their names (so field i is the name at
// index i) and each one's member.
type fields[T any] struct {
	list    []field[T]
	members []member
	names   *nameSet
	depth   int
}

// newFields makes the table of list, for objects at depth whose paths in
// a type error are prefix and the name.
func newFields[T any](prefix string, depth int, list ...field[T]) *fields[T] {
	t := &fields[T]{list: list, depth: depth}
	names := make([]string, len(list))
	for i, f := range list {
		names[i] = f.name
		t.members = append(t.members, member{path: prefix + f.name, rule: f.rule, depth: depth})
	}
	t.names = newNameSet(names)
	return t
}

// read reads the object whose '{' is at p.pos into dst: its typed members
// through t, the others only checked.
func (t *fields[T]) read(p *jsonParser, dst *T) error {
	depth := t.depth
	return p.members(depth, t.names, false, func(_ string, idx int) error {
		if idx < 0 {
			return p.skipValue(depth)
		}
		f := &t.list[idx]
		m := &t.members[idx]
		v := unsafe.Add(unsafe.Pointer(dst), f.offset)
		switch f.kind {
		case kindString:
			return p.stringMember((*string)(v), m)
		case kindTime:
			var sec int64
			err := p.intMember(&sec, m)
			*(*time.Time)(v) = unixTime(sec)
			return err
		case kindBool:
			return p.boolMember((*bool)(v), m)
		case kindPresent:
			*(*bool)(v) = true
			return p.skipValue(depth)
		case kindTypeOnly:
			var s string
			return p.stringMember(&s, m)
		case kindStrings:
			return p.stringsValue((*[]string)(v), m)
		case kindFirebase:
			return p.firebaseMember((*Firebase)(v), m)
		case kindIdentities:
			return p.identitiesMember(m)
		}
		panic("claimcheck: a field of no kind")
	})
}

// mistype records, unless a mistake is recorded already, that the value
// at p.pos, of the member m, is not of the JSON type expected, as
// encoding/json words it: the member's path, "a JSON string", "a whole
// number" and the like for the Go type, and the value's JSON type.
func (p *jsonParser) mistype(m *member, expected, actual string) {
	if p.typeErr != nil {
		return
	}
	rule := m.rule
	if rule == nil {
		rule = ErrMalformed
	}
	p.typeErr = &ValidationError{Claim: m.path, Err: rule, Expected: expected, Actual: "a JSON " + actual}
}

// valueType names the JSON type of the value starting with c (never
// null), as encoding/json does in a type error.
func valueType(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

// mistyped records the value at p.pos, starting with c, as a mistake and
// checks its grammar.
func (p *jsonParser) mistyped(m *member, expected string, c byte) error {
	p.mistype(m, expected, valueType(c))
	return p.skipValue(m.depth)
}

func (p *jsonParser) stringMember(dst *string, m *member) (err error) {
	if p.pos < len(p.data) && p.data[p.pos] == '"' { // compact JSON
		*dst, _, err = p.readString(true)
		return err
	}
	c, err := p.peek()
	if err != nil {
		return err
	}
	switch c {
	case '"':
		*dst, _, err = p.readString(true)
		return err
	case 'n':
		return p.literal("null")
	}
	return p.mistyped(m, "a JSON string", c)
}

func (p *jsonParser) intMember(dst *int64, m *member) error {
	if i := p.pos; i < len(p.data) && '1' <= p.data[i] && p.data[i] <= '9' { // compact JSON
		if n, end, ok := wholeNumber(p.data, i); ok {
			*dst, p.pos = n, end
			return nil
		}
	}
	c, err := p.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '-' || ('0' <= c && c <= '9'):
		if n, end, ok := wholeNumber(p.data, p.pos); ok {
			*dst, p.pos = n, end
			return nil
		}
		text, err := p.readNumber()
		if err != nil {
			return err
		}
		n, ok := parseInt64(text)
		if !ok {
			p.mistype(m, "a whole number", "number "+text)
			return nil
		}
		*dst = n
		return nil
	case c == 'n':
		return p.literal("null")
	}
	return p.mistyped(m, "a whole number", c)
}

func (p *jsonParser) boolMember(dst *bool, m *member) error {
	if i := p.pos; i+4 <= len(p.data) && p.str[i:i+4] == "true" { // compact JSON
		*dst, p.pos = true, i+4
		return nil
	}
	c, err := p.peek()
	if err != nil {
		return err
	}
	switch c {
	case 't':
		*dst = true
		return p.literal("true")
	case 'f':
		*dst = false
		return p.literal("false")
	case 'n':
		return p.literal("null")
	}
	return p.mistyped(m, "a JSON boolean", c)
}

// wholeNumber reads the number at d[i:] in one pass when it is a whole
// number of at most 18 digits, as every NumericDate is, and returns its
// value and the index after it. For any other number ok is false, and the
// caller reads it with scanNumber and parseInt64, which give the same
// value for these.
func wholeNumber(d []byte, i int) (n int64, end int, ok bool) {
	neg := i < len(d) && d[i] == '-'
	if neg {
		i++
	}
	start := i
	if i < len(d) && d[i] == '0' {
		i++
	} else {
		// Eight digits at a time while they fit in 18 (a NumericDate has
		// ten: one step and two digits), then one at a time.
		for i+8 <= len(d) && i-start <= 10 {
			x := binary.LittleEndian.Uint64(d[i:])
			if !eightDigits(x) {
				break
			}
			n = n*1e8 + int64(eightDigitsValue(x))
			i += 8
		}
		for i < len(d) && i-start <= 18 && '0' <= d[i] && d[i] <= '9' {
			n = n*10 + int64(d[i]-'0')
			i++
		}
	}
	if i == start || i-start > 18 {
		return 0, 0, false
	}
	if i < len(d) && (d[i] == '.' || d[i] == 'e' || d[i] == 'E' || ('0' <= d[i] && d[i] <= '9')) {
		return 0, 0, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}

// parseInt64 parses a JSON number as encoding/json does for an int64
// field: only whole numbers without fraction or exponent, in range.
func parseInt64(text string) (int64, bool) {
	digits := text
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		n, err := strconv.ParseInt(text, 10, 64)
		return n, err == nil
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if len(digits) != len(text) {
		n = -n
	}
	return n, true
}

// payload reads a token payload into t.
func (p *jsonParser) payload(t *Token) error {
	if err := p.begin(); err != nil {
		return err
	}
	return tokenFields.read(p, t)
}

// firebaseMember reads the firebase claim, an object, into f.
func (p *jsonParser) firebaseMember(f *Firebase, m *member) error {
	c, err := p.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return firebaseFields.read(p, f) // at m.depth+1, always 2
	case 'n':
		return p.literal("null")
	}
	return p.mistyped(m, "a JSON object", c)
}

// identitiesMember checks firebase.identities, an object of arrays of
// strings as encoding/json fills a map[string][]string; Token.Identities
// decodes it from the payload on demand.
func (p *jsonParser) identitiesMember(m *member) error {
	c, err := p.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
	case 'n':
		return p.literal("null")
	default:
		return p.mistyped(m, "a JSON object", c)
	}
	return p.identities(m)
}

// identities checks the object at p.pos (its '{' already peeked), the
// value of the member m: each member an array of strings (or null), as
// encoding/json fills a map[string][]string. encoding/json names the
// claim itself in a type error inside it, not the map's key.
func (p *jsonParser) identities(m *member) error {
	depth := m.depth + 1
	elem := &member{path: m.path, rule: m.rule, depth: depth}
	return p.members(depth, nil, true, func(string, int) error {
		_, _, err := p.appendStrings(nil, false, elem)
		return err
	})
}

// stringsValue reads an array of strings into dst (nil for null), as
// encoding/json fills a []string.
func (p *jsonParser) stringsValue(dst *[]string, m *member) error {
	list, isNull, err := p.appendStrings(nil, true, m)
	if err != nil || isNull {
		return err
	}
	if list == nil {
		list = []string{}
	}
	*dst = list
	return nil
}

// appendStrings reads the array of strings at p.pos, the value of the
// member m, appending its elements to pool if keep; isNull reports a null
// instead. A value or an element of another type is recorded (mistype).
func (p *jsonParser) appendStrings(pool []string, keep bool, m *member) (_ []string, isNull bool, err error) {
	c, err := p.peek()
	if err != nil {
		return pool, false, err
	}
	switch c {
	case '[':
	case 'n':
		return pool, true, p.literal("null")
	default:
		return pool, false, p.mistyped(m, "a JSON array", c)
	}
	depth := m.depth + 1
	empty, err := p.open(']', depth)
	if err != nil || empty {
		return pool, false, err
	}
	elem := &member{path: m.path, rule: m.rule, depth: depth}
	for {
		if err := p.count(); err != nil {
			return pool, false, err
		}
		var s string
		if err := p.stringMember(&s, elem); err != nil {
			return pool, false, err
		}
		if keep {
			pool = append(pool, s)
		}
		more, err := p.next(']')
		if err != nil || !more {
			return pool, false, err
		}
	}
}

// header reads a JOSE header into h.
func (p *jsonParser) header(h *Header) error {
	if err := p.begin(); err != nil {
		return err
	}
	return headerFields.read(p, h)
}

// appCheck reads an App Check payload into t.
func (p *jsonParser) appCheck(t *AppCheckToken) error {
	if err := p.begin(); err != nil {
		return err
	}
	return appCheckFields.read(p, t)
}
