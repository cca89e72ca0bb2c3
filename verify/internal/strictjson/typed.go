package strictjson

// Readers of typed members. Each one reads the value that comes next, the
// value of the member m, into the Go type encoding/json would decode it
// into; leaves the destination as it is for null (as encoding/json does);
// and for a value of another JSON type records the mistake (see
// TypeError) and only checks the value's grammar.

// Member is what a typed reader needs to know of the member it reads.
type Member struct {
	// Path is the member as encoding/json names it in a type error: the
	// path of keys, such as "firebase.tenant".
	Path string
	// Rule is the caller's error for a value of the wrong type; the
	// Decoder only hands it back in a TypeError.
	Rule error
	// Depth is the depth of the member's object.
	Depth int
}

// TypeError is the first member a Decoder found with a value of the wrong
// JSON type, worded as encoding/json words it.
type TypeError struct {
	Path string
	Rule error
	// Expected names the Go type's JSON form: "a JSON string", "a whole
	// number" and the like.
	Expected string
	// Actual names the value's JSON type: "a JSON number", or for a
	// number that is not a whole number read into an integer, "a JSON
	// number 1.5".
	Actual string
}

// TypeError returns the first mistyped member found, or nil.
func (d *Decoder) TypeError() *TypeError { return d.typeErr }

// mistype records, unless a mistake is recorded already, that the value
// of m is of JSON type actual where expected was wanted.
func (d *Decoder) mistype(m *Member, expected, actual string) {
	if d.typeErr == nil {
		d.typeErr = &TypeError{Path: m.Path, Rule: m.Rule, Expected: expected, Actual: "a JSON " + actual}
	}
}

// mistyped records the value that comes next, starting with c (never
// null), as a mistake and checks its grammar.
func (d *Decoder) mistyped(m *Member, expected string, c byte) error {
	d.mistype(m, expected, valueType(c))
	return d.Skip(m.Depth)
}

// valueType names the JSON type of the value starting with c (never
// null), as encoding/json does in a type error.
func valueType(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

// String reads a string into dst.
func (d *Decoder) String(dst *string, m *Member) error {
	c, err := d.peek()
	switch {
	case err != nil:
		return err
	case c == '"':
		s, err := d.readString()
		*dst = s
		return err
	case c == 'n':
		return d.literal("null")
	}
	return d.mistyped(m, "a JSON string", c)
}

// Int64 reads a whole number into dst: a number with a fraction or an
// exponent, or beyond int64, is of the wrong type.
func (d *Decoder) Int64(dst *int64, m *Member) error {
	c, err := d.peek()
	switch {
	case err != nil:
		return err
	case c == '-' || ('0' <= c && c <= '9'):
		text, err := d.readNumber()
		if err != nil {
			return err
		}
		if n, ok := parseInt64(text); ok {
			*dst = n
		} else {
			d.mistype(m, "a whole number", "number "+text)
		}
		return nil
	case c == 'n':
		return d.literal("null")
	}
	return d.mistyped(m, "a whole number", c)
}

// Bool reads true or false into dst.
func (d *Decoder) Bool(dst *bool, m *Member) error {
	c, err := d.peek()
	switch {
	case err != nil:
		return err
	case c == 't':
		*dst = true
		return d.literal("true")
	case c == 'f':
		*dst = false
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	}
	return d.mistyped(m, "a JSON boolean", c)
}

// Present reads any value, and records in dst that the member is there.
func (d *Decoder) Present(dst *bool, m *Member) error {
	*dst = true
	return d.Skip(m.Depth)
}

// ObjectStart reports whether the value that comes next is an object,
// which the caller then reads with Object at m.Depth+1. A null is read
// (open is false); a value of another type is recorded and checked.
func (d *Decoder) ObjectStart(m *Member) (open bool, err error) {
	c, err := d.peek()
	switch {
	case err != nil:
		return false, err
	case c == '{':
		return true, nil
	case c == 'n':
		return false, d.literal("null")
	}
	return false, d.mistyped(m, "a JSON object", c)
}

// Strings reads an array of strings into dst, as encoding/json fills a
// []string: an empty array is an empty slice, not nil.
func (d *Decoder) Strings(dst *[]string, m *Member) error {
	list, isNull, err := d.appendStrings(nil, true, m)
	if err != nil || isNull {
		return err
	}
	if list == nil {
		list = []string{}
	}
	*dst = list
	return nil
}

// StringArrays checks an object of arrays of strings (or null), as
// encoding/json fills a map[string][]string, and keeps nothing: the
// caller decodes it on demand. encoding/json names the member itself in a
// type error inside it, not the map's key.
func (d *Decoder) StringArrays(m *Member) error {
	open, err := d.ObjectStart(m)
	if err != nil || !open {
		return err
	}
	depth := m.Depth + 1
	elem := &Member{Path: m.Path, Rule: m.Rule, Depth: depth}
	return d.Object(depth, nil, func(int) error {
		_, _, err := d.appendStrings(nil, false, elem)
		return err
	})
}

// appendStrings reads the array of strings that comes next, the value of
// m, appending its elements to list if keep; isNull reports a null
// instead.
func (d *Decoder) appendStrings(list []string, keep bool, m *Member) (_ []string, isNull bool, err error) {
	c, err := d.peek()
	switch {
	case err != nil:
		return list, false, err
	case c == 'n':
		return list, true, d.literal("null")
	case c != '[':
		return list, false, d.mistyped(m, "a JSON array", c)
	}
	depth := m.Depth + 1
	empty, err := d.open(']', depth)
	if err != nil || empty {
		return list, false, err
	}
	elem := &Member{Path: m.Path, Rule: m.Rule, Depth: depth}
	for {
		if err := d.count(); err != nil {
			return list, false, err
		}
		var s string
		if err := d.String(&s, elem); err != nil {
			return list, false, err
		}
		if keep {
			list = append(list, s)
		}
		more, err := d.next(']')
		if err != nil || !more {
			return list, false, err
		}
	}
}
