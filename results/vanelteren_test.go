package results

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteP is van Elteren's two-sided p-value by enumeration: every way of
// choosing which of each stratum's pooled values are the new ones, the
// statistic Σ U/(N+1) of each, against the observed one.
func bruteP(strata []stratum) float64 {
	var obs, mean float64
	var each [][]float64 // each stratum's U of every split
	for _, s := range strata {
		w := s.weight()
		obs += w * float64(s.u2()) / 2
		mean += w * float64(s.pairs()) / 2
		pooled := slices.Concat(s.base, s.new)
		var us []float64
		for _, pick := range subsets(len(pooled), len(s.new)) {
			var b, n []float64
			for i, v := range pooled {
				if pick[i] {
					n = append(n, v)
				} else {
					b = append(b, v)
				}
			}
			split := stratum{base: b, new: n}
			us = append(us, w*float64(split.u2())/2)
		}
		each = append(each, us)
	}
	far, all := 0.0, 0.0
	var walk func(i int, v float64)
	walk = func(i int, v float64) {
		if i == len(each) {
			all++
			if math.Abs(v-mean) >= math.Abs(obs-mean)-1e-9 {
				far++
			}
			return
		}
		for _, u := range each[i] {
			walk(i+1, v+u)
		}
	}
	walk(0, 0)
	return far / all
}

// subsets returns every choice of k of n items.
func subsets(n, k int) [][]bool {
	var out [][]bool
	for mask := 0; mask < 1<<n; mask++ {
		pick := make([]bool, n)
		c := 0
		for i := range pick {
			pick[i] = mask&(1<<i) != 0
			if pick[i] {
				c++
			}
		}
		if c == k {
			out = append(out, pick)
		}
	}
	return out
}

func TestVanElterenP(t *testing.T) {
	tests := []struct {
		name   string
		strata []stratum
	}{
		{"one case, separated", []stratum{{[]float64{1, 2, 3}, []float64{4, 5, 6}}}},
		{"one case, ties", []stratum{{[]float64{1, 2, 2, 3}, []float64{2, 3, 3, 5}}}},
		{"equal sizes", []stratum{{[]float64{1, 2, 3}, []float64{2.5, 4, 5}}, {[]float64{10, 30, 20}, []float64{25, 35, 15}}}},
		{"sizes 4, 5, 6", []stratum{
			{[]float64{1, 2}, []float64{3, 1.5}},
			{[]float64{10, 11, 12}, []float64{13, 14}},
			{[]float64{100, 90, 95}, []float64{97, 120, 130}},
		}},
		{"ties across sizes", []stratum{{[]float64{1, 1}, []float64{1, 2}}, {[]float64{5, 5, 6}, []float64{6, 6}}}},
		{"all equal", []stratum{{[]float64{4, 4}, []float64{4, 4}}, {[]float64{7, 7}, []float64{7, 7, 7}}}},
		{"one value each", []stratum{{[]float64{1}, []float64{2}}, {[]float64{3}, []float64{4}}, {[]float64{6}, []float64{5}}}},
	}
	for _, tt := range tests {
		got, _, exact := vanElterenP(tt.strata, nullCache{})
		if want := bruteP(tt.strata); !exact || math.Abs(got-want) > 1e-12 {
			t.Errorf("vanElterenP(%s) = %.12g, exact %v; want %.12g, exact", tt.name, got, exact, want)
		}
	}
}

// TestVanElterenPOneCase: one case is the exact Mann-Whitney U test.
func TestVanElterenPOneCase(t *testing.T) {
	a := []float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	for _, f := range []float64{1, 1.03, 1.3, 0.7, 2} {
		b := scaled(a, f)
		got, _, _ := vanElterenP([]stratum{{a, b}}, nullCache{})
		if want := exactP(a, b); math.Abs(got-want) > 1e-12 {
			t.Errorf("vanElterenP(a, %v a) = %.12g; want %.12g", f, got, want)
		}
	}
}

