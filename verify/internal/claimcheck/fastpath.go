package claimcheck

import (
	"encoding/binary"
	"math/bits"
)

// Fast paths for the shapes a genuine payload is made of: compact JSON,
// keys that are claim names spelled exactly, NumericDates of ten digits.
// Each one either reads its piece exactly as the general reader in
// fastjson.go would, or changes nothing and leaves the piece to it, so
// that what is accepted or refused, and with which error, is the same
// whichever path reads it.

// nameWords is how namedKey compares a key with a name: the bytes of the
// name and its closing quote, the first sixteen of them as two
// little-endian words lo and hi (zero past the quote), with the masks
// that keep as many bytes of a key's words; and the name's length n.
type nameWords struct {
	lo, hi         uint64
	loMask, hiMask uint64
	n              int
}

// wordsOf makes the nameWords of name. The quote after a name of sixteen
// bytes is the seventeenth byte, which namedKey checks on its own; a
// longer name is never matched there (n tells it), and key reads it the
// long way.
func wordsOf(name string) nameWords {
	var b, m [16]byte
	quoted := name + `"`
	copy(b[:], quoted)
	for i := range min(len(quoted), 16) {
		m[i] = 0xff
	}
	le := binary.LittleEndian
	return nameWords{lo: le.Uint64(b[:8]), hi: le.Uint64(b[8:]), loMask: le.Uint64(m[:8]), hiMask: le.Uint64(m[8:]), n: len(name)}
}

// namedKey is the fast path of key, for the commonest key: a quoted key
// right at p.pos (no white space before it), spelled exactly like one of
// candidates, names of keys.names that the object has not had yet and
// that start with the key's first two bytes (see byStart), with at least eighteen bytes of
// data from p.pos (so that the sixteen after the quote can be read as two
// words). It returns the name's index and the offset after the closing
// quote; for any other key (escapes, another spelling, a key of no name)
// it returns -1 having changed nothing, and key reads the key the long way.
//
// A key spelled exactly like a name needs none of key's other checks: its
// bytes are the name's, printable ASCII without upper case, so it is valid
// and its own folded form; and no key before it in the object can fold to
// it without being that name (addKey would have found it to be the name).
func (p *jsonParser) namedKey(names *nameSet, candidates uint32) (idx, end int) {
	d, i := p.data, p.pos
	if i+18 > len(d) {
		return -1, 0
	}
	lo := binary.LittleEndian.Uint64(d[i+1:])
	hi := binary.LittleEndian.Uint64(d[i+9:])
	for c := candidates; c != 0; c &= c - 1 {
		j := bits.TrailingZeros32(c)
		w := &names.words[j]
		if lo&w.loMask == w.lo && hi&w.hiMask == w.hi && (w.n < 16 || w.n == 16 && d[i+17] == '"') {
			return j, i + w.n + 2
		}
	}
	return -1, 0
}

// eightDigits reports whether the eight bytes of x are all ASCII digits:
// each has the high nibble 3, and still has it with 6 added (so its low
// nibble is at most 9). No byte carries into the next, as each is at
// most 0x3f+6 where it is tested.
func eightDigits(x uint64) bool {
	const highNibbles = 0xf0f0f0f0f0f0f0f0
	const threes, sixes = 0x3030303030303030, 0x0606060606060606
	return x&highNibbles == threes && (x+sixes)&highNibbles == threes
}

// eightDigitsValue is the number the eight ASCII digits of x spell, the
// first (lowest) byte the most significant: digits are paired into
// values below 100, pairs into values below 10 000, and those into one,
// by multiplications whose partial products do not overlap (Lemire's
// method, as simdjson parses numbers).
func eightDigitsValue(x uint64) uint32 {
	x -= 0x3030303030303030
	x = x*10 + x>>8 // each even byte: two digits
	const pairs = 0x000000ff000000ff
	x = ((x&pairs)*(100+1000000<<32) + (x>>16&pairs)*(1+10000<<32)) >> 32
	return uint32(x)
}
