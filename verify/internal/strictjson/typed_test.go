package strictjson

import (
	"errors"
	"reflect"
	"testing"
)

var errRule = errors.New("the member's rule")

// readMember reads the value of the member "m" of doc with read, and
// returns what the Decoder recorded.
func readMember(t *testing.T, doc string, read func(d *Decoder, m *Member) error) (*TypeError, error) {
	t.Helper()
	names := NewNames("m")
	d := New([]byte(doc))
	m := &Member{Path: "p.m", Rule: errRule, Depth: 1}
	err := d.Begin()
	if err == nil {
		err = d.Object(1, names, func(i int) error {
			if i == 0 {
				return read(&d, m)
			}
			return d.Skip(1)
		})
	}
	if err == nil {
		err = d.End()
	}
	return d.TypeError(), err
}

// TestTypedReaders reads each kind of value with each reader: the value
// when its type fits, the destination untouched for null, and otherwise
// the mistake recorded as encoding/json words it, the grammar still
// checked.
func TestTypedReaders(t *testing.T) {
	var s string
	var n int64
	var b bool
	var list []string
	readers := map[string]func(d *Decoder, m *Member) error{
		"string":  func(d *Decoder, m *Member) error { return d.String(&s, m) },
		"int64":   func(d *Decoder, m *Member) error { return d.Int64(&n, m) },
		"bool":    func(d *Decoder, m *Member) error { return d.Bool(&b, m) },
		"strings": func(d *Decoder, m *Member) error { return d.Strings(&list, m) },
		"arrays":  func(d *Decoder, m *Member) error { return d.StringArrays(m) },
	}
	for _, c := range []struct {
		reader, value    string
		expected, actual string // of the TypeError, "" for none
	}{
		{"string", `"a\u00e9"`, "", ""},
		{"string", `null`, "", ""},
		{"string", `5`, "a JSON string", "a JSON number"},
		{"string", `[]`, "a JSON string", "a JSON array"},
		{"int64", `-12`, "", ""},
		{"int64", `1.5`, "a whole number", "a JSON number 1.5"},
		{"int64", `9223372036854775808`, "a whole number", "a JSON number 9223372036854775808"},
		{"int64", `true`, "a whole number", "a JSON bool"},
		{"bool", `false`, "", ""},
		{"bool", `{}`, "a JSON boolean", "a JSON object"},
		{"strings", `["a",null,"b"]`, "", ""},
		{"strings", `"a"`, "a JSON array", "a JSON string"},
		{"strings", `["a",1]`, "a JSON string", "a JSON number"},
		{"arrays", `{"x":["a"],"y":null}`, "", ""},
		{"arrays", `{"x":"a"}`, "a JSON array", "a JSON string"},
		{"arrays", `[]`, "a JSON object", "a JSON array"},
	} {
		te, err := readMember(t, `{"m":`+c.value+`,"z":0}`, readers[c.reader])
		if err != nil {
			t.Errorf("%s of %s: %v", c.reader, c.value, err)
			continue
		}
		var want *TypeError
		if c.expected != "" {
			want = &TypeError{Path: "p.m", Rule: errRule, Expected: c.expected, Actual: c.actual}
		}
		if !reflect.DeepEqual(te, want) {
			t.Errorf("%s of %s: TypeError %+v, want %+v", c.reader, c.value, te, want)
		}
	}
	// The last array read was ["a",1]: its mistyped element left "", as
	// encoding/json leaves it.
	if s != "aé" || n != -12 || b || !reflect.DeepEqual(list, []string{"a", ""}) {
		t.Errorf("values read: %q %d %v %q", s, n, b, list)
	}
	// A syntax fault after a mistyped member comes first.
	if _, err := readMember(t, `{"m":5,"z":[}`, readers["string"]); !errors.Is(err, ErrSyntax) {
		t.Errorf("syntax fault after a mistake: %v, want ErrSyntax", err)
	}
}
