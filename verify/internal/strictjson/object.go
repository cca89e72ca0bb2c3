package strictjson

import (
	"fmt"
	"math/bits"
)

// Object reads the object whose '{' is next, a container at depth (the
// top-level object is at depth 1). For each member it reads the key and
// its ':', and calls member with the index in names of the name the key
// is, or -1 (always, for nil names); member must then read the value, with
// one of the typed readers or Skip.
//
// A key must differ, under the case folding encoding/json applies to
// field names, from every key before it in the object; and a key that
// folds to one of names must be spelled exactly like it.
func (d *Decoder) Object(depth int, names *Names, member func(idx int) error) error {
	keys := objectKeys{names: names, start: d.pos, depth: depth}
	empty, err := d.open('}', depth)
	if err != nil || empty {
		return err
	}
	for n := 1; ; n++ {
		if err := d.countMember(n); err != nil {
			return err
		}
		idx, err := d.key(&keys)
		if err != nil {
			return err
		}
		if err := member(idx); err != nil {
			return err
		}
		more, err := d.next('}')
		if err != nil || !more {
			return err
		}
	}
}

// Skip checks the value that comes next, inside a container at depth.
func (d *Decoder) Skip(depth int) error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return d.Object(depth+1, nil, func(int) error { return d.Skip(depth + 1) })
	case '[':
		return d.skipArray(depth + 1)
	case '"':
		_, _, err := d.scanString()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return d.skipNumber()
}

// skipArray checks the array at depth whose '[' is at d.pos.
func (d *Decoder) skipArray(depth int) error {
	empty, err := d.open(']', depth)
	if err != nil || empty {
		return err
	}
	for {
		if err := d.count(); err != nil {
			return err
		}
		if err := d.Skip(depth); err != nil {
			return err
		}
		more, err := d.next(']')
		if err != nil || !more {
			return err
		}
	}
}

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
// it, and returns the index of the name it is, or -1. A key with escapes
// is decoded into a string of its own.
func (d *Decoder) key(keys *objectKeys) (int, error) {
	d.skipSpace()
	if d.pos >= len(d.s) || d.s[d.pos] != '"' {
		return -1, syntaxErr("expected a key")
	}
	at := d.pos
	k, escaped, err := d.scanString()
	if err != nil {
		return -1, err
	}
	if escaped {
		k = unescape(k)
	}
	idx, err := d.addKey(keys, k, at)
	if err != nil {
		return -1, err
	}
	return idx, d.colon()
}

// addKey records the key k, read at offset at, in keys and returns the
// index of the name it is, or -1. Its cost is linear in k's length,
// whatever the keys before it: k is folded once, compared with the names
// of its length and first byte, and otherwise hashed (see addOther).
func (d *Decoder) addKey(keys *objectKeys, k string, at int) (int, error) {
	folded, self := foldKey(k, d.fold)
	if !self {
		d.fold = folded
	}
	idx := index(keys.names, k)
	if !self {
		idx = index(keys.names, folded)
	}
	if idx < 0 {
		return -1, d.addOther(keys, k, folded, self, at)
	}
	if keys.found&(1<<idx) != 0 {
		return -1, fmt.Errorf("%w %q", ErrDuplicateKey, k)
	}
	if name := keys.names.list[idx]; k != name {
		return -1, fmt.Errorf("%w: key %q is not spelled %q", ErrSyntax, k, name)
	}
	keys.found |= 1 << idx
	return idx, nil
}

// addOther records k, a key that is none of the names, by the hash of its
// folded form (or self). When a hash repeats, which for distinct keys (the
// seed being secret) is as likely as guessing 64 random bits, the object's
// keys are read again to compare k with each (keyBefore): the hashes only
// spare that reading. The first such key, when it is its own folded form,
// is hashed only once a second comes: many objects have one.
func (d *Decoder) addOther(keys *objectKeys, k string, folded []byte, self bool, at int) error {
	if keys.n == 0 && self {
		keys.lone, keys.loneUnhashed = k, true
		keys.n++
		return nil
	}
	h := foldHash(k, folded, self)
	if keys.loneUnhashed {
		keys.first[0], keys.loneUnhashed = foldHash(keys.lone, nil, true), false
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
	if seen && d.keyBefore(keys, k, at) {
		return fmt.Errorf("%w %q", ErrDuplicateKey, k)
	}
	keys.n++
	return nil
}

// keyBefore reports whether the object of keys has, before offset end, a
// key equal to k under folding. Everything before end was checked already.
func (d *Decoder) keyBefore(keys *objectKeys, k string, end int) bool {
	q := Decoder{s: d.s, pos: keys.start + 1}
	for {
		q.skipSpace()
		if q.pos >= end {
			return false
		}
		prev, escaped, err := q.scanString()
		if err != nil {
			return false // not reached
		}
		if escaped {
			prev = unescape(prev)
		}
		if foldEqual(prev, k) {
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
// It panics if a name is not its own folded form, or if there are more
// than 32: the lists are the package's callers' own constants.
func NewNames(list ...string) *Names {
	if len(list) > 32 {
		panic("strictjson: more than 32 names")
	}
	set := &Names{list: list}
	for i, n := range list {
		if _, self := foldKey(n, nil); !self || n == "" {
			panic("strictjson: a name that is empty or not its own folded form: " + n)
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
