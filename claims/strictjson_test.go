package claims

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// checkStrictJSON is the reference the one-pass parser (fastjson.go) is
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
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return fmt.Errorf("%w: expected a key", errSyntax)
		}
		raw, escaped, err := s.str()
		if err != nil {
			return err
		}
		key := raw[1 : len(raw)-1]
		if escaped {
			var decoded string
			if err := json.Unmarshal(raw, &decoded); err != nil {
				return fmt.Errorf("%w: bad key", errSyntax)
			}
			key = []byte(decoded)
		}
		for _, seen := range keys {
			if bytes.EqualFold(seen, key) {
				return fmt.Errorf("%w %q", errDuplicateKey, key)
			}
		}
		for _, name := range names {
			if string(key) != name && bytes.EqualFold(key, []byte(name)) {
				return fmt.Errorf("%w: key %q is not spelled %q", errSyntax, key, name)
			}
		}
		keys = append(keys, key)
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return fmt.Errorf("%w: expected ':'", errSyntax)
		}
		s.pos++
		if depth == 1 && string(key) == "firebase" {
			s.skipSpace()
			if s.pos < len(s.data) && s.data[s.pos] == '{' {
				err = s.object(depth+1, s.firebaseNames)
			} else {
				err = s.value(depth)
			}
		} else {
			err = s.value(depth)
		}
		if err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return fmt.Errorf("%w: unexpected end", errSyntax)
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return fmt.Errorf("%w: expected ',' or '}'", errSyntax)
		}
	}
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
		s.skipSpace()
		if s.pos >= len(s.data) {
			return fmt.Errorf("%w: unexpected end", errSyntax)
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return fmt.Errorf("%w: expected ',' or ']'", errSyntax)
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
