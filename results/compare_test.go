package results

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

var serialKey = Key{Model: "serial", Measure: "exact", Parallelism: 1}

// runOf returns a run of one sample per value of cpu in each group of keys,
// all of one case, with the same real time and 1 MiB of memory each.
func runOf(cpu []float64, keys ...Key) *Run {
	r := &Run{Schema: Schema, Target: "t", Machine: Machine{Hostname: "box", LogicalCores: 2}}
	for _, k := range keys {
		for i, v := range cpu {
			r.Samples = append(r.Samples, Sample{
				Case: "c", Repeat: i, Model: k.Model, Measure: k.Measure, Parallelism: k.Parallelism,
				GOMAXPROCS: k.GOMAXPROCS, Pinned: k.Pinned, CPUTimeMS: v, RealTimeMS: v, MemoryBytes: 1 << 20,
				Verdict: Accepted,
			})
		}
	}
	r.Groups = ComputeGroups(r.Samples, nil)
	return r
}

// defaults are compare's default options: threshold 5%, alpha 0.05, every
// metric gated.
var defaults = Options{Threshold: 0.05, Alpha: 0.05}

func scaled(x []float64, f float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * f
	}
	return out
}

// exactP is the two-sided p-value of the Mann-Whitney U test of a and b,
// from the exact distribution of the rank sum of a over every way of
// splitting the pooled values (midranks for ties): the probability of a rank
// sum at least as far from its mean as the one observed.
func exactP(a, b []float64) float64 {
	pooled := slices.Concat(a, b)
	// rank2 is twice the midrank, an integer.
	rank2 := func(v float64) int {
		less, equal := 0, 0
		for _, w := range pooled {
			if w < v {
				less++
			} else if w == v {
				equal++
			}
		}
		return 2*less + equal + 1
	}
	ranks := make([]int, len(pooled))
	for i, v := range pooled {
		ranks[i] = rank2(v)
	}
	n, total := len(a), 2*len(pooled)*len(pooled)
	// ways[k][s]: the subsets of k values whose doubled rank sum is s.
	ways := make([][]float64, n+1)
	for k := range ways {
		ways[k] = make([]float64, total+1)
	}
	ways[0][0] = 1
	for _, r := range ranks {
		for k := n; k >= 1; k-- {
			for s := total; s >= r; s-- {
				ways[k][s] += ways[k-1][s-r]
			}
		}
	}
	observed := 0
	for _, r := range ranks[:n] {
		observed += r
	}
	mean := float64(n * (len(pooled) + 1)) // doubled
	far, all := 0.0, 0.0
	for s, w := range ways[n] {
		all += w
		if math.Abs(float64(s)-mean) >= math.Abs(float64(observed)-mean)-1e-9 {
			far += w
		}
	}
	return far / all
}

func TestExactP(t *testing.T) {
	// Complete separation of two samples of 10: 2 of the C(20,10) splits.
	a := []float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	if got, want := exactP(a, scaled(a, 2)), 2.0/184756; math.Abs(got-want) > 1e-15 {
		t.Errorf("exactP(separated) = %g; want %g", got, want)
	}
	if got := exactP(a, a); got != 1 {
		t.Errorf("exactP(same) = %g; want 1", got)
	}
}

