package results

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
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

func TestCompare(t *testing.T) {
	base := []float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	up30 := scaled(base, 1.3) // overlaps base: 13 ties, 14.3..18.2 interleave
	tests := []struct {
		name             string
		new              []float64
		threshold        float64
		change, p        float64
		sig, reg, better bool
	}{
		{"+30% at 5%", up30, 0.05, 30, exactP(base, up30), true, true, false},
		{"+30% at 40%", up30, 0.40, 30, exactP(base, up30), true, false, false},
		{"x2 separated", scaled(base, 2), 0.05, 100, 2.0 / 184756, true, true, false},
		{"identical", base, 0.05, 0, 1, false, false, false},
		{"-30%", scaled(base, 0.7), 0.05, -30, exactP(base, scaled(base, 0.7)), true, false, true},
		{"+3% at 5%", scaled(base, 1.03), 0.05, 3, exactP(base, scaled(base, 1.03)), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Compare(runOf(base, serialKey), runOf(tt.new, serialKey), tt.threshold, 0.05)
			if err != nil {
				t.Fatalf("Compare = %v", err)
			}
			if len(d.Groups) != 1 || len(d.Groups[0].Metrics) != 3 {
				t.Fatalf("Compare = %+v; want 1 group of 3 metrics", d)
			}
			m := d.Groups[0].Metrics[0]
			if m.Name != "cpu_time_ms" || math.Abs(m.ChangePct-tt.change) > 1e-9 || math.Abs(m.P-tt.p) > 1e-12*math.Max(1, 1/tt.p) ||
				m.Significant != tt.sig || m.Regression != tt.reg || m.Improvement != tt.better {
				t.Errorf("Compare cpu = %+v; want change %v%%, p %g, significant %v, regression %v, improvement %v",
					m, tt.change, tt.p, tt.sig, tt.reg, tt.better)
			}
			if m.Base.N != 10 || m.New.N != 10 || m.Base.Median != 14.5 || !(m.Base.Lo <= 14.5 && m.Base.Hi >= 14.5) {
				t.Errorf("Compare cpu base %+v, new %+v; want n=10, median 14.5 inside its interval", m.Base, m.New)
			}
			if mem := d.Groups[0].Metrics[2]; mem.Name != "memory_bytes" || mem.P != 1 || mem.ChangePct != 0 || mem.Significant {
				t.Errorf("Compare memory = %+v; want equal memory not significant, p 1", mem)
			}
			var want []string
			if tt.reg {
				want = []string{"serial/exact/p=1/gomaxprocs=0 cpu_time", "serial/exact/p=1/gomaxprocs=0 real_time"}
			}
			got := d.Regressions()
			if len(got) != len(want) || len(d.Warnings) != 0 {
				t.Fatalf("Regressions() = %q, warnings %q; want %q, no warning", got, d.Warnings, want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], want[i]+" +") {
					t.Errorf("Regressions()[%d] = %q; want %q +x.x%%", i, got[i], want[i])
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

func TestCompareKeepsInput(t *testing.T) {
	base := runOf([]float64{3, 1, 2, 5, 4}, serialKey)
	new := runOf([]float64{9, 7, 8, 6, 10}, serialKey)
	if _, err := Compare(base, new, 0.05, 0.05); err != nil {
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
		name   string
		change func(*Run)
		want   []string
	}{
		{"same", func(*Run) {}, nil},
		{"hostname", func(r *Run) { r.Machine.Hostname = "other" },
			[]string{`the runs come from different machines: hostname "box" vs "other"`}},
		{"cores and kernel", func(r *Run) { r.Machine.LogicalCores = 8; r.Machine.Kernel = "6.1" },
			[]string{`the runs come from different machines: logical cores 2 vs 8, kernel "" vs "6.1"`}},
		{"settings", func(r *Run) { r.Settings.CPUTime = "2s"; r.Settings.Cgroup = "off"; r.Target = "u" },
			[]string{`the runs have different settings: target "t" vs "u", cpu_time limit "" vs "2s", cgroup mode "" vs "off"`}},
		{"interrupted", func(r *Run) { r.Interrupted = true }, []string{"new run was interrupted: its samples are partial"}},
		{"group only in new", func(r *Run) { *r = *runOf(x, serialKey, pool) },
			[]string{"groups only in new, not compared: pool/exact/p=2/gomaxprocs=2/pinned"}},
		{"too few samples", func(r *Run) { *r = *runOf([]float64{1, 2}, serialKey) },
			[]string{"serial/exact/p=1/gomaxprocs=0: need >= 4 samples to detect a difference at alpha level 0.05"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, new := runOf(x, serialKey), runOf(x, serialKey)
			tt.change(new)
			if tt.name == "too few samples" {
				tt.change(base)
			}
			d, err := Compare(base, new, 0.05, 0.05)
			if err != nil || !slices.Equal(d.Warnings, tt.want) {
				t.Errorf("Compare warnings = %q, %v; want %q", d.Warnings, err, tt.want)
			}
		})
	}
}

func TestCompareErrors(t *testing.T) {
	x := []float64{1, 2, 3}
	pool := Key{Model: "pool", Measure: "exact", Parallelism: 2}
	tests := []struct {
		name             string
		base, new        *Run
		threshold, alpha float64
		want             string
	}{
		{"no common group", runOf(x, serialKey), runOf(x, pool), 0.05, 0.05,
			"results: no groups in common: base has serial/exact/p=1/gomaxprocs=0; new has pool/exact/p=2/gomaxprocs=0"},
		{"empty run", runOf(x, serialKey), runOf(nil), 0.05, 0.05,
			"results: no groups in common: base has serial/exact/p=1/gomaxprocs=0; new has no group"},
		{"negative threshold", runOf(x, serialKey), runOf(x, serialKey), -0.05, 0.05, "results: threshold -0.05 is not a fraction of 0 or more"},
		{"NaN threshold", runOf(x, serialKey), runOf(x, serialKey), math.NaN(), 0.05, "results: threshold NaN is not a fraction of 0 or more"},
		{"alpha 0", runOf(x, serialKey), runOf(x, serialKey), 0.05, 0, "results: alpha 0 is not between 0 and 1"},
		{"alpha 1", runOf(x, serialKey), runOf(x, serialKey), 0.05, 1, "results: alpha 1 is not between 0 and 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Compare(tt.base, tt.new, tt.threshold, tt.alpha)
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
// times a fuzzed scale (so values tie often): nothing panics, significance
// is p < alpha, a regression or an improvement is significant and beyond
// the threshold.
func FuzzCompare(f *testing.F) {
	f.Add([]byte{10, 11, 12, 13, 14, 15}, []byte{13, 14, 16, 17, 18, 20}, 1.0, 0.05, 0.05)
	f.Add([]byte{1, 1, 1}, []byte{1, 1, 1}, 0.5, 0.0, 0.5)
	f.Add([]byte{0, 0, 0, 0}, []byte{1, 2, 3, 4}, 1e300, 0.05, 0.05)
	f.Add([]byte{5}, []byte{200, 201}, -3.0, 2.0, 0.999)
	f.Add([]byte{10, 11, 12, 13, 48, 15}, []byte{13}, 1/6.0, 0.05, 0.05) // benchmath's p: 1.14
	f.Fuzz(func(t *testing.T, a, b []byte, scale, threshold, alpha float64) {
		if len(a) == 0 || len(b) == 0 || len(a) > 60 || len(b) > 60 || math.IsInf(scale, 0) || math.IsNaN(scale) {
			return // run.json holds finite numbers only; a group has a sample
		}
		d, err := Compare(bytesRun(a, scale), bytesRun(b, scale), threshold, alpha)
		if err != nil {
			return // a bad threshold or alpha
		}
		for _, g := range d.Groups {
			for _, m := range g.Metrics {
				beyond := threshold * 100
				if m.Significant != (m.P < alpha) || m.P < 0 || m.P > 1 ||
					m.Regression && !(m.Significant && m.ChangePct > beyond) ||
					m.Improvement && !(m.Significant && m.ChangePct < -beyond) ||
					m.Base.N != len(a) || m.New.N != len(b) {
					t.Errorf("Compare(%v, %v, %v, %v) %s = %+v", a, b, threshold, alpha, m.Name, m)
				}
			}
		}
		if len(d.Groups) != 1 || len(d.Regressions()) > 3 {
			t.Errorf("Compare(%v, %v) = %+v; want 1 group, at most 3 regressions", a, b, d)
		}
	})
}

// bytesRun is a run of one group, a sample per value of x times scale.
func bytesRun(x []byte, scale float64) *Run {
	r := &Run{Schema: Schema}
	for i, v := range x {
		ms := float64(v) * scale
		r.Samples = append(r.Samples, Sample{
			Case: "c", Model: "serial", Measure: "exact", Parallelism: 1, Repeat: i,
			CPUTimeMS: ms, RealTimeMS: 2 * ms, MemoryBytes: int64(v) << 20, Verdict: Accepted,
		})
	}
	return r
}

// TestCompareCasesOfManySizes: cases of very different sizes, all 30% slower,
// are a regression; pooled raw values would hide it in their spread.
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
	d, err := Compare(run(1), run(1.3), 0.05, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	m := d.Groups[0].Metrics[0]
	// 8 cases all exactly 30% slower: their log ratios tie, so the normal
	// approximation gives p (about 0.006, near the exact 2/2^8).
	if !m.Paired || !m.Regression || m.ChangePct < 29 || m.ChangePct > 31 || m.P > 0.01 {
		t.Errorf("Compare(8 sizes 1..100, all x1.3) cpu: paired %v, change %+.1f%%, p %.4g, regression %v; want paired, +30%%, p < 0.01, a regression",
			m.Paired, m.ChangePct, m.P, m.Regression)
	}
	same, _ := Compare(run(1), run(1), 0.05, 0.05)
	if got := same.Regressions(); len(got) != 0 {
		t.Errorf("Compare(run, same run) regressions %q; want none", got)
	}
}

// TestCompareFalseAlarms: two runs of the same noisy distribution, one sample
// per case, must not be a regression more often than alpha allows.
func TestCompareFalseAlarms(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	run := func() *Run {
		r := &Run{Schema: Schema, Target: "t", Machine: Machine{Hostname: "box", LogicalCores: 2}}
		for c := range 20 {
			v := float64(1+c*5) * (1 + 0.08*rng.NormFloat64())
			r.Samples = append(r.Samples, Sample{Case: fmt.Sprint("c", c), Model: "serial", Measure: "exact",
				Parallelism: 1, GOMAXPROCS: 2, CPUTimeMS: v, RealTimeMS: v, MemoryBytes: 1 << 20, Verdict: Accepted})
		}
		return r
	}
	significant := 0
	const trials = 400
	for range trials {
		d, _ := Compare(run(), run(), 0, 0.05)
		if d.Groups[0].Metrics[0].Significant {
			significant++
		}
	}
	if rate := float64(significant) / trials; rate > 0.08 {
		t.Errorf("same distribution, 20 cases x 1 sample: significant in %.1f%% of %d trials; want about 5%%", rate*100, trials)
	}
}

// TestGate: a metric left out of the gated ones is shown but cannot fail.
func TestGate(t *testing.T) {
	d := &Diff{Groups: []GroupDiff{{Metrics: []MetricDiff{
		{Name: "cpu_time_ms"}, {Name: "memory_bytes", Regression: true},
	}}}}
	d.Gate([]string{"cpu_time", "memory"})
	if len(d.Regressions()) != 1 {
		t.Fatalf("Gate(cpu_time, memory): regressions %q; want the memory one", d.Regressions())
	}
	d.Gate([]string{"cpu_time", "real_time"})
	if got := d.Regressions(); len(got) != 0 {
		t.Errorf("Gate(cpu_time, real_time): regressions %q; want none", got)
	}
	if got, want := Metrics(), []string{"cpu_time", "real_time", "memory"}; !slices.Equal(got, want) {
		t.Errorf("Metrics() = %q; want %q", got, want)
	}
}
