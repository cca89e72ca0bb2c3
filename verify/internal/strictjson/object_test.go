package strictjson

import (
	"errors"
	"strings"
	"testing"
)

// TestKeyBefore checks the exact comparison behind a repeated hash: the
// object's keys before the offset, and only those, are compared.
func TestKeyBefore(t *testing.T) {
	data := `{"a":1, "b":[{"c":2}],"D":{"x":"}"},"e\u0301":4,"f":5}`
	d := Decoder{s: data}
	keys := objectKeys{start: 0, depth: 1}
	end := strings.Index(data, `"f"`)
	for k, want := range map[string]bool{"a": true, "B": true, "d": true, "e\u0301": true, "c": false, "x": false, "f": false, "e": false} {
		if got := d.keyBefore(&keys, k, end); got != want {
			t.Errorf("keyBefore(%q) = %v, want %v", k, got, want)
		}
	}
}

// TestDuplicateKeysInSmallObjects repeats a key in objects of few keys,
// where the first key is hashed only once a second comes.
func TestDuplicateKeysInSmallObjects(t *testing.T) {
	for doc, dup := range map[string]bool{
		`{"a":1,"a":2}`:             true,
		`{"a":1,"A":2}`:             true,
		`{"A":1,"a":2}`:             true,
		`{"é":1,"É":2}`:             true,
		`{"a":1,"b":2,"a":3}`:       true,
		`{"x":{"a":1},"y":{"a":1}}`: false,
		`{"a":1,"b":2}`:             false,
		`{"":1,"":2}`:               true,
		`{"":1}`:                    false,
	} {
		err := readDocument([]byte(doc))
		if got := errors.Is(err, ErrDuplicateKey); got != dup || (!dup && err != nil) {
			t.Errorf("%s: %v, want a duplicate %v", doc, err, dup)
		}
	}
}
