package claimcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"unicode/utf8"

	"github.com/fbverify/fbverify/verify/internal/strictjson"
)

// checkStrictJSON is the reference the one-pass parser (package strictjson, through Parse) is
// tested against: the structural scan the package used before it, which
// encoding/json then decoded. It compares each key with every key before
// it, so it is quadratic; the parser is not. It reports whether data is a single JSON object with no
// duplicate key in any object, at most MaxJSONDepth levels deep, and valid
// UTF-8. Two parsers that disagree on which of two "aud" keys wins are a
// classic way to smuggle a claim past a verifier, so duplicates are refused
// outright.
//
// encoding/json matches keys to struct fields case-insensitively (with
// Unicode simple folding, so "ſub" fills Sub), so keys count as duplicates
// when they are equal under that folding, and a top-level key that folds to
// one of topNames (or, inside the top-level "firebase" object, to one of
// firebaseNames) without being spelled exactly like it is refused too.
//
// The full grammar is checked later by encoding/json; this pass only walks
// the structure, and allocates nothing for keys without escapes.
// The kinds of fault, as package strictjson names them.
var (
	errSyntax       = strictjson.ErrSyntax
	errDuplicateKey = strictjson.ErrDuplicateKey
	errTooDeep      = strictjson.ErrTooDeep
	errTooMany      = strictjson.ErrTooMany
)

func checkStrictJSON(data []byte, topNames, firebaseNames []string) error {
	s := scanner{data: data, topNames: topNames, firebaseNames: firebaseNames}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '{' {
		return fmt.Errorf("%w: not a JSON object", errSyntax)
	}
	if err := s.object(1, s.topNames); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos != len(s.data) {
		return fmt.Errorf("%w: data after the object", errSyntax)
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: not valid UTF-8", errSyntax)
	}
	return nil
}

type scanner struct {
	data          []byte
	pos           int
	values        int // members and array elements, against MaxJSONValues
	topNames      []string
	firebaseNames []string
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value skips one JSON value starting at s.pos.
func (s *scanner) value(depth int) error {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return fmt.Errorf("%w: unexpected end", errSyntax)
	}
	switch s.data[s.pos] {
	case '{':
		return s.object(depth+1, nil)
	case '[':
		return s.array(depth + 1)
	case '"':
		_, _, err := s.str()
		return err
	default:
		// A number or a literal: skip to the next delimiter; encoding/json
		// checks its spelling.
		start := s.pos
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if s.pos == start {
					return fmt.Errorf("%w: missing value", errSyntax)
				}
				return nil
			}
			s.pos++
		}
		return nil
	}
}

// object skips an object; names are the field names that encoding/json
// will match at this level, each of which must be spelled exactly.
func (s *scanner) object(depth int, names []string) error {
	if depth > MaxJSONDepth {
		return errTooDeep
	}
	s.pos++ // '{'
	// Keys seen so far in this object, as raw spans of s.data (or decoded
	// copies when they contain escapes). Firebase objects are small, so a
	// linear search beats a map and allocates nothing.
	var inline [24][]byte
	keys := inline[:0]
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		if len(keys) == MaxJSONMembers {
			return fmt.Errorf("%w: too many members", errTooMany)
		}
		if err := s.count(); err != nil {
			return err
		}
		key, err := s.key(keys, names)
		if err != nil {
			return err
		}
		keys = append(keys, key)
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return fmt.Errorf("%w: expected ':'", errSyntax)
		}
		s.pos++
		err = s.member(depth, key)
		if err != nil {
			return err
		}
		if more, err := s.next('}'); err != nil || !more {
			return err
		}
	}
}

// key reads a key and checks it against the keys before it in its object
// and against names.
func (s *scanner) key(keys [][]byte, names []string) ([]byte, error) {
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, fmt.Errorf("%w: expected a key", errSyntax)
	}
	raw, escaped, err := s.str()
	if err != nil {
		return nil, err
	}
	key := raw[1 : len(raw)-1]
	if escaped {
		var decoded string
		if err := json.Unmarshal(raw, &decoded); err != nil {
			return nil, fmt.Errorf("%w: bad key", errSyntax)
		}
		key = []byte(decoded)
	}
	for _, seen := range keys {
		if bytes.EqualFold(seen, key) {
			return nil, fmt.Errorf("%w %q", errDuplicateKey, key)
		}
	}
	for _, name := range names {
		if string(key) != name && bytes.EqualFold(key, []byte(name)) {
			return nil, fmt.Errorf("%w: key %q is not spelled %q", errSyntax, key, name)
		}
	}
	return key, nil
}

// member skips the value of the member key of an object at depth: the
// firebase claim's object with its own names.
func (s *scanner) member(depth int, key []byte) error {
	if depth == 1 && string(key) == "firebase" {
		s.skipSpace()
		if s.pos < len(s.data) && s.data[s.pos] == '{' {
			return s.object(depth+1, s.firebaseNames)
		}
	}
	return s.value(depth)
}

// next reads the ',' or the closer after a member or an element, and
// reports whether another follows.
func (s *scanner) next(closer byte) (more bool, err error) {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return false, fmt.Errorf("%w: unexpected end", errSyntax)
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		return true, nil
	case closer:
		s.pos++
		return false, nil
	}
	return false, fmt.Errorf("%w: expected ',' or '%c'", errSyntax, closer)
}

// count counts a member or an array element against MaxJSONValues.
func (s *scanner) count() error {
	s.values++
	if s.values > MaxJSONValues {
		return fmt.Errorf("%w: too many values", errTooMany)
	}
	return nil
}

