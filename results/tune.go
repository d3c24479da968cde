package results

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// MaxInflation is the most a recommended parallelism's inflation (real time
// over CPU time) may exceed serial's: above it, cases wait for a CPU.
const MaxInflation = 1.2

// Level is one parallelism, pinned or not, of a tuning sweep.
type Level struct {
	Parallelism int  `json:"parallelism"`
	Pinned      bool `json:"pinned"`
	// CPUVsSerial is the median ratio of a case's cpu_time to that case's
	// serial median, with its 95% confidence interval Lo..Hi.
	CPUVsSerial float64  `json:"cpu_vs_serial"`
	Lo          *float64 `json:"cpu_vs_serial_lo"` // nil: too few samples to know
	Hi          *float64 `json:"cpu_vs_serial_hi"`
	Inflation   float64  `json:"inflation"`
	Flips       int      `json:"verdict_flips"`
	Throughput  float64  `json:"throughput_cases_per_s"`
	OK          bool     `json:"ok"`
	Why         string   `json:"rejected_because,omitempty"`
}

// Tuning is what a tuning sweep recommends, and why.
type Tuning struct {
	Tolerance float64 `json:"tolerance"`
	// Safe is false when not even one case at a time passed: then
	// Recommended is 0 and Reason says why.
	Safe        bool    `json:"safe"`
	Recommended int     `json:"recommended_parallelism"`
	Pinned      bool    `json:"pinned"`
	Reason      string  `json:"reason"`
	Levels      []Level `json:"table"`
}

// Tune reads a tuning sweep (TunePlan's run) and recommends the highest
// parallelism at which every level up to it is safe: cpu_vs_serial's upper
// bound at most 1+tolerance, no verdict flip, inflation at most MaxInflation
// times serial's (at least 1). Pinned and unpinned are judged apart; the
// higher safe level wins, unpinned on a tie. Reason says why the next level
// was rejected. The reference is serial, unpinned.
func Tune(run *Run, tolerance float64) (*Tuning, error) {
	serial := serialMedians(run.Samples)
	if len(serial) == 0 {
		return nil, errors.New("results: tune: no serial reference in the run")
	}
	serialInflation := 1.0
	for _, g := range run.Groups {
		if g.Model == Serial && g.Measure == Exact && !g.Pinned {
			serialInflation = max(serialInflation, g.Inflation)
		}
	}
	t := &Tuning{Tolerance: tolerance}
	for _, g := range run.Groups {
		if g.Model != Pool || g.Measure != Exact {
			continue
		}
		t.Levels = append(t.Levels, level(g, run.Samples, serial, tolerance, MaxInflation*serialInflation))
	}
	if len(t.Levels) == 0 {
		return nil, errors.New("results: tune: no pool groups in the run")
	}
	slices.SortFunc(t.Levels, func(a, b Level) int {
		return cmp.Or(cmp.Compare(a.Parallelism, b.Parallelism), cmpBool(a.Pinned, b.Pinned))
	})
	t.recommend()
	t.capAt(cpus(run.Machine))
	return t, nil
}

// cpus is how many CPUs the run's machine let it use: its logical cores, or
// fewer under a CPU quota; 0 when unknown.
func cpus(m Machine) int {
	n := m.LogicalCores
	if q := int(m.ContainerCPULimit); q >= 1 && (n == 0 || q < n) {
		n = q
	}
	return n
}

// capAt never recommends more cases at once than the machine has CPUs: a
// judge's CPU time limits assume each case has a core, and on a busy machine
// the inflation rule (relative to serial's) can let an oversubscribed level
// through.
func (t *Tuning) capAt(n int) {
	if n > 0 && t.Recommended > n {
		t.Reason = fmt.Sprintf("capped at the machine's %d CPUs: more cases at once than CPUs share cores (the sweep passed %d)", n, t.Recommended)
		t.Recommended = n
	}
}

// serialMedians is each case's median cpu_time under serial/exact, unpinned.
func serialMedians(samples []Sample) map[string]float64 {
	cpu := map[string][]float64{}
	for _, s := range samples {
		if s.Model == Serial && s.Measure == Exact && !s.Pinned && s.Verdict == Accepted {
			cpu[s.Case] = append(cpu[s.Case], s.CPUTimeMS)
		}
	}
	med := map[string]float64{}
	for c, v := range cpu {
		med[c] = Median(v)
	}
	return med
}

// level sums up one pool group against the serial reference.
func level(g Group, samples []Sample, serial map[string]float64, tolerance, maxInflation float64) Level {
	var ratios []float64
	for _, s := range samples {
		if s.Key() == g.Key && serial[s.Case] > 0 {
			ratios = append(ratios, s.CPUTimeMS/serial[s.Case])
		}
	}
	l := Level{Parallelism: g.Parallelism, Pinned: g.Pinned, Inflation: g.Inflation, Flips: g.VerdictFlips,
		Throughput: g.ThroughputCasesPerS}
	hi := math.Inf(1)
	if len(ratios) > 0 {
		sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(ratios, &benchmath.DefaultThresholds), 0.95)
		l.CPUVsSerial, hi = sum.Center, sum.Hi
		if isFinite(sum.Lo) && isFinite(sum.Hi) {
			l.Lo, l.Hi = &sum.Lo, &sum.Hi
		}
	}
	side := "cases compute slower side by side"
	if g.Parallelism == 1 {
		side = "cases compute slower than serially"
	}
	switch {
	case len(ratios) == 0:
		l.Why = "no case of it has a serial reference"
	case l.Hi == nil:
		l.Why = "too few samples for a confidence interval (use --repeat)"
	case hi > 1+tolerance:
		l.Why = fmt.Sprintf("cpu_vs_serial may be %.2f (95%% interval %.2f..%.2f), over %.2f: %s", hi, *l.Lo, hi, 1+tolerance, side)
	case l.Flips > 0:
		l.Why = fmt.Sprintf("%d cases change verdict against serial", l.Flips)
	case l.Inflation > maxInflation:
		l.Why = fmt.Sprintf("inflation %.2f over %.2f: cases wait for a CPU", l.Inflation, maxInflation)
	default:
		l.OK = true
	}
	return l
}

// recommend picks the highest safe parallelism, pinned or not (unpinned on a
// tie), and says why the level above it was rejected.
func (t *Tuning) recommend() {
	type candidate struct {
		best   int
		next   *Level
		pinned bool
	}
	var cs []candidate
	for _, pinned := range []bool{false, true} {
		c := candidate{pinned: pinned}
		for i := range t.Levels {
			if l := &t.Levels[i]; l.Pinned == pinned && c.next == nil {
				if !l.OK {
					c.next = l
				} else {
					c.best = l.Parallelism
				}
			}
		}
		cs = append(cs, c)
	}
	c := cs[0]
	if cs[1].best > c.best {
		c = cs[1]
	}
	t.Recommended, t.Pinned, t.Safe = c.best, c.pinned, c.best > 0
	switch {
	case c.next == nil:
		t.Reason = "every parallelism swept is safe"
	case c.best == 0:
		t.Reason = fmt.Sprintf("no parallelism is safe: at %d%s, %s", c.next.Parallelism, pinnedTag(c.pinned), c.next.Why)
	default:
		t.Reason = fmt.Sprintf("parallelism %d%s rejected: %s", c.next.Parallelism, pinnedTag(c.pinned), c.next.Why)
	}
}

func pinnedTag(p bool) string {
	if p {
		return " (pinned)"
	}
	return ""
}