// TestNormalP: the normal approximation is close to the exact p-value where
// it takes over (large cases), and 1 without variance.
func TestNormalP(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var strata []stratum
	for range 3 {
		s := stratum{}
		for range 20 {
			s.base = append(s.base, rng.NormFloat64())
			s.new = append(s.new, 0.45+rng.NormFloat64())
		}
		strata = append(strata, s)
	}
	exact, _, _ := vanElterenP(strata, nullCache{})
	if got := normalP(strata); math.Abs(got-exact) > 0.1*exact || exact > 0.05 {
		t.Errorf("normalP(3 cases of 20+20) = %.4g; want within 10%% of the exact %.4g (< 0.05)", got, exact)
	}
	if got := normalP([]stratum{{[]float64{3, 3}, []float64{3}}}); got != 1 {
		t.Errorf("normalP(all equal) = %v; want 1", got)
	}
	big := stratum{base: make([]float64, 40), new: make([]float64, 40)}
	for i := range 40 {
		big.base[i], big.new[i] = float64(i), float64(i)+0.5
	}
	if p, _, exact := vanElterenP([]stratum{big}, nullCache{}); exact || p < 0.5 {
		t.Errorf("vanElterenP(40+40 interleaved) = %.3g, exact %v; want the normal approximation, p about 1", p, exact)
	}
}

func TestRankSumNull(t *testing.T) {
	tests := []struct {
		ranks []int
		n     int
		want  []float64
	}{
		// 2+2 values: U of 0, 1, 2 (twice: {1,4}, {2,3}), 3, 4 in 6 ways.
		{[]int{2, 4, 6, 8}, 2, []float64{1. / 6, 0, 1. / 6, 0, 2. / 6, 0, 1. / 6, 0, 1. / 6}},
		// 3 base, 1 new: the new one is 1st to 4th.
		{[]int{2, 4, 6, 8}, 1, []float64{.25, 0, .25, 0, .25, 0, .25}},
		{[]int{2, 4, 6, 8}, 3, []float64{.25, 0, .25, 0, .25, 0, .25}},
		// Ties: 1, 1, 2 doubled midranks 3, 3, 6; one new value: 2U is 1, 1, 4.
		{[]int{3, 3, 6}, 1, []float64{0, 2. / 3, 0, 0, 1. / 3}},
	}
	for _, tt := range tests {
		got := rankSumNull(tt.ranks, tt.n)
		if len(got) != len(tt.want) {
			t.Fatalf("rankSumNull(%v, %d) = %v; want %v", tt.ranks, tt.n, got, tt.want)
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-12 {
				t.Errorf("rankSumNull(%v, %d) = %v; want %v", tt.ranks, tt.n, got, tt.want)
				break
			}
		}
	}
}

func TestMinP(t *testing.T) {
	tests := []struct {
		sizes [][2]int // base, new values of each case
		want  float64
	}{
		{[][2]int{{1, 1}}, 1},
		{[][2]int{{2, 2}}, 2. / 6},
		{[][2]int{{10, 10}}, 2. / 184756},
		{[][2]int{{3, 3}, {3, 3}}, 2. / 400},
		{[][2]int{{2, 2}, {2, 2}, {2, 2}, {2, 2}, {2, 2}, {2, 2}}, 2 / math.Pow(6, 6)},
	}
	for _, tt := range tests {
		var strata []stratum
		for _, s := range tt.sizes {
			strata = append(strata, stratum{make([]float64, s[0]), make([]float64, s[1])})
		}
		if got := minP(strata); math.Abs(got-tt.want) > 1e-9*tt.want {
			t.Errorf("minP(%v) = %.6g; want %.6g", tt.sizes, got, tt.want)
		}
	}
}

