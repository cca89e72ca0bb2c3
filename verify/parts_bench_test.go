package verify_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"
)

// The BenchmarkPart benchmarks time, alone, the steps a verification adds
// to the floor, on the same token as BenchmarkVerify: where the overhead
// goes.

// BenchmarkPartDecode is base64url decoding of the payload and signature
// (the header is parsed once per distinct segment).
func BenchmarkPartDecode(b *testing.B) {
	parts := strings.Split(newBenchFixture(b).token, ".")
	enc := base64.RawURLEncoding.Strict()
	buf := make([]byte, enc.DecodedLen(len(parts[1]))+enc.DecodedLen(len(parts[2])))
	b.ReportAllocs()
	for b.Loop() {
		n, err := enc.Decode(buf, []byte(parts[1]))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := enc.Decode(buf[n:], []byte(parts[2])); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPartParse is the strict parse of the payload into a Token.
func BenchmarkPartParse(b *testing.B) {
	payload := benchPayload(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := claimcheck.Parse(payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPartValidate is the claim rules.
func BenchmarkPartValidate(b *testing.B) {
	tok, err := claimcheck.Parse(benchPayload(b))
	if err != nil {
		b.Fatal(err)
	}
	want := claimcheck.Expected{ProjectIDs: []string{"bench-project"}, IssuerPrefix: claimcheck.IDTokenIssuerPrefix,
		Leeway: time.Minute, MaxLifetime: time.Hour}
	b.ReportAllocs()
	for b.Loop() {
		if err := claimcheck.Validate(tok, want, benchNow); err != nil {
			b.Fatal(err)
		}
	}
}

func benchPayload(b *testing.B) []byte {
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(newBenchFixture(b).token, ".")[1])
	if err != nil {
		b.Fatal(err)
	}
	return payload
}
