package claimcheck

import (
	"fmt"

	"github.com/fbverify/fbverify/verify/internal/strictjson"
)

// Algorithms a Firebase token may name in its header.
const (
	// AlgorithmRS256 is the only algorithm Google signs Firebase tokens with.
	AlgorithmRS256 = "RS256"
	// AlgorithmNone marks the unsigned tokens of the Firebase Auth emulator.
	AlgorithmNone = "none"
)

// ParseHeader decodes a token's header from its JSON (already base64url
// decoded). It refuses duplicate keys, deep nesting and mistyped parameters.
func ParseHeader(data []byte) (Header, error) {
	var h Header
	d := strictjson.New(data)
	err := d.Begin()
	if err == nil {
		err = readHeader(&d, &h)
	}
	if err := outcome(&d, "header", err); err != nil {
		return Header{}, err
	}
	return h, nil
}

// CheckAlgorithm enforces the alg rule: RS256, or "none" when allowUnsigned
// is true (the emulator's tokens). The comparison is exact: "rs256" and
// "None" are refused.
func CheckAlgorithm(h Header, allowUnsigned bool) error {
	if h.Algorithm == AlgorithmRS256 || (allowUnsigned && h.Algorithm == AlgorithmNone) {
		return nil
	}
	hint := "Firebase tokens are signed with RS256"
	if h.Algorithm == AlgorithmNone || h.Algorithm == "None" || h.Algorithm == "NONE" {
		hint = "an unsigned token is accepted only in emulator mode"
	}
	return &ValidationError{Claim: "alg", Err: ErrUnsupportedAlgorithm,
		Expected: quote(AlgorithmRS256), Actual: quote(h.Algorithm), Hint: hint}
}

// CheckHeader enforces the header rules after the algorithm: no crit
// parameter, and for signed tokens a non-empty kid.
func CheckHeader(h Header) error {
	if h.Critical {
		return &ValidationError{Claim: "crit", Err: ErrCriticalHeader,
			Hint: "no critical header extension is supported"}
	}
	if h.Algorithm != AlgorithmNone && h.KeyID == "" {
		return &ValidationError{Claim: "kid", Err: ErrInvalidKeyID,
			Expected: "the ID of one of Google's current keys", Actual: "none"}
	}
	return nil
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return fmt.Sprintf("%q", s)
}
