package results

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// simGroup is one group of a simulated judge run: the true CPU time of each
// case (1 to 100 ms) and its memory, and how many times each run repeats
// every case.
type simGroup struct {
	key             Key
	sizes, mem      []float64
	repBase, repNew int
}

// simGroups returns n groups of cases cases each (a number drawn from
// cases when it has two values, its bounds) and repeats repeats per case
// and run (likewise), sizes log-uniform from 1 ms to 100 ms.
func simGroups(rng *rand.Rand, n int, cases, repeats [2]int) []simGroup {
	between := func(r [2]int) int { return r[0] + rng.IntN(r[1]-r[0]+1) }
	groups := make([]simGroup, n)
	for i := range groups {
		g := &groups[i]
		g.key = Key{Model: "pool", Measure: "exact", Parallelism: i + 1, GOMAXPROCS: 2}
		g.repBase, g.repNew = between(repeats), between(repeats)
		for range between(cases) {
			g.sizes = append(g.sizes, math.Pow(100, rng.Float64()))
			g.mem = append(g.mem, float64(2<<20+rng.IntN(64<<20)))
		}
	}
	return groups
}

// simRun returns a run of groups, each case repeated repBase (base) or
// repNew times, CPU and real time multiplied by slower. Noise is
// multiplicative, lognormal with a standard deviation of 7% (CPU) and 9%
// (real time), and one sample in 30 is an outlier 1.5 to 3 times slower;
// memory varies by 0.5% in whole pages, so that it ties often.
func simRun(rng *rand.Rand, groups []simGroup, base bool, slower float64) *Run {
	r := &Run{Schema: Schema, Target: "judge", Machine: Machine{Hostname: "box", LogicalCores: 2}}
	noise := func(sd float64) float64 {
		v := math.Exp(sd * rng.NormFloat64())
		if rng.IntN(30) == 0 {
			v *= 1.5 + 1.5*rng.Float64()
		}
		return v
	}
	for _, g := range groups {
		reps := g.repNew
		if base {
			reps = g.repBase
		}
		for c, size := range g.sizes {
			for rep := range reps {
				r.Samples = append(r.Samples, Sample{
					Case: fmt.Sprint(c + 1), Repeat: rep, Model: g.key.Model, Measure: g.key.Measure,
					Parallelism: g.key.Parallelism, GOMAXPROCS: g.key.GOMAXPROCS, Verdict: Accepted,
					CPUTimeMS:   size * slower * noise(0.07),
					RealTimeMS:  size * 1.02 * slower * noise(0.09),
					MemoryBytes: int64(g.mem[c]*(1+0.005*rng.NormFloat64())) &^ 4095,
				})
			}
		}
	}
	return r
}

// simTally counts, over trials, those with any gated test significant after
// correction, those with any regression, and the regressions.
type simTally struct {
	trials, significant, regressed, regressions, tests int
}

func (s *simTally) add(t *testing.T, d *Diff) {
	t.Helper()
	s.trials++
	sig := false
	for _, g := range d.Groups {
		for _, m := range g.Metrics {
			sig = sig || m.Significant
			if m.Name != "memory_bytes" {
				s.tests++
			}
		}
	}
	if sig {
		s.significant++
	}
	if n := len(d.Regressions()); n > 0 {
		s.regressed++
		s.regressions += n
	}
}

func (s *simTally) rate(n int) float64 { return float64(n) / float64(s.trials) }

// simCompare compares two simulated runs of groups, new slower by slower.
func simCompare(t *testing.T, rng *rand.Rand, groups []simGroup, slower float64) *Diff {
	t.Helper()
	d, err := Compare(simRun(rng, groups, true, 1), simRun(rng, groups, false, slower), Options{Threshold: 0.05, Alpha: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCompareFalseAlarms: two runs of one program, 12 groups of 3 to 10
// cases of 1 to 100 ms, 2 to 4 repeats, noisy and with outliers, compared
// 200 times at threshold 5%, alpha 0.05. The family-wise error must stay
// at most alpha: no more than 16 trials of 200 (8%) may have a significant
// change (what a threshold of 0 would call a regression), or a regression.
// Were the true rate 5%, 17 or more would happen with probability 0.024
// (binomial 200, 0.05), so more is a failure of the correction, not bad
// luck. Measured: 12 of 200 significant (3.5% of 3,000 trials in a longer
// run: the exact test is conservative), no regression.
func TestCompareFalseAlarms(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var aa simTally
	for range 200 {
		aa.add(t, simCompare(t, rng, simGroups(rng, 12, [2]int{3, 10}, [2]int{2, 4}), 1))
	}
	t.Logf("A/A: %d trials of 12 groups x 3 metrics: significant in %.1f%%, regression in %.1f%%",
		aa.trials, 100*aa.rate(aa.significant), 100*aa.rate(aa.regressed))
	if aa.significant > 16 || aa.regressed > 16 {
		t.Errorf("same program: significant in %d, a regression in %d of %d trials; want at most 16 (alpha 0.05)",
			aa.significant, aa.regressed, aa.trials)
	}
}

// TestCompareDrift: the new run 2% slower throughout, as two runs on a
// shared machine can be, is not a regression at a threshold of 5%, but in
// at most alpha of 100 trials: 10 or fewer (a true 5% would give 11 or more
// with probability 0.011). Measured: 1 of 100 (significant: 8).
func TestCompareDrift(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var drift simTally
	for range 100 {
		drift.add(t, simCompare(t, rng, simGroups(rng, 10, [2]int{6, 6}, [2]int{3, 3}), 1.02))
	}
	t.Logf("drift +2%%: %d trials: significant in %.1f%%, regression in %.1f%%",
		drift.trials, 100*drift.rate(drift.significant), 100*drift.rate(drift.regressed))
	if drift.regressed > 10 {
		t.Errorf("new 2%% slower, threshold 5%%: a regression in %d of %d trials; want at most 10", drift.regressed, drift.trials)
	}
}

// TestComparePower: the new program 30% slower in every group, 10 groups
// of 6 cases (1 to 100 ms) with 3 repeats in each run, threshold 5%, alpha
// 0.05: every trial fails the comparison, and at least 90% of the 20 slower
// measurements (CPU and real time of each group) of a trial are flagged.
// Measured: all 100 trials, 99.4% of the measurements.
func TestComparePower(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var slow simTally
	for range 100 {
		slow.add(t, simCompare(t, rng, simGroups(rng, 10, [2]int{6, 6}, [2]int{3, 3}), 1.3))
	}
	flagged := float64(slow.regressions) / float64(slow.tests)
	t.Logf("+30%%: %d trials: a regression in %.1f%%; %.1f%% of the slower measurements flagged",
		slow.trials, 100*slow.rate(slow.regressed), 100*flagged)
	if slow.regressed < slow.trials || flagged < 0.9 {
		t.Errorf("new 30%% slower: a regression in %d of %d trials, %.1f%% of measurements; want all, and at least 90%%",
			slow.regressed, slow.trials, 100*flagged)
	}
}
