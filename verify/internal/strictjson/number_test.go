package strictjson

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestInFloatRangeMatchesParseFloat checks the range check against
// strconv.ParseFloat on numbers at the edge of float64's range, where it
// compares digits with overflowDigits, and around it.
func TestInFloatRangeMatchesParseFloat(t *testing.T) {
	max := strconv.FormatFloat(math.MaxFloat64, 'e', -1, 64) // 1.7976931348623157e+308
	exact := strconv.FormatFloat(math.MaxFloat64, 'f', -1, 64)
	half := overflowDigits + strings.Repeat("0", 309-len(overflowDigits))
	cases := []string{
		max, "-" + max, "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
		exact, "-" + exact, exact + ".999", half, half + ".0", half + ".0000001", "-" + half,
		half[:308] + "1", half[:308], "0." + overflowDigits + "e309", "0.0000" + overflowDigits + "e313",
		overflowDigits[:40] + "e269", overflowDigits[:40] + "1e268", overflowDigits + "e-1",
		"1e308", "9.99e308", "1e309", "10e308", "0.1e309", "0.01e310", "0e999999", "-0.0e400", "1e-400",
		"2e308", "1.8e308", "1" + strings.Repeat("0", 308), "1" + strings.Repeat("0", 309),
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 2000; i++ {
		// A prefix of the halfway digits, then one digit changed or
		// some appended, as a whole number, a fraction or with an exponent.
		d := []byte(overflowDigits[:1+r.IntN(len(overflowDigits))])
		if r.IntN(2) == 0 {
			d[r.IntN(len(d))] = byte('0' + r.IntN(10))
		}
		if r.IntN(2) == 0 {
			d = append(d, byte('0'+r.IntN(10)))
		}
		s := string(d)
		switch r.IntN(3) {
		case 0:
			s = s[:1] + "." + s[1:] + "e308"
		case 1:
			s = "0." + s + "e" + strconv.Itoa(309)
		default:
			s += strings.Repeat("0", max0(309-len(s)))
		}
		cases = append(cases, s)
	}
	for _, c := range cases {
		_, err := strconv.ParseFloat(c, 64)
		if got, want := inFloatRange(c), err == nil; got != want {
			t.Errorf("inFloatRange(%.80q) = %v, want %v", c, got, want)
		}
	}
}

func max0(n int) int { return max(n, 0) }
