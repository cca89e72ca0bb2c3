package claims

import "testing"

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
