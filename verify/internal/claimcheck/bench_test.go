package claimcheck

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParse decodes a typical payload; BenchmarkParseReference is the
// previous implementation (structural scan, then encoding/json) for scale.
func BenchmarkParse(b *testing.B) {
	payload := []byte(typicalPayload)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := Parse(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseReference(b *testing.B) {
	payload := []byte(typicalPayload)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := referenceParse(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseHeader(b *testing.B) {
	header := []byte(`{"alg":"RS256","kid":"0123456789abcdef0123456789abcdef01234567","typ":"JWT"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseHeader(header); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseJunk parses 6 KiB payloads (what fits in an 8 KiB token)
// of the shapes that cost the parser most; each is either refused by
// Parse (a limit: MaxJSONMembers, MaxJSONValues) or by a claim rule later,
// so Parse is what a refusal costs. ns/op should stay in proportion to the
// size, or flat where a limit refuses (see verify's BenchmarkJunkScaling
// for the whole path).
func BenchmarkParseJunk(b *testing.B) {
	for _, shape := range parseJunkShapes {
		payload := []byte(shape.make(6 << 10))
		b.Run(shape.name, func(b *testing.B) {
			parseJunk(b, payload)
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				parseJunk(b, payload)
			}
		})
	}
}

// parseJunk parses payload, which must be accepted or refused as
// malformed.
func parseJunk(b *testing.B, payload []byte) {
	if _, err := Parse(payload); err != nil && !errors.Is(err, ErrMalformed) {
		b.Fatal(err)
	}
}

var parseJunkShapes = []struct {
	name string
	make func(n int) string
}{
	{"keys", func(n int) string { return junkKeys(n, func(i int) string { return fmt.Sprintf("a%05d", i) }) }},
	{"keys-upper", func(n int) string { return junkKeys(n, func(i int) string { return fmt.Sprintf("A%05d", i) }) }},
	{"keys-escaped", func(n int) string { return junkKeys(n, func(i int) string { return fmt.Sprintf(`\u0061%05d`, i) }) }},
	{"keys-non-ascii", func(n int) string { return junkKeys(n, func(i int) string { return fmt.Sprintf("é%05d", i) }) }},
	{"deep-nesting", func(n int) string {
		unit := strings.Repeat("[", MaxJSONDepth-2) + strings.Repeat("]", MaxJSONDepth-2)
		return `{"x":[` + strings.Repeat(unit+",", (n-10)/(len(unit)+1)) + `0]}`
	}},
	{"long-string", func(n int) string { return `{"x":"` + strings.Repeat("a", n-8) + `"}` }},
	{"long-array", func(n int) string { return `{"x":[0` + strings.Repeat(",0", (n-9)/2) + `]}` }},
	// Shapes within the limits at any size: MaxJSONMembers keys, or
	// MaxJSONValues elements, as long as the size makes them.
	{"keys-at-the-limit", func(n int) string {
		return junkKeys(n, func(i int) string { return fmt.Sprintf("%03d", i) + strings.Repeat("a", n/250-9) })
	}},
	{"keys-at-the-limit-folding", func(n int) string {
		return junkKeys(n, func(i int) string { return fmt.Sprintf("%03d", i) + strings.Repeat("Ж", (n/250-9)/2) })
	}},
	{"keys-at-the-limit-wide-folding", func(n int) string {
		return junkKeys(n, func(i int) string { return fmt.Sprintf("%03d", i) + strings.Repeat("Ａ", (n/250-9)/3) })
	}},
	{"keys-at-the-limit-escaped", func(n int) string {
		return junkKeys(n, func(i int) string { return fmt.Sprintf("%03d", i) + strings.Repeat(`\u00e9`, (n/250-9)/6) })
	}},
	{"keys-at-the-limit-emoji", func(n int) string {
		return junkKeys(n, func(i int) string { return fmt.Sprintf("%03d", i) + strings.Repeat("\U0001F600", (n/250-9)/4) })
	}},
	{"deep-objects", func(n int) string {
		unit := strings.Repeat(`{"a":`, MaxJSONDepth-3) + "0" + strings.Repeat("}", MaxJSONDepth-3)
		return `{"x":[` + strings.Repeat(unit+",", (n-10)/(len(unit)+1)) + `0]}`
	}},
	{"numbers-at-float-max", func(n int) string {
		return `{"x":[` + strings.Repeat("1.7976931348623157e308,", (n-10)/23) + `0]}`
	}},
	{"array-at-the-limit", func(n int) string {
		return `{"x":[` + strings.TrimSuffix(strings.Repeat(`"`+strings.Repeat("a", n/1000-3)+`",`, 1000), ",") + `]}`
	}},
}

func junkKeys(n int, key func(int) string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; b.Len() < n-16; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s":0`, key(i))
	}
	b.WriteByte('}')
	return b.String()
}

// BenchmarkParseJunkScaling parses each junk shape at 64 KiB, 256 KiB
// and 1 MiB: the cost must grow about 4x per step (it grew 13-17x when
// keys were compared with earlier keys).
func BenchmarkParseJunkScaling(b *testing.B) {
	for _, shape := range parseJunkShapes {
		for _, size := range []int{64 << 10, 256 << 10, 1 << 20} {
			b.Run(fmt.Sprintf("%s/%dKiB", shape.name, size>>10), func(b *testing.B) {
				payload := []byte(shape.make(size))
				b.ReportAllocs()
				b.SetBytes(int64(len(payload)))
				for b.Loop() {
					parseJunk(b, payload)
				}
			})
		}
	}
}