// TestCompare compares one case of 10 samples with itself scaled, only
// cpu_time gated: a family of one test, so P is PAdjusted and exactly the
// Mann-Whitney U test's.
func TestCompare(t *testing.T) {
	base := []float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	up30 := scaled(base, 1.3) // overlaps base: 13 ties, 14.3..18.2 interleave
	tests := []struct {
		name             string
		new              []float64
		threshold        float64
		change, lo, hi   float64
		p                float64
		sig, reg, better bool
	}{
		// Significant, but the interval [+4%, +62.5%] reaches below 5%.
		{"+30% at 5%", up30, 0.05, 30, 4, 62.5, exactP(base, up30), true, false, false},
		{"+30% at 0%", up30, 0, 30, 4, 62.5, exactP(base, up30), true, true, false},
		{"x2 separated", scaled(base, 2), 0.05, 100, 60, 150, 2.0 / 184756, true, true, false},
		{"x2 at 70%", scaled(base, 2), 0.70, 100, 60, 150, 2.0 / 184756, true, false, false},
		{"identical", base, 0.05, 0, -20, 25, 1, false, false, false},
		{"-30%", scaled(base, 0.7), 0.05, -30, -44, -12.5, exactP(base, scaled(base, 0.7)), true, false, true},
		{"+3% at 5%", scaled(base, 1.03), 0.05, 3, -17.6, 28.75, exactP(base, scaled(base, 1.03)), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Compare(runOf(base, serialKey), runOf(tt.new, serialKey), Options{Threshold: tt.threshold, Alpha: 0.05, Metrics: []string{"cpu_time"}})
			if err != nil {
				t.Fatalf("Compare = %v", err)
			}
			if len(d.Groups) != 1 || len(d.Groups[0].Metrics) != 3 || d.Tests != 1 || d.Confidence != 0.95 {
				t.Fatalf("Compare = %+v; want 1 group of 3 metrics, 1 test, confidence 0.95", d)
			}
			m := d.Groups[0].Metrics[0]
			if m.Name != "cpu_time_ms" || !near(m.ChangePct, tt.change) || !near(m.ChangeLoPct, tt.lo) || !near(m.ChangeHiPct, tt.hi) ||
				math.Abs(m.P-tt.p) > 1e-12*math.Max(1, 1/tt.p) || m.PAdjusted != m.P || m.Method != "Mann-Whitney U, exact" ||
				m.Significant != tt.sig || m.Regression != tt.reg || m.Improvement != tt.better || !m.Gated {
				t.Errorf("Compare cpu = %+v; want change %v%% [%v%%, %v%%], p %g, significant %v, regression %v, improvement %v",
					m, tt.change, tt.lo, tt.hi, tt.p, tt.sig, tt.reg, tt.better)
			}
			if m.Cases != 1 || m.Base.N != 10 || m.New.N != 10 || m.Base.Median != 14.5 || m.Base.Lo != 14.5 || m.Base.Hi != 14.5 {
				t.Errorf("Compare cpu base %+v, new %+v, %d cases; want n=10, median 14.5 of 1 case", m.Base, m.New, m.Cases)
			}
			if real := d.Groups[0].Metrics[1]; real.Gated || real.Regression || real.P != m.P {
				t.Errorf("Compare real = %+v; want the same test as cpu's, not gated, never a regression", real)
			}
			if mem := d.Groups[0].Metrics[2]; mem.Name != "memory_bytes" || mem.P != 1 || mem.ChangePct != 0 || mem.Significant {
				t.Errorf("Compare memory = %+v; want equal memory not significant, p 1", mem)
			}
			var want []string
			if tt.reg {
				want = []string{"serial/exact/p=1/gomaxprocs=0 cpu_time +"}
			}
			got := d.Regressions()
			if len(got) != len(want) || len(d.Warnings) != 0 {
				t.Fatalf("Regressions() = %q, warnings %q; want %q, no warning", got, d.Warnings, want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], want[i]) {
					t.Errorf("Regressions()[%d] = %q; want %q x.x%%", i, got[i], want[i])
				}
			}
		})
	}
}

func TestComparePValues(t *testing.T) {
	// The 30% increase overlaps the base: its exact p is about 0.02, far
	// from the complete separation's 1.08e-5.
	base := []float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	if p := exactP(base, scaled(base, 1.3)); p < 0.01 || p > 0.05 {
		t.Errorf("exactP(base, 1.3 base) = %g; want between 0.01 and 0.05", p)
	}
}

// TestCompareFamily is the user's report: ten groups, three metrics, one
// change with p = 0.019 alone. Corrected for the 20 tests that can be
// significant (memory, the same everywhere, cannot: its values all tie) it
// is not significant; gated on cpu_time only, for 10, neither.
func TestCompareFamily(t *testing.T) {
	x := []float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	var keys []Key
	for p := range 10 {
		keys = append(keys, Key{Model: "pool", Measure: "exact", Parallelism: p + 1})
	}
	base, new := runOf(x, keys...), runOf(x, keys...)
	for i := range x { // the first group's cpu_time, 30% more
		new.Samples[i].CPUTimeMS *= 1.3
	}
	tests := []struct {
		metrics   []string
		tests     int
		pAdjusted float64
	}{
		{nil, 20, 20 * exactP(x, scaled(x, 1.3))},
		{[]string{"cpu_time"}, 10, 10 * exactP(x, scaled(x, 1.3))},
		{[]string{}, 0, 20 * exactP(x, scaled(x, 1.3))}, // nothing gated: the others' family
	}
	for _, tt := range tests {
		d, err := Compare(base, new, Options{Threshold: 0, Alpha: 0.05, Metrics: tt.metrics})
		if err != nil {
			t.Fatal(err)
		}
		m := d.Groups[0].Metrics[0]
		if d.Tests != tt.tests || m.P > 0.05 || !near(m.PAdjusted, tt.pAdjusted) || m.Significant || len(d.Regressions()) != 0 {
			t.Errorf("Compare(metrics %q): %d tests, cpu p %.3g adjusted %.3g, significant %v, regressions %q; want %d tests, adjusted %.3g, none",
				tt.metrics, d.Tests, m.P, m.PAdjusted, m.Significant, d.Regressions(), tt.tests, tt.pAdjusted)
		}
	}
}

