package strictjson

import (
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
