package strictjson

import (
	"fmt"
	"strconv"
)

// maxFloatDigits is the most digits of a whole number always within
// float64's range (about 1.8e308).
const maxFloatDigits = 308

// skipNumber checks the number at d.pos and moves past it.
func (d *Decoder) skipNumber() error {
	end, err := scanNumber(d.s, d.pos)
	d.pos = end
	return err
}

// readNumber checks the number at d.pos, moves past it and returns its
// text.
func (d *Decoder) readNumber() (string, error) {
	start := d.pos
	err := d.skipNumber()
	return d.s[start:d.pos], err
}

// scanNumber checks the number at s[i:] as JSON spells it (RFC 8259,
// section 6) and returns the index after it. A number beyond float64's
// range (1e400, a 400-digit integer) is refused: encoding/json cannot
// decode it into an interface value, so neither Token.Decode into a map
// nor the Admin SDK could read the payload.
func scanNumber(s string, i int) (int, error) {
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	i, err := scanInteger(s, i)
	if err != nil {
		return i, err
	}
	intEnd := i
	if i < len(s) && s[i] == '.' {
		if i, err = scanDigits(s, i+1); err != nil {
			return i, err
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i, err = scanDigits(s, i); err != nil {
			return i, err
		}
	}
	if i == intEnd && i-start <= maxFloatDigits {
		return i, nil // a whole number of few digits, as nearly all are
	}
	if !inFloatRange(s[start:i]) {
		return i, fmt.Errorf("%w: %s (encoding/json cannot decode it into an interface value, nor can the Admin SDK)",
			ErrNumberRange, quote(s[start:i]))
	}
	return i, nil
}

// scanInteger reads the integer part of a number at s[i:]: a lone 0, or
// digits not starting with 0.
func scanInteger(s string, i int) (int, error) {
	switch {
	case i < len(s) && s[i] == '0':
		return i + 1, nil
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		return digitsEnd(s, i+1), nil
	}
	return i, syntaxErr("invalid value")
}

// scanDigits reads the digits, at least one, of a fraction or an exponent
// at s[i:].
func scanDigits(s string, i int) (int, error) {
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		return i, syntaxErr("invalid number")
	}
	return digitsEnd(s, i+1), nil
}

// digitsEnd returns the index of the first byte at or after s[i] that is
// not a digit.
func digitsEnd(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// inFloatRange reports whether the JSON number text (already checked)
// converts to a finite float64, as strconv.ParseFloat requires. It finds
// the decimal exponent of the leading digit, and only on the edge (10^308
// to 10^309) asks strconv.ParseFloat; its cost is linear in len(text).
func inFloatRange(text string) bool {
	lead, nonzero, i := leadExponent(text)
	if !nonzero {
		return true // zero, whatever the exponent
	}
	switch e := int64(lead) + exponent(text[i:]); {
	case e < maxFloatDigits:
		return true
	case e > maxFloatDigits:
		return false
	}
	return belowOverflow(text[:i])
}

// overflowDigits are the digits of 2^1024 - 2^970, without its trailing
// zeros: the number halfway between math.MaxFloat64 and 2^1024, which
// strconv.ParseFloat rounds up (to even), beyond range. Its leading digit
// is at 10^308.
const overflowDigits = "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792"

// belowOverflow reports whether the mantissa m (the number's text before
// any exponent), whose leading nonzero digit is taken to be at 10^308, is
// less than overflowDigits: whether strconv.ParseFloat finds it in range.
// Comparing digits costs as little as reading them, where ParseFloat's
// exact path for such numbers cost a thousand instructions or more each,
// and a payload of them was the costliest junk there was.
func belowOverflow(m string) bool {
	n := 0 // digits of m compared so far, from its leading nonzero one
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c < '0' || c > '9' || (n == 0 && c == '0') {
			continue // the sign, the point, leading zeros
		}
		if n == len(overflowDigits) {
			return false // equal so far, and more digits: at or above
		}
		if c != overflowDigits[n] {
			return c < overflowDigits[n]
		}
		n++
	}
	return n < len(overflowDigits)
}

// leadExponent returns the decimal exponent of the leading nonzero digit
// of the number text (2 for 123.4, -2 for 0.012), whether there is one,
// and the index where the mantissa ends.
func leadExponent(text string) (lead int, nonzero bool, end int) {
	i := 0
	if text[i] == '-' {
		i++
	}
	intStart := i
	i = digitsEnd(text, i)
	if text[intStart] != '0' {
		lead, nonzero = i-intStart-1, true
	}
	if i < len(text) && text[i] == '.' {
		fracStart := i + 1
		i = digitsEnd(text, fracStart)
		for j := fracStart; !nonzero && j < i; j++ {
			if text[j] != '0' {
				lead, nonzero = fracStart-j-1, true
			}
		}
	}
	return lead, nonzero, i
}

// exponent returns the value of the exponent part e (such as "e-12"),
// 0 for none; beyond 2^40 it stops growing, which is far beyond any
// length of text.
func exponent(e string) int64 {
	if e == "" {
		return 0
	}
	i := 1 // 'e' or 'E'
	neg := e[i] == '-'
	if e[i] == '+' || e[i] == '-' {
		i++
	}
	var n int64
	for ; i < len(e); i++ {
		if n < 1<<40 {
			n = n*10 + int64(e[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// parseInt64 parses a JSON number (already checked) as encoding/json does
// for an int64 field: only whole numbers without fraction or exponent, in
// range.
func parseInt64(text string) (int64, bool) {
	n, err := strconv.ParseInt(text, 10, 64)
	return n, err == nil
}

// quote quotes s for an error message, cut after 64 bytes.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strconv.Quote(s)
}
