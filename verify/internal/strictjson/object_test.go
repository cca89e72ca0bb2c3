package strictjson

import (
	"errors"
	"slices"
	"testing"
)

// TestObjectHandsOnNameIndexes: Object calls member with the index of
// each key that is one of the names and -1 for any other, in order, and
// Skip checks the values no one reads, whatever their type.
func TestObjectHandsOnNameIndexes(t *testing.T) {
	doc := `{"b":1, "x":{"a":[1,{"b":null}]}, "a":"s", "y":[true,false,"t"]}`
	d := New([]byte(doc))
	if err := d.Begin(); err != nil {
		t.Fatal(err)
	}
	var got []int
	err := d.Object(1, NewNames("a", "b"), func(idx int) error {
		got = append(got, idx)
		return d.Skip(1)
	})
	if err != nil || d.End() != nil {
		t.Fatalf("Object: %v", err)
	}
	if want := []int{1, -1, 0, -1}; !slices.Equal(got, want) {
		t.Fatalf("member indexes %v, want %v", got, want)
	}
}

// TestSkipRefuses a value skipped deep inside, with the error of its
// fault.
func TestSkipRefuses(t *testing.T) {
	for doc, want := range map[string]error{
		`{"x":[1,{"a":tru}]}`:                    ErrSyntax,
		`{"x":[1,{"a":1,"A":2}]}`:                ErrDuplicateKey,
		`{"x":[1e999]}`:                          ErrNumberRange,
		`{"x":[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]}`: ErrTooDeep,
		`{"x":[1,]}`:                             ErrSyntax,
		`{"x":{"a":1,}}`:                         ErrSyntax,
	} {
		if err := readDocument([]byte(doc)); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", doc, err, want)
		}
	}
}
