package b64url

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMatchesEncodingBase64 compares Decode with the strict decoder of
// encoding/base64 on valid segments of every length up to 200 and on each
// of them with one byte changed to every value: same bytes, same errors.
func TestMatchesEncodingBase64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for size := 0; size <= 150; size++ {
		raw := make([]byte, size)
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		seg := base64.RawURLEncoding.EncodeToString(raw)
		check(t, seg)
		for pos := 0; pos < len(seg); pos++ {
			for _, c := range []byte{'=', '+', '/', '.', '\n', 0, 0xff, 'A', 'z', '-', '_', 'B'} {
				b := []byte(seg)
				b[pos] = c
				check(t, string(b))
			}
		}
		check(t, seg+"=")
		check(t, seg+"A")
		check(t, seg+"AA")
	}
}

func check(t *testing.T, seg string) {
	t.Helper()
	std := base64.RawURLEncoding.Strict()
	want := make([]byte, std.DecodedLen(len(seg)))
	wn, werr := std.Decode(want, []byte(seg))
	got := make([]byte, DecodedLen(len(seg)))
	gn, gerr := Decode(got, seg)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("%q: error %v, want %v", seg, gerr, werr)
	}
	if werr == nil && (gn != wn || !bytes.Equal(got[:gn], want[:wn])) {
		t.Fatalf("%q: decoded %x, want %x", seg, got[:gn], want[:wn])
	}
}

// FuzzMatchesEncodingBase64 is TestMatchesEncodingBase64 on any input.
func FuzzMatchesEncodingBase64(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9")
	f.Add(strings.Repeat("A", 33))
	f.Fuzz(func(t *testing.T, seg string) { check(t, seg) })
}

func BenchmarkDecode(b *testing.B) {
	raw := make([]byte, 6<<10)
	seg := base64.RawURLEncoding.EncodeToString(raw)
	dst := make([]byte, DecodedLen(len(seg)))
	b.SetBytes(int64(len(seg)))
	b.Run("ours", func(b *testing.B) {
		b.SetBytes(int64(len(seg)))
		for b.Loop() {
			if _, err := Decode(dst, seg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-base64", func(b *testing.B) {
		b.SetBytes(int64(len(seg)))
		std := base64.RawURLEncoding.Strict()
		for b.Loop() {
			if _, err := std.Decode(dst, []byte(seg)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
