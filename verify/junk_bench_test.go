package verify_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/internal/b64url"
)

// The junk benchmarks time the refusal of tokens built to be as costly as
// possible to refuse without RSA work: an RS256 header naming the
// signer's key, a payload of one hostile shape filling the size limit,
// and a signature of the right length that is never checked (the payload
// breaks a claim rule, so no key is looked up).
//
//	go test ./verify -run '^$' -bench 'Junk' -benchtime 2s
//
// BenchmarkJunkScaling shows the cost growing in step with the size, for
// each shape. The bounds on these costs, relative to a verification, are
// BenchmarkGates's (gates_bench_test.go).

// junkShape writes a JSON payload of about n bytes, refused with want
// (ErrInvalidAudience, after the whole parse, if nil).
type junkShape struct {
	name string
	make func(n int) string
	want error
}

// junkShapes are the worst inputs found for the parser: shapes
// that defeat a shortcut (keys that share a length and first letter, or
// are escaped or beyond ASCII, so a summary cannot tell them apart) or
// that make one step long (nesting, strings, arrays).
var junkShapes = []junkShape{
	// The floor of any 8 KiB refusal: decoding it. The payload is refused
	// at its first byte (an array, not an object).
	{"decode-only", func(n int) string { return `[` + strings.Repeat("0,", (n-3)/2) + `0]` }, verify.ErrMalformed},
	// Dense keys: refused at the 257th member (claimcheck.MaxJSONMembers).
	{"keys-one-length-and-letter", func(n int) string { return keysPayload(n, func(i int) string { return "a" + key36(i, 4) }) }, verify.ErrMalformed},
	{"keys-case-variants", func(n int) string {
		return keysPayload(n, func(i int) string { return "A" + strings.ToUpper(key36(i, 4)) })
	}, verify.ErrMalformed},
	{"keys-escaped", func(n int) string { return keysPayload(n, func(i int) string { return `\u0061` + key36(i, 4) }) }, verify.ErrMalformed},
	{"keys-non-ascii", func(n int) string { return keysPayload(n, func(i int) string { return "é" + key36(i, 4) }) }, verify.ErrMalformed},
	// As many keys as the limit allows, long enough to fill the token:
	// read to the end, each folded rune by rune.
	{"keys-at-the-limit", func(n int) string { return keysAtTheLimit(n, "a") }, nil},
	{"keys-at-the-limit-folding", func(n int) string { return keysAtTheLimit(n, "Ж") }, nil},
	{"keys-at-the-limit-wide-folding", func(n int) string { return keysAtTheLimit(n, "Ａ") }, nil},
	{"keys-nested-objects", func(n int) string {
		// Many small objects, each with distinct keys: a per-object set
		// must not cost more than its keys.
		var b strings.Builder
		b.WriteString(`{"x":[`)
		for i := 0; b.Len() < n-20; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"a%s":0,"b":1}`, key36(i, 4))
		}
		b.WriteString(`]}`)
		return b.String()
	}, nil},
	{"deep-nesting", func(n int) string {
		const depth = 15 // the payload is level 1; 16 is the limit
		unit := strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1)
		var b strings.Builder
		b.WriteString(`{"x":[`)
		for i := 0; b.Len() < n-len(unit)-4; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(unit[1 : len(unit)-1])
		}
		b.WriteString(`]}`)
		return b.String()
	}, verify.ErrMalformed}, // refused at claimcheck.MaxJSONValues
	{"long-string", func(n int) string { return `{"x":"` + strings.Repeat("a", n-8) + `"}` }, nil},
	{"long-escaped-string", func(n int) string {
		return `{"x":"` + strings.Repeat(`\u00e9`, (n-8)/6) + `"}`
	}, nil},
	{"long-array", func(n int) string { return `{"x":[0` + strings.Repeat(",0", (n-9)/2) + `]}` }, verify.ErrMalformed},
	// Numbers at float64's edge: each is compared digit by digit with the
	// halfway point above math.MaxFloat64.
	{"numbers-at-float-max", func(n int) string { return arrayOf(n, "1.7976931348623157e308") }, nil},
	{"numbers-whole-at-float-max", func(n int) string {
		return arrayOf(n, strconv.FormatFloat(math.MaxFloat64, 'f', -1, 64))
	}, nil},
	{"numbers-long-fraction-at-float-max", func(n int) string {
		return arrayOf(n, "0."+strings.Repeat("0", 200)+"17976931348623157"+strings.Repeat("9", 60)+"e509")
	}, nil},
	{"numbers-subnormal", func(n int) string { return arrayOf(n, "4.9406564584124654e-324") }, nil},
	{"numbers-long-exponent", func(n int) string { return arrayOf(n, "1e-"+strings.Repeat("0", 60)+"1") }, nil},
	{"literals", func(n int) string { return arrayOf(n, "true,false,null") }, verify.ErrMalformed},
	{"empty-objects", func(n int) string { return arrayOf(n, "{}") }, verify.ErrMalformed},
	{"empty-arrays", func(n int) string { return arrayOf(n, "[]") }, verify.ErrMalformed},
	{"deep-objects", func(n int) string {
		const depth = 13 // within the limit, even as a custom claim
		return arrayOf(n, strings.Repeat(`{"a":`, depth)+"0"+strings.Repeat("}", depth))
	}, nil},
	{"white-space", func(n int) string { return `{"x":` + strings.Repeat(" \t\r\n", (n-8)/4) + `0}` }, nil},
	{"keys-fullwidth", func(n int) string { return keysPayload(n, func(i int) string { return "Ａ" + key36(i, 4) }) }, verify.ErrMalformed},
	{"keys-cyrillic-case-variants", func(n int) string {
		return keysPayload(n, func(i int) string { return "Ж" + strings.ToUpper(key36(i, 4)) + "ж" })
	}, verify.ErrMalformed},
	{"keys-kelvin-sign", func(n int) string { return keysPayload(n, func(i int) string { return "\u212a" + key36(i, 4) }) }, verify.ErrMalformed},
	{"keys-at-the-limit-escaped", func(n int) string { return keysAtTheLimit(n, `\u00e9`) }, nil},
	{"keys-at-the-limit-emoji", func(n int) string { return keysAtTheLimit(n, "\U0001F600") }, nil},
	{"long-string-cyrillic", func(n int) string { return `{"x":"` + strings.Repeat("ж", (n-8)/2) + `"}` }, nil},
	{"long-string-fullwidth", func(n int) string { return `{"x":"` + strings.Repeat("ａ", (n-8)/3) + `"}` }, nil},
	{"long-string-surrogate-escapes", func(n int) string {
		return `{"x":"` + strings.Repeat(`\ud83d\ude00`, (n-8)/12) + `"}`
	}, nil},
	{"identities-at-the-limit", func(n int) string {
		const count = 900
		return `{"firebase":{"identities":{"email":[` + strings.TrimSuffix(strings.Repeat(`"`+strings.Repeat("a", max(0, (n-50)/count-3))+`",`, count), ",") + `]}}}`
	}, nil},
	// As many array elements as the limit allows, long enough to fill
	// the token.
	{"array-at-the-limit", func(n int) string {
		const count = 1000
		var b strings.Builder
		b.WriteString(`{"x":[`)
		for i := 0; i < count; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			b.WriteString(strings.Repeat("a", max(0, (n-b.Len()-2)/(count-i)-3)))
			b.WriteByte('"')
		}
		b.WriteString(`]}`)
		return b.String()
	}, nil},
}

// keysAtTheLimit is an object of 250 distinct keys (claimcheck.MaxJSONMembers
// allows 256), each a number and then as many of the rune in unit as make
// the object about n bytes long.
func keysAtTheLimit(n int, unit string) string {
	const count = 250
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i < count; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		room := (n-b.Len()-1)/(count-i) - 8 // "", :0, the comma, 3 digits
		b.WriteByte('"')
		b.WriteString(key36(i, 3))
		b.WriteString(strings.Repeat(unit, max(0, room/len(unit))))
		b.WriteString(`":0`)
	}
	b.WriteByte('}')
	return b.String()
}

