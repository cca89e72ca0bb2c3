package main

import (
	"strings"
	"testing"
)

func TestRunTakesMediansAndRatios(t *testing.T) {
	in := `goos: linux
BenchmarkVerify/floor-2      100   100 ns/op   10 B/op   1 allocs/op
BenchmarkVerify/floor-2      100   300 ns/op   10 B/op   1 allocs/op
BenchmarkVerify/floor-2      100   200 ns/op   10 B/op   1 allocs/op
BenchmarkVerify/ours-2       100   220 ns/op   20 B/op   3 allocs/op
BenchmarkVerify/ours-2       100   240 ns/op   20 B/op   3 allocs/op
BenchmarkVerify/other-2      100   880 ns/op   90 B/op   9 allocs/op
BenchmarkPaired/Verify/ours-2    100   500 ns/op   1.10 x-floor   20 B/op   3 allocs/op
BenchmarkPaired/Verify/ours-2    100   500 ns/op   1.30 x-floor   20 B/op   3 allocs/op
BenchmarkPaired/Verify/other-2   100   900 ns/op   4.80 x-floor
PASS
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out, "Verify/floor", "Verify/ours"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| Verify/floor | 2 | 3 | 200 | 10 | 1 | 1.00 | 0.87 | 1.00 | 0.83 |",
		"| Verify/ours | 2 | 2 | 230 | 20 | 3 | 1.15 | 1.00 | 1.20 | 1.00 |",
		"| Verify/other | 2 | 1 | 880 | 90 | 9 | 4.40 | 3.83 | 4.80 | 4.00 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(strings.NewReader("nothing"), &out, "a", "b"); err == nil {
		t.Error("no error for input without results")
	}
}
