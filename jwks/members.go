package jwks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// checkNoRepeatedMembers refuses a JSON document in which any object names
// a member twice, exactly or differing only in letter case. encoding/json
// keeps the last of repeated members (and matches struct fields without
// regard to case), so a document with {"kid": "a", "kid": "b"} or two
// "keys" arrays would mean whatever the last copy says, while another
// reader may take the first. A key set must mean one thing.
//
// The cost is linear in the document's size: one pass over its bytes,
// with one set of folded names per object. data must already be known to
// be valid JSON (on other input it returns some answer, without panic).
func checkNoRepeatedMembers(data []byte) error {
	type frame struct {
		names     map[string]struct{} // nil for an array
		expectKey bool
	}
	var stack []frame
	var folded []byte
	for i := 0; i < len(data); {
		switch data[i] {
		case '{':
			stack = append(stack, frame{names: map[string]struct{}{}, expectKey: true})
			i++
		case '[':
			stack = append(stack, frame{})
			i++
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			i++
		case ',':
			if n := len(stack); n > 0 && stack[n-1].names != nil {
				stack[n-1].expectKey = true
			}
			i++
		case '"':
			end := stringEnd(data, i)
			if n := len(stack); n > 0 && stack[n-1].expectKey {
				name, err := memberName(data[i:end])
				if err != nil {
					return err
				}
				folded = foldName(folded[:0], name)
				if _, dup := stack[n-1].names[string(folded)]; dup {
					return fmt.Errorf("%w: member %q appears twice in one object (names are compared without regard to case)", ErrInvalidKeySet, name)
				}
				stack[n-1].names[string(folded)] = struct{}{}
				stack[n-1].expectKey = false
			}
			i = end
		default:
			i++
		}
	}
	return nil
}

// stringEnd returns the index just past the JSON string that starts with
// the quote at data[start], or len(data) if it is not closed.
func stringEnd(data []byte, start int) int {
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++ // the escaped byte; \uXXXX's hex digits hold no quote
		case '"':
			return i + 1
		}
	}
	return len(data)
}

// memberName decodes a quoted member name; only names with escapes need
// the JSON decoder.
func memberName(quoted []byte) (string, error) {
	if len(quoted) >= 2 && bytes.IndexByte(quoted, '\\') < 0 {
		return string(quoted[1 : len(quoted)-1]), nil
	}
	var name string
	if err := json.Unmarshal(quoted, &name); err != nil {
		return "", fmt.Errorf("%w: bad member name: %v", ErrInvalidKeySet, err)
	}
	return name, nil
}

// foldName appends name folded as encoding/json folds member names when it
// matches them to struct fields: ASCII letters to upper case, other runes
// to the smallest rune of their case-folding orbit.
func foldName(out []byte, name string) []byte {
	for _, r := range name {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			out = append(out, byte(r))
			continue
		}
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}
