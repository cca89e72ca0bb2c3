package verify_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// TestLongPayloads checks the two-step decoding of payloads longer than
// 4 KiB of base64url: a genuine long token is accepted; a start that
// decides is refused as malformed before the rest is decoded, yet a header
// fault or a byte outside the alphabet comes first as always.
func TestLongPayloads(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := verifytest.NewSigner("long-project", verifytest.WithClock(func() time.Time { return now }))
	v, err := verify.New("long-project", verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now))
	if err != nil {
		t.Fatal(err)
	}
	// A long custom claim: the payload is about 6 KiB of base64url.
	long := s.IDToken("uid-1", verifytest.Claim("note", strings.Repeat("n", 4500)))
	parts := strings.Split(long, ".")
	if len(parts[1]) < 5<<10 {
		t.Fatalf("payload of %d characters, want more than 5 KiB", len(parts[1]))
	}
	header, sig := parts[0], parts[2]
	other := s.IDToken("uid-2", verifytest.Claim("note", strings.Repeat("n", 4500)))
	impossible := parts[1]
	for len(impossible)%4 != 1 {
		impossible += "A"
	}
	enc := base64.RawURLEncoding.EncodeToString
	var members strings.Builder
	members.WriteString(`{"sub":"uid-1"`)
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&members, `,"k%03d":0`, i)
	}
	members.WriteString("}")
	junk := enc([]byte(members.String()))
	badHeader := enc([]byte(`{"alg":"HS256","kid":"x"}`))
	for _, c := range []struct {
		name  string
		token string
		want  error
		text  string
	}{
		{"a genuine long token", long, nil, ""},
		{"another long payload", header + "." + strings.Split(other, ".")[1] + "." + sig, verify.ErrInvalidSignature, ""},
		{"too many members", header + "." + junk + "." + sig, verify.ErrMalformed, "more than 256 members"},
		{"too many members, bad header", badHeader + "." + junk + "." + sig, verify.ErrUnsupportedAlgorithm, ""},
		{"too many members, a bad byte after 4 KiB", header + "." + junk[:5000] + "+" + junk[5001:] + "." + sig, verify.ErrMalformed, "more than 256 members"},
		{"a bad byte after 4 KiB, bad header", badHeader + "." + junk[:5000] + "+" + junk[5001:] + "." + sig, verify.ErrMalformed, "not base64url"},
		{"a bad byte after 4 KiB", header + "." + parts[1][:5000] + "+" + parts[1][5001:] + "." + sig, verify.ErrMalformed, "not base64url"},
		{"an impossible length", header + "." + impossible + "." + sig, verify.ErrMalformed, "not canonical base64url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), c.token)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want accepted", err)
				}
				return
			}
			if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.text) {
				t.Fatalf("Verify = %v, want %v saying %q", err, c.want, c.text)
			}
		})
	}
}

// TestLargeTokens covers tokens too long for the buffer pool
// (WithMaxTokenBytes raised), whose buffer grows once the payload's start
// passes: a genuine one is accepted, a tampered one refused, junk refused.
func TestLargeTokens(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := verifytest.NewSigner("long-project", verifytest.WithClock(func() time.Time { return now }))
	v, err := verify.New("long-project", verify.WithKeySource(s.KeySource()), verify.WithClock(s.Now), verify.WithMaxTokenBytes(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	big := s.IDToken("uid-1", verifytest.Claim("note", strings.Repeat("n", 200<<10)))
	if _, err := v.Verify(context.Background(), big); err != nil {
		t.Fatalf("a genuine 270 KiB token: %v", err)
	}
	parts := strings.Split(big, ".")
	other := strings.Split(s.IDToken("uid-2", verifytest.Claim("note", strings.Repeat("n", 200<<10))), ".")
	if _, err := v.Verify(context.Background(), parts[0]+"."+other[1]+"."+parts[2]); !errors.Is(err, verify.ErrInvalidSignature) {
		t.Fatalf("another payload under the signature: %v, want ErrInvalidSignature", err)
	}
	var members strings.Builder
	members.WriteString("{")
	for i := 0; i < 30000; i++ {
		fmt.Fprintf(&members, `"k%05d":0,`, i)
	}
	members.WriteString(`"x":0}`)
	junk := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(members.String())) + "." + parts[2]
	if _, err := v.Verify(context.Background(), junk); !errors.Is(err, verify.ErrMalformed) || !strings.Contains(err.Error(), "more than 256 members") {
		t.Fatalf("junk: %v, want ErrMalformed for too many members", err)
	}
}