func (s *scanner) array(depth int) error {
	if depth > MaxJSONDepth {
		return errTooDeep
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		if err := s.count(); err != nil {
			return err
		}
		if err := s.value(depth); err != nil {
			return err
		}
		if more, err := s.next(']'); err != nil || !more {
			return err
		}
	}
}

// str skips a JSON string starting at the opening quote and returns it with
// its quotes, and whether it contains an escape.
func (s *scanner) str() (raw []byte, escaped bool, err error) {
	start := s.pos
	s.pos++
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; {
		case c == '"':
			s.pos++
			return s.data[start:s.pos], escaped, nil
		case c == '\\':
			escaped = true
			s.pos += 2
		case c < 0x20:
			return nil, false, fmt.Errorf("%w: control character in string", errSyntax)
		default:
			s.pos++
		}
	}
	return nil, false, fmt.Errorf("%w: unterminated string", errSyntax)
}

// The reference decoder: encoding/json into wire structs, as Parse,
// ParseHeader and ParseAppCheck used to report a typed claim of the wrong
// JSON type. The one-pass parser now words those errors itself; the fuzz
// and table tests compare the two.

var (
	payloadNames  = tokenClaims.names.List()
	firebaseNames = firebaseClaims.names.List()
	headerNames   = headerClaims.names.List()
	appCheckNames = appCheckClaims.names.List()
	// payloadRules names the rule broken when a claim has the wrong JSON type.
	payloadRules = map[string]error{
		"sub":             ErrInvalidSubject,
		"uid":             ErrInvalidSubject,
		"aud":             ErrInvalidAudience,
		"iss":             ErrInvalidIssuer,
		"iat":             ErrInvalidIssuedAt,
		"exp":             ErrInvalidExpiry,
		"auth_time":       ErrInvalidAuthTime,
		"firebase.tenant": ErrInvalidTenant,
	}
)

// wireFirebase is the firebase claim as encoding/json decodes it, on the
// rare path that reports a mistyped claim (see parseMistyped).
type wireFirebase struct {
	SignInProvider         string              `json:"sign_in_provider"`
	Identities             map[string][]string `json:"identities"`
	Tenant                 string              `json:"tenant"`
	SignInSecondFactor     string              `json:"sign_in_second_factor"`
	SecondFactorIdentifier string              `json:"second_factor_identifier"`
}

type wireToken struct {
	Sub           string       `json:"sub"`
	Aud           string       `json:"aud"`
	Iss           string       `json:"iss"`
	Iat           int64        `json:"iat"`
	Exp           int64        `json:"exp"`
	AuthTime      int64        `json:"auth_time"`
	Email         string       `json:"email"`
	EmailVerified bool         `json:"email_verified"`
	PhoneNumber   string       `json:"phone_number"`
	Name          string       `json:"name"`
	Picture       string       `json:"picture"`
	Firebase      wireFirebase `json:"firebase"`
	UID           string       `json:"uid"`
}

// parseMistyped decodes a payload that is strict JSON but has a typed claim
// of the wrong JSON type, through encoding/json, so that the error names
// the claim, its rule and the types exactly as encoding/json sees them.
func parseMistyped(payload []byte) (*Token, error) {
	var w wireToken
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, typeError("payload", err, payloadRules)
	}
	return &Token{
		UID:           w.Sub,
		Audience:      w.Aud,
		Issuer:        w.Iss,
		IssuedAt:      unixTime(w.Iat),
		Expires:       unixTime(w.Exp),
		AuthTime:      unixTime(w.AuthTime),
		Email:         w.Email,
		EmailVerified: w.EmailVerified,
		PhoneNumber:   w.PhoneNumber,
		Name:          w.Name,
		Picture:       w.Picture,
		Firebase: Firebase{
			SignInProvider:         w.Firebase.SignInProvider,
			Tenant:                 w.Firebase.Tenant,
			SignInSecondFactor:     w.Firebase.SignInSecondFactor,
			SecondFactorIdentifier: w.Firebase.SecondFactorIdentifier,
		},
		Payload: string(payload),
	}, nil
}

type wireHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
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

type wireAppCheck struct {
	Sub string   `json:"sub"`
	Iss string   `json:"iss"`
	Aud []string `json:"aud"`
	Iat int64    `json:"iat"`
	Exp int64    `json:"exp"`
}

var appCheckRules = map[string]error{
	"sub": ErrInvalidSubject,
	"iss": ErrInvalidIssuer,
	"aud": ErrInvalidAudience,
	"iat": ErrInvalidIssuedAt,
	"exp": ErrInvalidExpiry,
}

// referenceParseAppCheck is ParseAppCheck as it was: the strict scan,
// then encoding/json into the wire struct.
func referenceParseAppCheck(payload []byte) (*AppCheckToken, error) {
	if err := checkStrictJSON(payload, appCheckNames, nil); err != nil {
		return nil, &ValidationError{Claim: "payload", Err: ErrMalformed, Actual: err.Error()}
	}
	if err := json.Unmarshal(payload, new(any)); err != nil {
		return nil, &ValidationError{Claim: "payload", Err: ErrMalformed, Actual: err.Error()}
	}
	var w wireAppCheck
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, typeError("payload", err, appCheckRules)
	}
	return &AppCheckToken{AppID: w.Sub, Issuer: w.Iss, Audience: w.Aud,
		IssuedAt: unixTime(w.Iat), Expires: unixTime(w.Exp), Payload: string(payload)}, nil
}
