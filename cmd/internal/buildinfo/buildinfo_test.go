package buildinfo

import (
	"runtime"
	"strings"
	"testing"
)

// A test binary is built inside the checkout, so its version is Devel; the
// installed case is proven by testdata/consumer, which installs each program
// at a tag and reads its --version.
func TestLineInsideTheCheckout(t *testing.T) {
	got := Line("fbverify")
	want := "fbverify " + Devel + " " + runtime.Version()
	if got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	if !strings.HasPrefix(Version(), "(") {
		t.Errorf("Version = %q inside the checkout, want %q", Version(), Devel)
	}
}