// TestRatioIntervalInvertsTheTest: a ratio r is inside the interval exactly
// when the test of new/r against base does not reject at 1-confidence, for
// every r between two consecutive pair ratios (where the test's statistic
// is constant).
func TestRatioIntervalInvertsTheTest(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	layouts := [][][2]int{{{10, 10}}, {{3, 3}, {3, 3}, {3, 3}}, {{2, 3}, {3, 3}, {4, 2}}, {{2, 2}, {2, 2}}}
	for _, layout := range layouts {
		var strata []stratum
		for _, s := range layout {
			size := math.Pow(100, rng.Float64())
			st := stratum{}
			for range s[0] {
				st.base = append(st.base, size*math.Exp(0.1*rng.NormFloat64()))
			}
			for range s[1] {
				st.new = append(st.new, 1.2*size*math.Exp(0.1*rng.NormFloat64()))
			}
			strata = append(strata, st)
		}
		_, lo, hi := ratioInterval(strata, 0.95, nullCache{})
		var ratios []float64
		for _, s := range strata {
			for _, b := range s.base {
				for _, x := range s.new {
					ratios = append(ratios, x/b)
				}
			}
		}
		slices.Sort(ratios)
		for k := range len(ratios) - 1 {
			r := math.Sqrt(ratios[k] * ratios[k+1])
			shifted := make([]stratum, len(strata))
			for i, s := range strata {
				shifted[i] = stratum{base: s.base, new: scaled(s.new, 1/r)}
			}
			p, _, _ := vanElterenP(shifted, nullCache{})
			inside := ratios[k] >= lo && ratios[k+1] <= hi
			if inside != (p > 0.05) {
				t.Errorf("layout %v: ratio %.4g in [%.4g, %.4g]: %v; but the test of new/r gives p = %.4g", layout, r, lo, hi, inside, p)
			}
		}
	}
}

func TestRatioInterval(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name        string
		strata      []stratum
		est, lo, hi float64
	}{
		{"too few", []stratum{{[]float64{1, 2}, []float64{2, 4}}}, 2, 0, inf},
		{"all equal", []stratum{{[]float64{5, 5, 5, 5, 5}, []float64{5, 5, 5, 5, 5}}}, 1, 1, 1},
		{"all zero", []stratum{{[]float64{0, 0, 0, 0, 0}, []float64{0, 0, 0, 0, 0}}}, 1, 1, 1},
		{"from zero", []stratum{{[]float64{0, 0, 0, 0, 0}, []float64{1, 2, 3, 4, 5}}}, inf, inf, inf},
		{"to zero", []stratum{{[]float64{1, 2, 3, 4, 5}, []float64{0, 0, 0, 0, 0}}}, 0, 0, 0},
		{"x1.3 of 10..19", []stratum{{[]float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, scaled([]float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, 1.3)}}, 1.3, 1.04, 1.625},
	}
	for _, tt := range tests {
		est, lo, hi := ratioInterval(tt.strata, 0.95, nullCache{})
		if !same(est, tt.est) || !same(lo, tt.lo) || !same(hi, tt.hi) {
			t.Errorf("ratioInterval(%s) = %.6g [%.6g, %.6g]; want %.6g [%.6g, %.6g]", tt.name, est, lo, hi, tt.est, tt.lo, tt.hi)
		}
	}
}

// same is near, and true for equal infinities.
func same(x, y float64) bool { return x == y || near(x, y) }

func TestHolm(t *testing.T) {
	tests := []struct {
		p, want []float64
	}{
		{nil, []float64{}},
		{[]float64{0.01}, []float64{0.01}},
		{[]float64{0.01, 0.04, 0.03}, []float64{0.03, 0.06, 0.06}},
		{[]float64{0.5, 0.001, 0.02, 0.9}, []float64{1, 0.004, 0.06, 1}},
		{[]float64{0.02, 0.02}, []float64{0.04, 0.04}},
	}
	for _, tt := range tests {
		got := holm(tt.p)
		if !slices.EqualFunc(got, tt.want, same) {
			t.Errorf("holm(%v) = %v; want %v", tt.p, got, tt.want)
		}
	}
}

// TestConvolveBudget: beyond its budget, convolve gives up and the test
// takes the normal approximation.
func TestConvolveBudget(t *testing.T) {
	d := []float64{0.5, 0.5}
	if got := convolve([][]float64{d, d}, []int{maxLattice, 1}); got != nil {
		t.Errorf("convolve(beyond maxLattice) = %d points; want nil", len(got))
	}
	if got := convolve([][]float64{d, d}, []int{1, 2}); !slices.EqualFunc(got, []float64{.25, .25, .25, .25}, same) {
		t.Errorf("convolve({0,1}, 2·{0,1}) = %v; want uniform on 0..3", got)
	}
}
