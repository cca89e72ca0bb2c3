package strictjson

import (
	"errors"
	"fmt"
)

// MaxDepth is how deeply objects and arrays may nest in a document; the
// top-level object is at depth 1. Genuine Firebase tokens nest three
// levels at most.
const MaxDepth = 16

// MaxMembers is how many members one object may have, and MaxValues how
// many members and array elements the whole document may have. A genuine
// Firebase payload has about 20 members of its own and custom claims of at
// most 1000 bytes of JSON, which hold at most about 170 members or 500
// array elements (a member takes at least 6 bytes, an element 2). The
// limits refuse early, before the whole document is read, what only junk
// has.
const (
	MaxMembers = 256
	MaxValues  = 1024
)

// The kinds of fault a Decoder reports. Every error it returns wraps one
// of them; its message says what was found.
var (
	ErrDuplicateKey = errors.New("duplicate key")
	ErrTooDeep      = errors.New("nesting too deep")
	ErrTooMany      = errors.New("too many values")
	ErrSyntax       = errors.New("invalid JSON")
	ErrNumberRange  = errors.New("number beyond float64's range")
)

var (
	errTooManyMembers   = fmt.Errorf("%w: more than %d members in one object", ErrTooMany, MaxMembers)
	errTooManyValues    = fmt.Errorf("%w: more than %d members and array elements in all", ErrTooMany, MaxValues)
	errUnexpectedEnd    = syntaxErr("unexpected end")
	errBadUTF8          = syntaxErr("not valid UTF-8")
	errNotObject        = syntaxErr("not a JSON object")
	errUnterminated     = syntaxErr("unterminated string")
	errControl          = syntaxErr("control character in string")
	errBadEscape        = syntaxErr("invalid escape")
	errBadUEscape       = syntaxErr(`invalid \u escape`)
	errNoCommaOrBrace   = syntaxErr("expected ',' or '}'")
	errNoCommaOrBracket = syntaxErr("expected ',' or ']'")
)

func syntaxErr(msg string) error { return fmt.Errorf("%w: %s", ErrSyntax, msg) }

// A Decoder reads one JSON document. Begin, then Object with the reader of
// the top-level object's members, then End. Strings without escapes that
// it returns are substrings of Text, and cost no allocation of their own.
//
// A member of the wrong JSON type for its typed reader (see typed.go) does
// not stop the pass: the first such mistake is recorded (TypeError) and
// the grammar is checked to the end, so that a syntax fault anywhere is
// reported first.
type Decoder struct {
	s   string
	pos int
	// values counts the members and array elements read so far, against
	// MaxValues.
	values int
	// fold holds the folded form of the last key that is not its own (see
	// readKey); it grows to the longest such key and is reused.
	fold []byte
	// typeErr is the first typed member found with a value of the wrong
	// JSON type.
	typeErr *TypeError
}

// New returns a Decoder of a copy of data: the caller may reuse data once
// New returns.
func New(data []byte) Decoder {
	return Decoder{s: string(data)}
}

// Text is the document, as the Decoder's copy.
func (d *Decoder) Text() string { return d.s }

// Begin checks that the document starts with an object, after white
// space, and leaves the Decoder at its '{' for Object.
func (d *Decoder) Begin() error {
	d.skipSpace()
	if d.pos >= len(d.s) || d.s[d.pos] != '{' {
		return errNotObject
	}
	return nil
}

// End checks that nothing but white space follows the top-level object.
func (d *Decoder) End() error {
	d.skipSpace()
	if d.pos != len(d.s) {
		return syntaxErr("data after the object")
	}
	return nil
}

// Decisive reports whether err, returned by a pass over a prefix of a
// document, is the error the same pass returns for any document starting
// with that prefix: one found where everything before was read in full
// and nothing after was looked at (a limit, a duplicate of a key read in
// full, an opening bracket too deep, a first byte that opens no object).
// Errors at the end of the prefix, such as an unterminated string, a
// literal or escape cut short, or a number whose range depends on digits
// yet to come, are not.
func (d *Decoder) Decisive(err error) bool {
	if err == errNotObject {
		return d.pos < len(d.s)
	}
	return errors.Is(err, ErrTooMany) || errors.Is(err, ErrTooDeep) || errors.Is(err, ErrDuplicateKey)
}

// count counts one more array element against MaxValues.
func (d *Decoder) count() error {
	d.values++
	if d.values > MaxValues {
		return errTooManyValues
	}
	return nil
}

// countMember counts the nth member of an object against MaxMembers and
// MaxValues.
func (d *Decoder) countMember(n int) error {
	d.values++
	if n > MaxMembers {
		return errTooManyMembers
	}
	if d.values > MaxValues {
		return errTooManyValues
	}
	return nil
}

func (d *Decoder) skipSpace() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte.
func (d *Decoder) peek() (byte, error) {
	d.skipSpace()
	if d.pos >= len(d.s) {
		return 0, errUnexpectedEnd
	}
	return d.s[d.pos], nil
}

// open consumes the '{' or '[' at d.pos of a container at depth and
// reports whether it closes at once.
func (d *Decoder) open(closer byte, depth int) (empty bool, err error) {
	if depth > MaxDepth {
		return false, ErrTooDeep
	}
	d.pos++
	d.skipSpace()
	if d.pos < len(d.s) && d.s[d.pos] == closer {
		d.pos++
		return true, nil
	}
	return false, nil
}

// next consumes the ',' or closer after a member or element and reports
// whether another follows.
func (d *Decoder) next(closer byte) (more bool, err error) {
	d.skipSpace()
	if d.pos >= len(d.s) {
		return false, errUnexpectedEnd
	}
	switch d.s[d.pos] {
	case ',':
		d.pos++
		return true, nil
	case closer:
		d.pos++
		return false, nil
	}
	if closer == '}' {
		return false, errNoCommaOrBrace
	}
	return false, errNoCommaOrBracket
}

// colon consumes the ':' after a key, after white space if any.
func (d *Decoder) colon() error {
	d.skipSpace()
	if d.pos >= len(d.s) || d.s[d.pos] != ':' {
		return syntaxErr("expected ':'")
	}
	d.pos++
	return nil
}

func (d *Decoder) literal(word string) error {
	if len(d.s)-d.pos < len(word) || d.s[d.pos:d.pos+len(word)] != word {
		return syntaxErr("invalid literal")
	}
	d.pos += len(word)
	return nil
}
