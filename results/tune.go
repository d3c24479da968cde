package results

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
)

// MaxInflation is the most a recommended parallelism's inflation (a case's
// real time over its CPU time, the median over the samples) may exceed
// serial's: above it, cases wait for a CPU.
const MaxInflation = 1.2

// Level is one parallelism, pinned or not, of a tuning sweep.
type Level struct {
	Parallelism int  `json:"parallelism"`
	Pinned      bool `json:"pinned"`
	// Placement is the order pinned worker slots took CPUs in: each
	// strategy that differs on the host is a candidate of its own.
	Placement string `json:"placement,omitempty"`
	// CPUVsSerial is the median ratio of a case's cpu_time to that case's
	// serial median, with its 95% confidence interval Lo..Hi.
	CPUVsSerial float64  `json:"cpu_vs_serial"`
	Lo          *float64 `json:"cpu_vs_serial_lo"` // nil: too few samples to know
	Hi          *float64 `json:"cpu_vs_serial_hi"`
	// Inflation is the median of the samples' real_time over cpu_time, with
	// its 95% confidence interval InflationLo..InflationHi.
	Inflation   float64  `json:"inflation"`
	InflationLo *float64 `json:"inflation_lo"` // nil: too few samples to know
	InflationHi *float64 `json:"inflation_hi"`
	Flips       int      `json:"verdict_flips"`
	Throughput  float64  `json:"throughput_cases_per_s"`
	N           int      `json:"n"` // samples
	// OK is true when the level is safe; Decided when the samples say for
	// sure whether it is (safe, or unsafe by a margin). An undecided level
	// is neither: more samples would tell.
	OK      bool   `json:"ok"`
	Decided bool   `json:"decided"`
	Why     string `json:"rejected_because,omitempty"`
}

// TuneOptions are the limits a tuning decision applies.
type TuneOptions struct {
	// Tolerance is how much more CPU time than serial a safe level may cost,
	// a fraction (0.05: 5%).
	Tolerance float64
	// Floor is the CPU time per case that no judge's verdict could notice,
	// in milliseconds: a level whose cases cost at most this much more than
	// serial is safe whatever the fraction (1 ms on a 3 ms case is 33%).
	Floor float64
}

// Tuning is what a tuning sweep recommends, why, and the limits it applied.
type Tuning struct {
	Tolerance float64 `json:"tolerance"`
	FloorMS   float64 `json:"floor_ms"`
	// CPULimit is the bound on cpu_vs_serial's upper end that was applied:
	// 1+Tolerance, or more where Floor allows (cases of a few ms).
	CPULimit float64 `json:"cpu_vs_serial_limit"`
	// InflationLimit is the bound on inflation that was applied: MaxInflation
	// times serial's inflation (at least 1).
	InflationLimit float64 `json:"inflation_limit"`
	// Safe is false when not even one case at a time passed: then
	// Recommended is 0 and Reason says why.
	Safe        bool    `json:"safe"`
	Recommended int     `json:"recommended_parallelism"`
	Pinned      bool    `json:"pinned"`
	Placement   string  `json:"placement,omitempty"` // of a pinned recommendation
	Reason      string  `json:"reason"`
	Levels      []Level `json:"table"`
	// Warnings are the host's timing hazards that make the answer less sure:
	// other load, a CPU quota, a governor that changes the clock.
	Warnings []string `json:"warnings"`
	// CPUs is how many the machine let the run use, the most cases at once
	// it may recommend; 0 when unknown.
	CPUs int `json:"cpus"`
	// Passes is how many times the sweep sampled its undecided levels; 0
	// when the caller does not say.
	Passes int `json:"passes,omitempty"`
	// CPUList is the CPUs of the recommendation: the worker slots' in order
	// when pinned, else the ones the cases share; empty when unknown.
	CPUList []int `json:"cpu_list,omitempty"`
	// Configurations is the recommendation in the terms of other judges.
	Configurations []JudgeConfig `json:"configurations,omitempty"`
}

// Configure sets the recommendation's CPUs and the judge configurations
// that follow: orders are the CPUs in the order worker slots take them, by
// placement ("" for the CPUs unpinned cases share); a pinned recommendation
// takes the first Recommended of its placement's.
func (t *Tuning) Configure(orders map[string][]int) {
	cpus := orders[""]
	if t.Pinned {
		cpus = orders[t.Placement]
	}
	if !t.Safe || t.Recommended < 1 || len(cpus) == 0 {
		return
	}
	t.CPUList = cpus
	if t.Pinned {
		t.CPUList = cpus[:min(t.Recommended, len(cpus))]
	}
	t.Configurations = JudgeConfigs(t.Recommended, t.CPUList, t.Pinned)
}

// Undecided returns the levels the samples did not decide whose decision
// could change the recommendation: none above the machine's CPUs (never
// recommended), none above a level of the same pinning shown unsafe (every
// level up to a recommended one must be safe).
func (t *Tuning) Undecided() []Level {
	var out []Level
	blocked := map[Candidate]bool{} // a lower level is unsafe
	for _, l := range t.Levels {
		switch {
		case t.CPUs > 0 && l.Parallelism > t.CPUs || blocked[l.Candidate()]:
		case !l.Decided:
			out = append(out, l)
		case !l.OK:
			blocked[l.Candidate()] = true
		}
	}
	return out
}