// TestCompareGated: a metric left out of the gated ones is tested in its
// own family and shown, and cannot fail the comparison.
func TestCompareGated(t *testing.T) {
	x := []float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	base, new := runOf(x, serialKey), runOf(scaled(x, 2), serialKey)
	for i := range new.Samples {
		new.Samples[i].MemoryBytes *= 2
	}
	tests := []struct {
		metrics []string
		want    []string
	}{
		{nil, []string{"cpu_time", "real_time", "memory"}},
		{[]string{"cpu_time", "real_time"}, []string{"cpu_time", "real_time"}},
		{[]string{"memory"}, []string{"memory"}},
		{[]string{}, nil},
	}
	for _, tt := range tests {
		d, err := Compare(base, new, Options{Threshold: 0.05, Alpha: 0.05, Metrics: tt.metrics})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range d.Groups[0].Metrics {
			if m.Regression {
				got = append(got, m.ShortName())
			}
			if !m.Significant || m.Gated != slices.Contains(tt.want, m.ShortName()) && tt.metrics != nil {
				t.Errorf("Compare(metrics %q) %s: significant %v, gated %v; want significant, gated as asked", tt.metrics, m.Name, m.Significant, m.Gated)
			}
		}
		if !slices.Equal(got, tt.want) || len(d.Regressions()) != len(tt.want) {
			t.Errorf("Compare(metrics %q) regressions %q; want %q", tt.metrics, got, tt.want)
		}
	}
	if got, want := Metrics(), []string{"cpu_time", "real_time", "memory"}; !slices.Equal(got, want) {
		t.Errorf("Metrics() = %q; want %q", got, want)
	}
}

func TestCompareKeepsInput(t *testing.T) {
	base := runOf([]float64{3, 1, 2, 5, 4}, serialKey)
	new := runOf([]float64{9, 7, 8, 6, 10}, serialKey)
	if _, err := Compare(base, new, defaults); err != nil {
		t.Fatal(err)
	}
	if got := base.Samples[0].CPUTimeMS; got != 3 {
		t.Errorf("after Compare, base sample 0 = %v; want 3, unchanged", got)
	}
}

