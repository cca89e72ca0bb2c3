package strictjson

import (
	"errors"
	"testing"
)

// TestNewCopies: the Decoder reads its own copy, so the caller may reuse
// the bytes it passed.
func TestNewCopies(t *testing.T) {
	data := []byte(`{"a":"b"}`)
	d := New(data)
	data[6] = 'x'
	if d.Text() != `{"a":"b"}` {
		t.Fatalf("Text = %q after the caller's bytes changed", d.Text())
	}
}

// TestDecisive reads prefixes of documents: an error is decisive when
// every document with that prefix has it, and only then.
func TestDecisive(t *testing.T) {
	for _, c := range []struct {
		prefix   string
		decisive bool
	}{
		{`{"a":1,"A":`, true},                 // a duplicate read in full
		{`{"a":[[[[[[[[[[[[[[[[[`, true},      // too deep
		{`[1,2`, true},                        // not an object
		{`   `, false},                        // an object may follow
		{``, false},                           // idem
		{`{"a":"unterminated`, false},         // the string may end
		{`{"a":tr`, false},                    // the literal may end
		{`{"a":1e30`, false},                  // the exponent may grow
		{`{"a":1,"b`, false},                  // the key may become anything
		{`{"a":1,"b":2,"c":{"a":1,"a"`, true}, // the repeated key is read in full
	} {
		d := New([]byte(c.prefix))
		err := d.Begin()
		if err == nil {
			err = d.Object(1, nil, nil)
		}
		if err == nil {
			t.Fatalf("%q: no error", c.prefix)
		}
		if got := d.Decisive(err); got != c.decisive {
			t.Errorf("%q: Decisive(%v) = %v, want %v", c.prefix, err, got, c.decisive)
		}
	}
	if (&Decoder{}).Decisive(errors.New("other")) {
		t.Error("an error of no kind of the Decoder's is decisive")
	}
}