// Tune reads a tuning sweep (TunePlan's run) and recommends the highest
// parallelism at which every level up to it is safe: cpu_vs_serial's upper
// bound within the CPU limit (1+tolerance, or the floor over the serial
// median case), no verdict flip, inflation at most MaxInflation times
// serial's (at least 1). A level whose interval straddles the CPU limit is
// undecided, and stops the climb as an unsafe one does. Pinned and unpinned
// are judged apart; the higher safe level wins, unpinned on a tie. Reason
// says why the next level was not taken. The reference is serial, unpinned.
// Never more cases at once than the machine's CPUs.
func Tune(run *Run, o TuneOptions) (*Tuning, error) {
	serial := serialMedians(run.Samples)
	if len(serial) == 0 {
		return nil, errors.New("results: tune: no case was ACCEPTED under serial: tuning needs a solution that passes its cases")
	}
	var serialInflations []float64
	for _, s := range run.Samples {
		if s.Model == Serial && s.Measure == Exact && !s.Pinned && s.CPUTimeMS > 0 {
			serialInflations = append(serialInflations, s.RealTimeMS/s.CPUTimeMS)
		}
	}
	serialInflation := max(1, Median(serialInflations))
	var medians []float64
	for _, m := range serial {
		medians = append(medians, m)
	}
	t := &Tuning{Tolerance: o.Tolerance, FloorMS: o.Floor, CPULimit: 1 + o.Tolerance,
		InflationLimit: MaxInflation * serialInflation, Warnings: hostWarnings(run.Machine)}
	if m := Median(medians); m > 0 {
		t.CPULimit = 1 + max(o.Tolerance, o.Floor/m)
	}
	for _, g := range run.Groups {
		if g.Model == Pool && g.Measure == Exact {
			t.Levels = append(t.Levels, t.level(g, run.Samples, serial))
		}
	}
	if len(t.Levels) == 0 {
		return nil, errors.New("results: tune: no pool groups in the run")
	}
	slices.SortFunc(t.Levels, func(a, b Level) int {
		return cmp.Or(cmp.Compare(a.Parallelism, b.Parallelism), cmpBool(a.Pinned, b.Pinned), cmp.Compare(a.Placement, b.Placement))
	})
	t.CPUs = cpus(run.Machine)
	t.recommend() // never more cases at once than CPUs: a judge's CPU limits assume a core per case
	return t, nil
}

// hostWarnings are the doctor's warnings of m that make timings less sure
// while tuning: load, CPU quota, governor.
func hostWarnings(m Machine) []string {
	out := []string{}
	for _, w := range m.DoctorWarnings {
		for _, check := range []string{"load:", "cpu-quota:", "governor:"} {
			if strings.HasPrefix(w, check) {
				out = append(out, w)
			}
		}
	}
	return out
}

// cpus is how many CPUs the run's machine let it use: its logical cores, or
// fewer under a CPU quota or when worker slots were given fewer CPUs
// (Placement); 0 when unknown, as for a judge on other hosts.
func cpus(m Machine) int {
	if m.Judge != nil && m.Judge.Remote {
		return 0
	}
	n := m.LogicalCores
	if p := len(m.Placement); p > 0 && (n == 0 || p < n) {
		n = p
	}
	if q := int(m.ContainerCPULimit); q >= 1 && (n == 0 || q < n) {
		n = q
	}
	return n
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

// level sums up one pool group against the serial reference, and decides
// it if the samples can: each bound must be cleared by its whole interval.
func (t *Tuning) level(g Group, samples []Sample, serial map[string]float64) Level {
	var ratios, inflations []float64
	for _, s := range samples {
		if s.Key() != g.Key {
			continue
		}
		if serial[s.Case] > 0 {
			ratios = append(ratios, s.CPUTimeMS/serial[s.Case])
		}
		if s.CPUTimeMS > 0 {
			inflations = append(inflations, s.RealTimeMS/s.CPUTimeMS)
		}
	}
	l := Level{Parallelism: g.Parallelism, Pinned: g.Pinned, Placement: g.Placement, Flips: g.VerdictFlips, Throughput: g.ThroughputCasesPerS, N: g.N}
	var cpu, infl interval
	l.CPUVsSerial, l.Lo, l.Hi, cpu = summarize(ratios)
	l.Inflation, l.InflationLo, l.InflationHi, infl = summarize(inflations)
	side := "cases compute slower side by side"
	if g.Parallelism == 1 {
		side = "cases compute slower than serially"
	}
	l.Decided = true
	switch {
	case len(ratios) == 0:
		l.Why = "no case of it has a serial reference"
	case l.Flips > 0:
		l.Why = fmt.Sprintf("%d cases change verdict against serial", l.Flips)
	case infl.lo > t.InflationLimit:
		l.Why = fmt.Sprintf("inflation is %.2f (95%% interval %.2f..%.2f), over %.2f: cases wait for a CPU", l.Inflation, infl.lo, infl.hi, t.InflationLimit)
	case cpu.lo > t.CPULimit:
		l.Why = fmt.Sprintf("cpu_vs_serial is %.2f (95%% interval %.2f..%.2f), over %.2f: %s", l.CPUVsSerial, cpu.lo, cpu.hi, t.CPULimit, side)
	case l.Hi == nil || l.InflationHi == nil:
		l.Decided, l.Why = false, "undecided: too few samples for a confidence interval"
	case cpu.hi > t.CPULimit:
		l.Decided = false
		l.Why = fmt.Sprintf("undecided: cpu_vs_serial may be %.2f (95%% interval %.2f..%.2f), the limit %.2f is inside", cpu.hi, cpu.lo, cpu.hi, t.CPULimit)
	case infl.hi > t.InflationLimit:
		l.Decided = false
		l.Why = fmt.Sprintf("undecided: inflation may be %.2f (95%% interval %.2f..%.2f), the limit %.2f is inside", infl.hi, infl.lo, infl.hi, t.InflationLimit)
	default:
		l.OK = true
	}
	return l
}

// interval is a confidence interval, infinite where too few samples bound it.
type interval struct{ lo, hi float64 }

// summarize returns the median of x with its 95% confidence interval, as
// pointers (nil when x is too small to bound it) and as an interval.
func summarize(x []float64) (median float64, lo, hi *float64, in interval) {
	in = interval{math.Inf(-1), math.Inf(1)}
	if len(x) == 0 {
		return 0, nil, nil, in
	}
	sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(x, &benchmath.DefaultThresholds), 0.95)
	in = interval{sum.Lo, sum.Hi}
	if isFinite(sum.Lo) && isFinite(sum.Hi) {
		lo, hi = &in.lo, &in.hi
	}
	return sum.Center, lo, hi, in
}