func TestCompareWarnings(t *testing.T) {
	x := []float64{10, 11, 12, 13, 14, 15}
	pool := Key{Model: "pool", Measure: "exact", Parallelism: 2, GOMAXPROCS: 2, Pinned: true}
	tests := []struct {
		name       string
		change     func(*Run)
		changeBase bool
		want       []string
	}{
		{"same", func(*Run) {}, false, nil},
		{"hostname", func(r *Run) { r.Machine.Hostname = "other" }, false,
			[]string{`the runs come from different machines: hostname "box" vs "other"`}},
		{"cores and kernel", func(r *Run) { r.Machine.LogicalCores = 8; r.Machine.Kernel = "6.1" }, false,
			[]string{`the runs come from different machines: logical cores 2 vs 8, kernel "" vs "6.1"`}},
		{"settings", func(r *Run) { r.Settings.CPUTime = "2s"; r.Settings.Cgroup = "off"; r.Target = "u" }, false,
			[]string{`the runs have different settings: target "t" vs "u", cpu_time limit "" vs "2s", cgroup mode "" vs "off"`}},
		{"interrupted", func(r *Run) { r.Interrupted = true }, false, []string{"new run was interrupted: its samples are partial"}},
		{"group only in new", func(r *Run) { *r = *runOf(x, serialKey, pool) }, false,
			[]string{"groups only in new, not compared: pool/exact/p=2/gomaxprocs=2/pinned"}},
		{"too few samples", func(r *Run) { *r = *runOf([]float64{1, 2}, serialKey) }, true,
			[]string{"serial/exact/p=1/gomaxprocs=0: too few samples to detect a change: 2+2 values in 1 case give p >= 0.333 at best; alpha is 0.05"}},
		{"few samples", func(r *Run) { *r = *runOf([]float64{1, 2, 3, 4}, serialKey, pool) }, true, []string{
			"pool/exact/p=2/gomaxprocs=2/pinned: few samples: 4+4 values in 1 case give p >= 0.0286 at best, above Holm's first level 0.0125 (alpha 0.05 over 4 tests): a change shows there only beside stronger ones",
			"serial/exact/p=1/gomaxprocs=0: few samples: 4+4 values in 1 case give p >= 0.0286 at best, above Holm's first level 0.0125 (alpha 0.05 over 4 tests): a change shows there only beside stronger ones",
		}},
		{"case only in new", func(r *Run) { r.Samples[0].Case = "other" }, false,
			[]string{"serial/exact/p=1/gomaxprocs=0: 1 of 2 cases in one run only (0 in base, 1 in new), not compared"}},
		{"no case in both", func(r *Run) { renameCases(r, "other") }, false,
			[]string{"serial/exact/p=1/gomaxprocs=0: no case in both runs: nothing compared"}},
		{"not a number", func(r *Run) { r.Samples[0].CPUTimeMS = math.NaN(); r.Samples[1].CPUTimeMS = math.Inf(1) }, false,
			[]string{"serial/exact/p=1/gomaxprocs=0: cpu_time_ms: 2 values not a finite number of 0 or more, left out"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, new := runOf(x, serialKey), runOf(x, serialKey)
			tt.change(new)
			if tt.changeBase {
				tt.change(base)
			}
			d, err := Compare(base, new, defaults)
			if err != nil || !slices.Equal(d.Warnings, tt.want) {
				t.Errorf("Compare warnings = %q, %v; want %q", d.Warnings, err, tt.want)
			}
		})
	}
}

func renameCases(r *Run, name string) {
	for i := range r.Samples {
		r.Samples[i].Case = name
	}
}

// TestCompareEdgeCases: values that defeat a ratio or a rank (zeros, all
// equal, not finite, negative, only one value) give a defined answer, no
// panic, and no regression unless the data say so.
func TestCompareEdgeCases(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	six := func(v float64) []float64 { return []float64{v, v, v, v, v, v} }
	tests := []struct {
		name      string
		base, new []float64
		change    float64 // NaN: nothing compared
		reg       bool
	}{
		{"both zero", six(0), six(0), 0, false},
		{"from zero", six(0), []float64{1, 2, 3, 4, 5, 6}, inf, true},
		{"to zero", []float64{1, 2, 3, 4, 5, 6}, six(0), -100, false},
		{"all equal", six(7), six(7), 0, false},
		{"one each", []float64{1}, []float64{100}, 9900, false},
		{"not a number", six(nan), six(nan), nan, false},
		{"infinite", six(inf), six(1), nan, false},
		{"negative", six(-1), six(-2), nan, false},
		{"some not finite", []float64{nan, 10, 11, 12, 13, 14, 15}, []float64{inf, 20, 22, 24, 26, 28, 30}, 100, true},
	}
	for _, tt := range tests {
		d, err := Compare(runOf(tt.base, serialKey), runOf(tt.new, serialKey), defaults)
		if err != nil {
			t.Fatalf("Compare(%s) = %v", tt.name, err)
		}
		m := d.Groups[0].Metrics[0]
		if !same(m.ChangePct, tt.change) && !(math.IsNaN(tt.change) && math.IsNaN(m.ChangePct)) || m.Regression != tt.reg ||
			m.P < 0 || m.P > 1 || m.PAdjusted < m.P {
			t.Errorf("Compare(%s) cpu = %+v; want change %v%%, regression %v", tt.name, m, tt.change, tt.reg)
		}
	}
}

