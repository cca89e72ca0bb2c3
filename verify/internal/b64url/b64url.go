// Package b64url decodes the unpadded base64url segments of a compact JWS,
// strictly (as base64.RawURLEncoding.Strict does), faster than
// encoding/base64: eight characters at a time, checked together with one
// test instead of one branch each. It is not cryptography: a decoder only
// has to be exact, and any segment it cannot decode on its fast path is
// handed to encoding/base64, so every error is that package's own.
package b64url

import (
	"encoding/base64"
	"encoding/binary"
)

var std = base64.RawURLEncoding.Strict()

// DecodedLen is the most bytes Decode writes for n characters.
func DecodedLen(n int) int { return std.DecodedLen(n) }

// Decode decodes src into dst, which must hold DecodedLen(len(src))
// bytes, and returns how many bytes it wrote. It accepts exactly what
// base64.RawURLEncoding.Strict() accepts (no padding, no line breaks, no
// non-zero trailing bits) and on any fault returns that decoder's error.
func Decode(dst []byte, src string) (int, error) {
	n := 0
	i := 0
	// Groups of eight characters, each written as eight bytes (six of
	// them the group's, two overwritten by the next group), while at least
	// eight characters remain after the groups, so that the tail, with its
	// trailing-bit check, goes to encoding/base64 and the last write stays
	// inside dst. Four groups a step while there is room, then one.
	for ; i+40 <= len(src) && n+32 <= len(dst); i, n = i+32, n+24 {
		s, d := src[i:i+32], dst[n:n+32]
		a0, a1, a2, a3 := pair(s[0], s[1]), pair(s[2], s[3]), pair(s[4], s[5]), pair(s[6], s[7])
		b0, b1, b2, b3 := pair(s[8], s[9]), pair(s[10], s[11]), pair(s[12], s[13]), pair(s[14], s[15])
		c0, c1, c2, c3 := pair(s[16], s[17]), pair(s[18], s[19]), pair(s[20], s[21]), pair(s[22], s[23])
		e0, e1, e2, e3 := pair(s[24], s[25]), pair(s[26], s[27]), pair(s[28], s[29]), pair(s[30], s[31])
		if a0|a1|a2|a3|b0|b1|b2|b3|c0|c1|c2|c3|e0|e1|e2|e3 > 0xfff {
			break // a byte outside the alphabet: the slow path reports it
		}
		binary.BigEndian.PutUint64(d[0:], a0<<52|a1<<40|a2<<28|a3<<16)
		binary.BigEndian.PutUint64(d[6:], b0<<52|b1<<40|b2<<28|b3<<16)
		binary.BigEndian.PutUint64(d[12:], c0<<52|c1<<40|c2<<28|c3<<16)
		binary.BigEndian.PutUint64(d[18:], e0<<52|e1<<40|e2<<28|e3<<16)
	}
	for ; i+16 <= len(src) && n+8 <= len(dst); i, n = i+8, n+6 {
		s := src[i : i+8]
		a0, a1, a2, a3 := pair(s[0], s[1]), pair(s[2], s[3]), pair(s[4], s[5]), pair(s[6], s[7])
		if a0|a1|a2|a3 > 0xfff {
			break
		}
		binary.BigEndian.PutUint64(dst[n:], a0<<52|a1<<40|a2<<28|a3<<16)
	}
	if m, ok := decodeTail(dst[n:], src[i:]); ok {
		return n + m, nil
	}
	m, err := std.Decode(dst[n:], []byte(src[i:]))
	if err != nil {
		if ce, ok := err.(base64.CorruptInputError); ok {
			return n + m, ce + base64.CorruptInputError(i)
		}
		return n + m, err
	}
	return n + m, nil
}

// decodeTail decodes the last characters of a segment, fewer than
// sixteen, four at a time and then the final two or three, with the
// strict decoder's check that the bits after the last byte are zero. It
// reports false, having written part of dst perhaps, for any tail it
// cannot decode that way (a byte outside the alphabet, non-zero trailing
// bits, a length that leaves one character); Decode then hands the tail
// to encoding/base64, for its error.
func decodeTail(dst []byte, src string) (int, bool) {
	n := 0
	for ; len(src) >= 4; src, n = src[4:], n+3 {
		a, b := pair(src[0], src[1]), pair(src[2], src[3])
		if a|b > 0xfff || n+3 > len(dst) {
			return n, false
		}
		v := a<<12 | b
		dst[n], dst[n+1], dst[n+2] = byte(v>>16), byte(v>>8), byte(v)
	}
	switch len(src) {
	case 0:
		return n, true
	case 2: // twelve bits: one byte and four zero bits
		a := pair(src[0], src[1])
		if a > 0xfff || a&0xf != 0 || n+1 > len(dst) {
			return n, false
		}
		dst[n] = byte(a >> 4)
		return n + 1, true
	case 3: // eighteen bits: two bytes and two zero bits
		a, c := pair(src[0], src[1]), decodeMap[src[2]]
		if a > 0xfff || c > 63 || c&3 != 0 || n+2 > len(dst) {
			return n, false
		}
		v := a<<6 | c
		dst[n], dst[n+1] = byte(v>>10), byte(v>>2)
		return n + 2, true
	}
	return n, false
}

// pair decodes two characters into twelve bits, or a value above 0xfff
// when one of them is outside the alphabet.
func pair(a, b byte) uint64 { return uint64(pairMap[uint16(a)|uint16(b)<<8]) }

// decodeMap maps each byte to its six bits, or to 0xff outside the
// alphabet.
var decodeMap = func() (t [256]uint64) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = uint64(i)
	}
	return t
}()

// pairMap maps two bytes, the first in the low byte, to their twelve
// bits, or to 0xffff when either is outside the alphabet.
var pairMap = func() *[1 << 16]uint16 {
	t := new([1 << 16]uint16)
	for i := range t {
		hi, lo := decodeMap[i&0xff], decodeMap[i>>8]
		if hi > 63 || lo > 63 {
			t[i] = 0xffff
			continue
		}
		t[i] = uint16(hi<<6 | lo)
	}
	return t
}()