// Candidate is one way of running cases side by side that a tuning sweep
// measures: unpinned, or pinned in one placement order.
type Candidate struct {
	Pinned    bool
	Placement string
}

// Candidate returns l's candidate.
func (l Level) Candidate() Candidate { return Candidate{l.Pinned, l.Placement} }

// Candidates returns the candidates of the levels: unpinned first, then the
// placements in name order.
func (t *Tuning) Candidates() []Candidate {
	var cs []Candidate
	for _, l := range t.Levels {
		if !slices.Contains(cs, l.Candidate()) {
			cs = append(cs, l.Candidate())
		}
	}
	slices.SortFunc(cs, func(a, b Candidate) int {
		return cmp.Or(cmpBool(a.Pinned, b.Pinned), cmp.Compare(a.Placement, b.Placement))
	})
	return cs
}

// recommend picks the highest safe parallelism of any candidate (the first
// of Candidates on a tie: unpinned), and says why the level above it was
// rejected.
func (t *Tuning) recommend() {
	type climb struct {
		Candidate
		best   int
		next   *Level // the first level not taken
		capped bool   // next is above the machine's CPUs
	}
	var c climb
	for i, cand := range t.Candidates() {
		cl := climb{Candidate: cand}
		for j := range t.Levels {
			l := &t.Levels[j]
			switch {
			case l.Candidate() != cand || cl.next != nil:
			case t.CPUs > 0 && l.Parallelism > t.CPUs:
				cl.next, cl.capped = l, true
			case !l.OK:
				cl.next = l
			default:
				cl.best = l.Parallelism
			}
		}
		if i == 0 || cl.best > c.best {
			c = cl
		}
	}
	t.Recommended, t.Pinned, t.Safe = c.best, c.Pinned, c.best > 0
	if c.Pinned {
		t.Placement = c.Placement
	}
	tag := candidateTag(c.Candidate)
	switch {
	case c.next == nil:
		t.Reason = "every parallelism swept is safe"
	case c.capped:
		t.Reason = fmt.Sprintf("capped at the machine's %d CPUs: more cases at once than CPUs share cores", t.CPUs)
		if c.next.OK {
			t.Reason += fmt.Sprintf(" (the sweep passed %d%s)", c.next.Parallelism, tag)
		}
	case c.best == 0:
		t.Reason = fmt.Sprintf("no parallelism is safe: at %d%s, %s", c.next.Parallelism, tag, c.next.Why)
	case !c.next.Decided:
		t.Reason = fmt.Sprintf("parallelism %d%s not shown safe: %s", c.next.Parallelism, tag, c.next.Why)
	default:
		t.Reason = fmt.Sprintf("parallelism %d%s rejected: %s", c.next.Parallelism, tag, c.next.Why)
	}
}

// candidateTag is " (pinned)", " (pinned, packed)", or "" unpinned; the
// default placement, spread, goes unnamed.
func candidateTag(c Candidate) string {
	switch {
	case !c.Pinned:
		return ""
	case c.Placement == "" || c.Placement == "spread":
		return " (pinned)"
	}
	return " (pinned, " + c.Placement + ")"
}