func TestCompareErrors(t *testing.T) {
	x := []float64{1, 2, 3}
	pool := Key{Model: "pool", Measure: "exact", Parallelism: 2}
	tests := []struct {
		name      string
		base, new *Run
		opt       Options
		want      string
	}{
		{"no common group", runOf(x, serialKey), runOf(x, pool), defaults,
			"results: no groups in common: base has serial/exact/p=1/gomaxprocs=0; new has pool/exact/p=2/gomaxprocs=0"},
		{"empty run", runOf(x, serialKey), runOf(nil), defaults,
			"results: no groups in common: base has serial/exact/p=1/gomaxprocs=0; new has no group"},
		{"negative threshold", runOf(x, serialKey), runOf(x, serialKey), Options{Threshold: -0.05, Alpha: 0.05}, "results: threshold -0.05 is not a fraction of 0 or more"},
		{"NaN threshold", runOf(x, serialKey), runOf(x, serialKey), Options{Threshold: math.NaN(), Alpha: 0.05}, "results: threshold NaN is not a fraction of 0 or more"},
		{"alpha 0", runOf(x, serialKey), runOf(x, serialKey), Options{Threshold: 0.05}, "results: alpha 0 is not between 0 and 1"},
		{"alpha 1", runOf(x, serialKey), runOf(x, serialKey), Options{Threshold: 0.05, Alpha: 1}, "results: alpha 1 is not between 0 and 1"},
		{"unknown metric", runOf(x, serialKey), runOf(x, serialKey), Options{Threshold: 0.05, Alpha: 0.05, Metrics: []string{"speed"}},
			`results: unknown metric "speed" (use cpu_time, real_time, memory)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Compare(tt.base, tt.new, tt.opt)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Compare = %+v, %v; want error %q", d, err, tt.want)
			}
			var none *NoCommonGroupsError
			if got, want := errors.As(err, &none), strings.Contains(tt.want, "in common"); got != want {
				t.Errorf("Compare error %v is a *NoCommonGroupsError: %v; want %v", err, got, want)
			}
		})
	}
}

// FuzzCompare compares two runs of one group whose samples are fuzzed bytes
// times a fuzzed scale (so values tie often) in one or two cases: nothing
// panics, p-values are probabilities, the corrected one no smaller, the
// change inside its interval, significance is the corrected p below alpha,
// a regression or an improvement is significant with its interval beyond
// the threshold, and too few samples are never a regression.
func FuzzCompare(f *testing.F) {
	f.Add([]byte{10, 11, 12, 13, 14, 15}, []byte{13, 14, 16, 17, 18, 20}, 1.0, 0.05, 0.05)
	f.Add([]byte{1, 1, 1}, []byte{1, 1, 1}, 0.5, 0.0, 0.5)
	f.Add([]byte{0, 0, 0, 0}, []byte{1, 2, 3, 4}, 1e300, 0.05, 0.05)
	f.Add([]byte{5}, []byte{200, 201}, -3.0, 2.0, 0.999)
	f.Add([]byte{10, 11, 12, 13, 48, 15}, []byte{13}, 1/6.0, 0.05, 0.05)
	f.Fuzz(func(t *testing.T, a, b []byte, scale, threshold, alpha float64) {
		if len(a) == 0 || len(b) == 0 || len(a) > 60 || len(b) > 60 || math.IsInf(scale, 0) || math.IsNaN(scale) {
			return // a group has a sample
		}
		d, err := Compare(bytesRun(a, scale), bytesRun(b, scale), Options{Threshold: threshold, Alpha: alpha})
		if err != nil {
			return // a bad threshold or alpha
		}
		for _, g := range d.Groups {
			for _, m := range g.Metrics {
				checkMetric(t, m, threshold, alpha, len(a), len(b))
			}
		}
		if len(d.Groups) != 1 || len(d.Regressions()) > 3 {
			t.Errorf("Compare(%v, %v) = %+v; want 1 group, at most 3 regressions", a, b, d)
		}

	})
}

// checkMetric checks what every comparison of a metric must hold.
func checkMetric(t *testing.T, m MetricDiff, threshold, alpha float64, na, nb int) {
	t.Helper()
	beyond := threshold * 100
	inside := math.IsNaN(m.ChangePct) || m.ChangeLoPct <= m.ChangePct && m.ChangePct <= m.ChangeHiPct
	if tooFew := min(m.countMinP, m.MinP) >= alpha; tooFew && (m.Significant || m.Regression || m.Improvement) {
		t.Errorf("Compare(threshold %v, alpha %v) %s = %+v: significant with too few samples", threshold, alpha, m.Name, m)
	}
	if m.Significant != (m.PAdjusted < alpha) || m.P < 0 || m.P > 1 || m.PAdjusted < m.P || m.PAdjusted > 1 || m.MinP > m.P || !inside ||
		m.Regression && !(m.Significant && m.ChangeLoPct > beyond && m.ChangePct > beyond) ||
		m.Improvement && !(m.Significant && m.ChangeHiPct < -beyond && m.ChangePct < -beyond) ||
		m.Base.N > na || m.New.N > nb {
		t.Errorf("Compare(threshold %v, alpha %v) %s = %+v", threshold, alpha, m.Name, m)
	}
}

// bytesRun is a run of one group, a sample per value of x times scale, in
// two cases: odd values and even ones.
func bytesRun(x []byte, scale float64) *Run {
	r := &Run{Schema: Schema}
	for i, v := range x {
		ms := float64(v) * scale
		r.Samples = append(r.Samples, Sample{
			Case: fmt.Sprint(v % 2), Model: "serial", Measure: "exact", Parallelism: 1, Repeat: i,
			CPUTimeMS: ms, RealTimeMS: 2 * ms, MemoryBytes: int64(v) << 20, Verdict: Accepted,
		})
	}
	return r
}

// TestCompareCasesOfManySizes: cases of very different sizes, all 30% slower,
// are a regression with a narrow interval; pooled raw values would hide it
// in their spread.
func TestCompareCasesOfManySizes(t *testing.T) {
	k := Key{Model: "serial", Measure: "exact", Parallelism: 1, GOMAXPROCS: 2}
	run := func(f float64) *Run {
		r := &Run{Schema: Schema, Target: "t", Machine: Machine{Hostname: "box", LogicalCores: 2}}
		for i, size := range []float64{1, 2, 3, 10, 20, 30, 60, 100} {
			for rep := range 5 {
				v := size * f * (1 + float64(rep-2)*0.01)
				r.Samples = append(r.Samples, Sample{Case: string(rune('a' + i)), Repeat: rep, Model: k.Model, Measure: k.Measure,
					Parallelism: 1, GOMAXPROCS: 2, CPUTimeMS: v, RealTimeMS: v, MemoryBytes: 1 << 20, Verdict: Accepted})
			}
		}
		r.Groups = ComputeGroups(r.Samples, nil)
		return r
	}
	d, err := Compare(run(1), run(1.3), defaults)
	if err != nil {
		t.Fatal(err)
	}
	m := d.Groups[0].Metrics[0]
	if m.Cases != 8 || !m.Regression || !near(m.ChangePct, 30) || m.ChangeLoPct < 27 || m.ChangeHiPct > 33 ||
		m.P > 1e-9 || m.Method != "van Elteren, exact" || m.Base.Median != 15 || m.Base.Lo != 1 || m.Base.Hi != 100 {
		t.Errorf("Compare(8 sizes 1..100, all x1.3) cpu = %+v; want 8 cases, +30%% [27%%, 33%%], p < 1e-9, a regression, base median 15 of 1..100", m)
	}
	same, _ := Compare(run(1), run(1), defaults)
	if got := same.Regressions(); len(got) != 0 {
		t.Errorf("Compare(run, same run) regressions %q; want none", got)
	}
}

// TestCompareVerdicts: a new run that misses expected verdicts where the
// base did not fails the comparison, however fast it is.
func TestCompareVerdicts(t *testing.T) {
	run := func(v Verdict, cpu float64) *Run {
		r := &Run{}
		for c := range 6 {
			for rep := range 3 {
				r.Samples = append(r.Samples, Sample{Case: fmt.Sprint("c", c), Model: Serial, Measure: Exact, Parallelism: 1,
					Repeat: rep, CPUTimeMS: cpu, RealTimeMS: cpu, MemoryBytes: 1 << 20, Verdict: v, ExpectedVerdict: Accepted})
			}
		}
		return r
	}
	d, err := Compare(run(Accepted, 10), run(WrongAnswer, 5), Options{Threshold: 0.05, Alpha: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	g := d.Groups[0]
	if !g.Failing || g.New != (Missed{18, 18}) || g.Base != (Missed{0, 18}) || len(d.Regressions()) != 1 ||
		!strings.Contains(d.Regressions()[0], "verdicts: 18 of 18 samples missed their expected verdict (base: 0 of 18)") {
		t.Errorf("Compare(all AC, all WA and faster) = %+v, regressions %q; want a failing group", g, d.Regressions())
	}
	if d, _ := Compare(run(WrongAnswer, 10), run(Accepted, 10), Options{Threshold: 0.05, Alpha: 0.05}); d.Groups[0].Failing {
		t.Errorf("Compare(all WA, all AC): failing; want fixed, not failing")
	}
}
