package strictjson

import (
	"hash/maphash"
	"sync"
	"unicode"
	"unicode/utf8"
)

// foldRune is the rune r folds to: the smallest rune of its
// unicode.SimpleFold orbit, and then an ASCII upper-case letter's lower
// case. Two keys are equal under strings.EqualFold (the folding
// encoding/json matches field names with) exactly when their folded forms,
// the folds of their runes, are equal.
func (t *foldPages) foldRune(r rune) rune {
	if r >= utf8.RuneSelf {
		r = t.smallest(r)
	}
	if 'A' <= r && r <= 'Z' {
		r += 'a' - 'A'
	}
	return r
}

// smallest returns the smallest rune that r folds to, itself included:
// a lookup, where unicode.SimpleFold walks r's orbit with a binary search
// per step (a payload of such runes cost ten times a verification).
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

// foldPages holds orbitMin for every rune, in pages of 256 runes: index
// gives each page's place in pages, 0 for the pages where every rune is
// its own orbitMin (most of them).
type foldPages struct {
	index [(unicode.MaxRune + 1) >> 8]uint16
	pages [][256]rune
	// two is foldRune of each rune below U+0800, the runes two bytes of
	// UTF-8 spell.
	two [0x800]uint16
}

// foldTable is built on first use (about a millisecond), as most programs
// never read a key beyond ASCII. A rune with any case mapping is in one of
// unicode.CaseRanges, so only those are walked; TestFoldTable checks every
// rune.
var foldTable = sync.OnceValue(func() *foldPages {
	t := &foldPages{pages: make([][256]rune, 1, 32)}
	for _, cr := range unicode.CaseRanges {
		for r := rune(cr.Lo); r <= rune(cr.Hi); r++ {
			if m := orbitMin(r); m != r {
				t.set(r, m)
			}
		}
	}
	for r := range t.two {
		t.two[r] = uint16(t.foldRune(rune(r)))
	}
	return t
})

// set records m as r's smallest fold, adding r's page if it has none.
func (t *foldPages) set(r, m rune) {
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

// foldSeed seeds the hash of folded keys, so that no one can choose keys
// that all land in one slot, or share a hash. It is set once, at start-up.
var foldSeed = maphash.MakeSeed()

// foldHash hashes k's folded form.
func foldHash(k *key) uint64 {
	if k.self {
		return maphash.String(foldSeed, k.body)
	}
	return maphash.Bytes(foldSeed, k.folded)
}

// foldSet is a set of the foldHashes of keys (open addressing, linear
// probing). It holds no pointers, so the collector never scans it, and is
// made at once with room for MaxMembers keys at most half full, so it
// never grows.
type foldSet struct {
	slots []uint64 // a foldHash with slotUsed set, or 0 for an empty slot
}

const slotUsed = 1 << 63

// foldSetSlots is the size of a foldSet: a power of two, at least twice
// MaxMembers.
const foldSetSlots = 512

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
