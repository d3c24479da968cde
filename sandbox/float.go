package sandbox

import (
	"math"
	"strconv"
)

// parseNumber returns the value of tok when it is a finite decimal number: an
// optional sign, digits with at most one '.' among them (at least one digit), and an
// optional exponent (e or E, an optional sign, digits). Anything else, "nan", "inf",
// hexadecimal and a number too large for a float64 among them, is text.
func parseNumber(tok []byte) (float64, bool) {
	i := 0
	if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
		i++
	}
	start := i
	i = skipDigits(tok, i)
	digits := i - start
	if i < len(tok) && tok[i] == '.' {
		j := skipDigits(tok, i+1)
		digits += j - i - 1
		i = j
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		i++
		if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
			i++
		}
		j := skipDigits(tok, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	if i != len(tok) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(tok), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// roundingSlack is how far apart, relative to the larger of two numbers, their
// float64 values may be for the rounding of their decimals alone: a few units in
// the last place.
const roundingSlack = 0x1p-50

// withinTolerance reports whether got is within eps of want: |got-want| <= eps
// (absolute) or |got-want| <= eps*|want| (relative to the expected number). With eps
// > 0 a few units in the last place more are forgiven, as testlib's doubleCompare
// does, so that 1.1 is within 0.1 of 1 although their float64 values are not quite.
// With eps = 0 the numbers must be equal.
func withinTolerance(want, got, eps float64) bool {
	if eps == 0 {
		return want == got
	}
	d, tol := math.Abs(got-want), max(eps, eps*math.Abs(want))
	mag := max(math.Abs(want), math.Abs(got))
	if math.IsInf(d, 0) || math.IsInf(tol, 0) {
		// Far apart, or a huge tolerance: halve everything, so that nothing overflows.
		d, tol, mag = math.Abs(got/2-want/2), max(eps/2, eps*math.Abs(want/2)), mag/2
	}
	return d <= tol+roundingSlack*mag
}
