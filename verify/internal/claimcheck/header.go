package claimcheck

import (
	"fmt"
)

// Algorithms a Firebase token may name in its header.
const (
	// AlgorithmRS256 is the only algorithm Google signs Firebase tokens with.
	AlgorithmRS256 = "RS256"
	// AlgorithmNone marks the unsigned tokens of the Firebase Auth emulator.
	AlgorithmNone = "none"
)

// headerFields are the header parameters read into a Header, with the
// rule each one's JSON type belongs to.
var headerFields = newFields("", 1,
	stringField("alg", ErrUnsupportedAlgorithm, func(h *Header) *string { return &h.Algorithm }),
	stringField("kid", ErrInvalidKeyID, func(h *Header) *string { return &h.KeyID }),
	stringField("typ", nil, func(h *Header) *string { return &h.Type }),
	presentField("crit", nil, func(h *Header) *bool { return &h.Critical }),
)

// ParseHeader decodes a token's header from its JSON (already base64url
// decoded). It refuses duplicate keys, deep nesting and mistyped parameters.
func ParseHeader(data []byte) (Header, error) {
	var h Header
	p := jsonParser{data: data, str: string(data)}
	if err := p.result("header", p.header(&h)); err != nil {
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