// arrayOf is an object of one member, an array that repeats unit (one or
// more values) to about n bytes.
func arrayOf(n int, unit string) string {
	var b strings.Builder
	b.WriteString(`{"x":[`)
	for b.Len() < n-len(unit)-3 {
		if b.Len() > len(`{"x":[`) {
			b.WriteByte(',')
		}
		b.WriteString(unit)
	}
	b.WriteString(`]}`)
	return b.String()
}

// key36 spells i in base 36 with at least width digits.
func key36(i, width int) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b [16]byte
	p := len(b)
	for ; i > 0 || p > len(b)-width; i /= 36 {
		p--
		b[p] = digits[i%36]
	}
	return string(b[p:])
}

// keysPayload is an object of distinct keys key(0), key(1), ... with the
// value 0, about n bytes long.
func keysPayload(n int, key func(int) string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; b.Len() < n-16; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(key(i))
		b.WriteString(`":0`)
	}
	b.WriteByte('}')
	return b.String()
}

// junkHeader names the bench signer's key, so that only the payload can
// refuse the token.
const junkHeader = `{"alg":"RS256","kid":"%s","typ":"JWT"}`

// junkToken is a token of about size bytes whose payload has the shape;
// it is refused (for having no aud) after the whole payload is parsed,
// unless the shape says otherwise.
func junkToken(tb testing.TB, f benchFixture, shape junkShape, size int) string {
	tb.Helper()
	header := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, junkHeader, f.signer.Key().ID))
	sig := base64.RawURLEncoding.EncodeToString(make([]byte, 256))
	room := size - len(header) - len(sig) - 2
	payload := shape.make(room / 4 * 3)
	tok := header + "." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + sig
	if len(tok) > size || len(tok) < size*9/10 {
		tb.Fatalf("%s: token of %d bytes, want about %d", shape.name, len(tok), size)
	}
	want := shape.want
	if want == nil {
		want = verify.ErrInvalidAudience // a refusal after the whole parse
	}
	_, err := f.verifier.Verify(context.Background(), tok)
	if size > verify.DefaultMaxTokenBytes && errors.Is(err, verify.ErrMalformed) {
		return tok // a shape within the limits at 8 KiB may exceed them when larger
	}
	if !errors.Is(err, want) {
		tb.Fatalf("%s: Verify = %v, want %v", shape.name, err, want)
	}
	return tok
}

