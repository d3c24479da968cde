package sandbox

import (
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true}, {"-1", -1, true}, {"+1.5", 1.5, true}, {"1.", 1, true}, {".5", 0.5, true},
		{"1e3", 1000, true}, {"1E-3", 0.001, true}, {"-0", 0, true}, {"00012", 12, true},
		{"1e-400", 0, true}, {"1.7976931348623157e308", math.MaxFloat64, true},
		{"", 0, false}, {".", 0, false}, {"-", 0, false}, {"e5", 0, false}, {"1e", 0, false}, {"1e+", 0, false},
		{"1.2.3", 0, false}, {"1x", 0, false}, {"nan", 0, false}, {"NaN", 0, false}, {"inf", 0, false},
		{"-Infinity", 0, false}, {"0x1p3", 0, false}, {"1_000", 0, false}, {"1e400", 0, false}, {" 1", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseNumber([]byte(tt.in))
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestWithinTolerance(t *testing.T) {
	tests := []struct {
		want, got, eps float64
		ok             bool
	}{
		{1, 1, 0, true},
		{0, math.Copysign(0, -1), 0, true},
		{1, 1.0000001, 0, false},
		{1, 1.1, 0.1, true}, // 1.1-1 > 0.1 in float64: rounding is forgiven
		{1, 0.9, 0.1, true}, // so is it here
		{1, 1.11, 0.1, false},
		{1000, 1000.5, 1e-3, true}, // relative: 1e-3*1000 = 1
		{1000, 1001.5, 1e-3, false},
		{1e-9, 2e-9, 1e-6, true}, // absolute
		{1e10, 1e10 + 0.1, 0.1, true},
		{1e10, 1e10 + 0.2, 1e-12, false},
		{2, 1, 0.5, true},  // relative to the expected: |1-2| <= 0.5*2
		{1, 2, 0.5, false}, // but not the other way round
		{math.MaxFloat64, -math.MaxFloat64, 10, true},
		{math.MaxFloat64, -math.MaxFloat64, 1, false},
	}
	for _, tt := range tests {
		if got := withinTolerance(tt.want, tt.got, tt.eps); got != tt.ok {
			t.Errorf("withinTolerance(%v, %v, %v) = %v; want %v", tt.want, tt.got, tt.eps, got, tt.ok)
		}
	}
}

func TestCompareFloat(t *testing.T) {
	tests := []struct {
		eps       float64
		want, got string
		match     bool
	}{
		{1e-6, "", "", true},
		{1e-6, "1.5 2.5\n", "1.5000001 2.4999999", true},
		{1e-6, "3.14159265", "3.14158", false}, // 1.3e-5 apart, more than 1e-6 relatively
		{1e-6, "3.14159265", "3.1415926", true},
		{1e-6, "1e9", "1000000500", true},
		{1e-6, "1e9", "1000001500", false},
		{1e-6, "0 0", "-0 0.0000", true},
		{1e-6, "abc 1", "abc 1.0000000001", true},
		{1e-6, "abc", "abd", false},
		{1e-6, "1", "1 ", true},
		{1e-6, "1", "1 0", false},
		{1e-6, "1 1", "1", false},
		{1e-6, "nan inf", "nan inf", true},
		{1e-6, "nan", "NaN", false},
		{1e-6, "inf", "1e400", false},
		{1e-6, "1e400", "1e400", true},
		{1e-6, "1e400", "1e401", false},
		{1e-6, "1", "0x1p0", false},
		{1e-6, "1", "1.", true},
		{1e-6, "1" + strings.Repeat("0", maxNumberLen), "1" + strings.Repeat("0", maxNumberLen) + ".0", false}, // too long: text
		{1e-6, "0." + strings.Repeat("0", 500) + "1", "0", true},
		{0, "1.0", "1", true},
		{0, "0.1", "0.10000000000000001", true}, // one float64
		{0, "0.1", "0.1000000000000001", false},
	}
	for _, tt := range tests {
		c := CheckFloat(tt.eps)
		for _, slow := range []bool{false, true} {
			var got = strings.NewReader(tt.got)
			ok, diff, err := c.Compare(strings.NewReader(tt.want), iotest.OneByteReader(got))
			if !slow {
				ok, diff, err = c.Compare(strings.NewReader(tt.want), strings.NewReader(tt.got))
			}
			if err != nil || ok != tt.match || (diff == "") != ok {
				t.Errorf("%v.Compare(%q, %q) = %v, %q, %v; want %v", c, shorten(tt.want), shorten(tt.got), ok, diff, err, tt.match)
			}
		}
	}
}

// refFloat compares a and b as CheckFloat(eps) does, the simple way.
func refFloat(a, b string, eps float64) bool {
	ta, tb := refTokens(a), refTokens(b)
	if len(ta) != len(tb) {
		return false
	}
	for i := range ta {
		if ta[i] == tb[i] {
			continue
		}
		x, okX := parseNumber([]byte(ta[i]))
		y, okY := parseNumber([]byte(tb[i]))
		if !okX || !okY || len(ta[i]) > maxNumberLen || len(tb[i]) > maxNumberLen || !withinTolerance(x, y, eps) {
			return false
		}
	}
	return true
}

func FuzzCompareFloat(f *testing.F) {
	f.Add("1.5 2", "1.5000001 2.0", 1e-6)
	f.Add("1 2 3", "1 2", 0.0)
	f.Add("nan", "nan", 1.0)
	f.Add("1e308", "-1e308", 10.0)
	f.Add("1.1", "1", 0.1)
	f.Fuzz(func(t *testing.T, a, b string, eps float64) {
		eps = math.Abs(eps)
		if math.IsNaN(eps) || math.IsInf(eps, 0) {
			eps = 1e-6
		}
		c := CheckFloat(eps)
		ok, diff, err := c.Compare(strings.NewReader(a), strings.NewReader(b))
		if err != nil || ok != (diff == "") {
			t.Fatalf("%v.Compare(%q, %q) = %v, %q, %v; want a diff exactly when false, no error", c, a, b, ok, diff, err)
		}
		if want := refFloat(a, b, eps); ok != want {
			t.Errorf("%v.Compare(%q, %q) = %v; want %v", c, a, b, ok, want)
		}
		if slow, _, _ := c.Compare(strings.NewReader(a), iotest.OneByteReader(strings.NewReader(b))); slow != ok {
			t.Errorf("%v.Compare(%q, %q) with one-byte reads = %v; want %v", c, a, b, slow, ok)
		}
		if same, _, _ := c.Compare(strings.NewReader(a), strings.NewReader(a)); !same {
			t.Errorf("%v.Compare(%q, itself) = false; want true", c, a)
		}
		if tok, _, _ := CheckTokens.Compare(strings.NewReader(a), strings.NewReader(b)); tok && !ok {
			t.Errorf("Compare(%q, %q): tokens matches but %v does not", a, b, c)
		}
		if wider, _, _ := CheckFloat(2*eps).Compare(strings.NewReader(a), strings.NewReader(b)); ok && !wider && !math.IsInf(2*eps, 0) {
			t.Errorf("Compare(%q, %q): %v matches but float:%v does not", a, b, c, 2*eps)
		}
		if eps == 0 {
			if swapped, _, _ := c.Compare(strings.NewReader(b), strings.NewReader(a)); swapped != ok {
				t.Errorf("%v.Compare(%q, %q) = %v; want %v (symmetric)", c, b, a, swapped, ok)
			}
		}
	})
}

func FuzzWithinTolerance(f *testing.F) {
	f.Add(1.0, 1.1, 0.1)
	f.Add(1e10, 1e10+1, 1e-9)
	f.Add(0.0, -0.0, 0.0)
	f.Fuzz(func(t *testing.T, a, b, eps float64) {
		if math.IsNaN(a) || math.IsInf(a, 0) || math.IsNaN(b) || math.IsInf(b, 0) || math.IsNaN(eps) || math.IsInf(eps, 0) || eps < 0 {
			return
		}
		ok := withinTolerance(a, b, eps)
		if a == b && !ok {
			t.Errorf("withinTolerance(%v, %v, %v) = false; want true for equal numbers", a, b, eps)
		}
		if eps == 0 && ok != (a == b) {
			t.Errorf("withinTolerance(%v, %v, 0) = %v; want %v", a, b, ok, a == b)
		}
		if math.Abs(a-b) <= eps && (!ok || !withinTolerance(b, a, eps)) {
			t.Errorf("withinTolerance(%v, %v, %v): |a-b| <= eps, but within = %v, swapped %v; want both true", a, b, eps, ok, withinTolerance(b, a, eps))
		}
		if ok && !math.IsInf(2*eps, 0) && !withinTolerance(a, b, 2*eps) {
			t.Errorf("withinTolerance(%v, %v, %v) = true but not with twice the tolerance", a, b, eps)
		}
	})
}
