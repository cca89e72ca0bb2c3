package strictjson

import (
	"testing"
	"unicode"
)

// TestFoldTable compares the table behind smallest with the walk of
// unicode.SimpleFold's orbit, for every rune.
func TestFoldTable(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune+1; r++ {
		if got, want := foldTable().smallest(r), orbitMin(r); got != want {
			t.Fatalf("smallest(%U) = %U, want %U", r, got, want)
		}
	}
	for r, got := range foldTable().two {
		if want := foldTable().foldRune(rune(r)); rune(got) != want || want >= 0x800 {
			t.Fatalf("two[%U] = %U, want %U", r, got, want)
		}
	}
	if n := len(foldTable().pages); n > 64 {
		t.Errorf("%d pages, want at most 64", n)
	}
}

func TestFoldSetSize(t *testing.T) {
	if foldSetSlots < 2*MaxMembers || foldSetSlots&(foldSetSlots-1) != 0 {
		t.Fatalf("foldSetSlots = %d, want a power of two of at least %d", foldSetSlots, 2*MaxMembers)
	}
}