// BenchmarkJunk refuses an 8 KiB junk token of each shape.
func BenchmarkJunk(b *testing.B) {
	f := newBenchFixture(b)
	ctx := context.Background()
	for _, shape := range junkShapes {
		b.Run(shape.name, func(b *testing.B) {
			tok := junkToken(b, f, shape, verify.DefaultMaxTokenBytes)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := f.verifier.Verify(ctx, tok); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// BenchmarkJunkScaling refuses junk tokens of 64 KiB, 256 KiB and 1 MiB
// (WithMaxTokenBytes raised): with linear checks, ns/op grows about 4x
// per step, and so does ns-per-KiB stay flat.
func BenchmarkJunkScaling(b *testing.B) {
	f := newBenchFixture(b, verify.WithMaxTokenBytes(1<<20))
	ctx := context.Background()
	for _, shape := range junkShapes {
		for _, size := range []int{64 << 10, 256 << 10, 1 << 20} {
			b.Run(fmt.Sprintf("%s/%dKiB", shape.name, size>>10), func(b *testing.B) {
				tok := junkToken(b, f, shape, size)
				b.ReportAllocs()
				b.SetBytes(int64(len(tok)))
				for b.Loop() {
					if _, err := f.verifier.Verify(ctx, tok); err == nil {
						b.Fatal("accepted")
					}
				}
			})
		}
	}
}

// BenchmarkJunkBudget shows what reading a junk payload costs at the
// least, on the shapes read to the end. In one loop with a valid
// verification of the typical token (as BenchmarkJunkPaired), it times
// steps that any strict reader of the payload must at least take, each
// alone and each less than what the verifier does, and reports each over
// the verification: decode-x-verify is base64url-decoding the payload
// segment (b64url, as Verify does), which every refusal of a payload's
// content pays; utf8-x-verify adds utf8.Valid over the JSON (every byte
// looked at once, nothing else checked); json-valid-x-verify adds instead
// encoding/json's Valid (the grammar only: no duplicate keys, no case
// folding, no limits).
//
//	go test ./verify -run '^$' -bench '^BenchmarkJunkBudget$' -benchtime 3000x -cpu 1
func BenchmarkJunkBudget(b *testing.B) {
	f := newBenchFixture(b)
	ctx := context.Background()
	for _, shape := range junkShapes {
		if shape.want != nil {
			continue // refused by a limit on the way: not read to the end
		}
		b.Run(shape.name, func(b *testing.B) {
			tok := junkToken(b, f, shape, verify.DefaultMaxTokenBytes)
			seg := strings.Split(tok, ".")[1]
			buf := make([]byte, b64url.DecodedLen(len(seg)))
			steps := []func(){
				func() {
					if _, err := f.verifier.Verify(ctx, f.token); err != nil {
						b.Fatal(err)
					}
				},
				func() { decodeJunk(b, buf, seg) },
				func() {
					if !utf8.Valid(buf[:decodeJunk(b, buf, seg)]) {
						b.Fatal("not UTF-8")
					}
				},
				func() {
					if !json.Valid(buf[:decodeJunk(b, buf, seg)]) {
						b.Fatal("not JSON")
					}
				},
			}
			t := timePaired(b, steps...)
			verifyNs := t[0]
			b.ReportMetric(t[1]/verifyNs, "decode-x-verify")
			b.ReportMetric(t[2]/verifyNs, "utf8-x-verify")
			b.ReportMetric(t[3]/verifyNs, "json-valid-x-verify")
		})
	}
}

// decodeJunk decodes the payload segment seg into buf, returning its
// length.
func decodeJunk(b *testing.B, buf []byte, seg string) int {
	n, err := b64url.Decode(buf, seg)
	if err != nil {
		b.Fatal(err)
	}
	return n
}
