package claimcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// Algorithms a Firebase token may name in its header.
const (
	// AlgorithmRS256 is the only algorithm Google signs Firebase tokens with.
	AlgorithmRS256 = "RS256"
	// AlgorithmNone marks the unsigned tokens of the Firebase Auth emulator.
	AlgorithmNone = "none"
)

var headerNames = []string{"alg", "kid", "typ", "crit"}

type wireHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// ParseHeader decodes a token's header from its JSON (already base64url
// decoded). It refuses duplicate keys, deep nesting and mistyped parameters.
func ParseHeader(data []byte) (Header, error) {
	var h Header
	p := jsonParser{data: data, str: string(data)}
	err := p.header(&h)
	if err == nil {
		err = p.end()
	}
	if err != nil {
		return Header{}, &ValidationError{Claim: "header", Err: ErrMalformed, Actual: err.Error()}
	}
	if p.mistyped {
		return parseHeaderMistyped(data)
	}
	return h, nil
}

// parseHeaderMistyped decodes a strict JSON header with a mistyped
// parameter through encoding/json, for an exact report.
func parseHeaderMistyped(data []byte) (Header, error) {
	var w wireHeader
	if err := json.Unmarshal(data, &w); err != nil {
		return Header{}, typeError("header", err, map[string]error{
			"alg": ErrUnsupportedAlgorithm,
			"kid": ErrInvalidKeyID,
			"typ": ErrMalformed,
		})
	}
	return Header{Algorithm: w.Alg, KeyID: w.Kid, Type: w.Typ, Critical: w.Crit != nil}, nil
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

// typeError turns an error from json.Unmarshal into a ValidationError,
// naming the rule of the mistyped field when there is one.
func typeError(where string, err error, rules map[string]error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		rule, ok := rules[te.Field]
		if !ok {
			rule = ErrMalformed
		}
		return &ValidationError{Claim: te.Field, Err: rule,
			Expected: jsonKind(te.Type), Actual: "a JSON " + te.Value}
	}
	return &ValidationError{Claim: where, Err: ErrMalformed, Actual: err.Error()}
}

// jsonKind names the JSON shape a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a JSON string"
	case reflect.Int64:
		return "a whole number"
	case reflect.Bool:
		return "a JSON boolean"
	case reflect.Map, reflect.Struct:
		return "a JSON object"
	case reflect.Slice:
		return "a JSON array"
	}
	return "a JSON " + t.String()
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return fmt.Sprintf("%q", s)
}
