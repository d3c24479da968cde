package report

import (
	"fmt"
	"strings"

	"github.com/judgebench/judgebench/results"
)

// Thresholds of the diagnosis, documented at Diagnose.
const (
	inflationMin   = 1.3 // median real_time / median cpu_time: cases wait
	contentionMin  = 1.1 // cpu_vs_serial with cases at once: contention
	attributionMin = 1.3 // cpu_vs_serial of another measure mode: wrong CPU
	maxrssMin      = 1.5 // ru-maxrss median memory / exact: wrong memory
)

// noEffect is the diagnosis of a run in which nothing was found.
const noEffect = "no effect found"

// Diagnose returns the findings of a run in plain words, most important
// first, and in group order within each kind:
//
//   - an interrupted run, and samples with verdict SYSTEM_ERROR;
//   - failing cases: cases that did not get their expected verdict under a
//     correct model measured exact (results.Failures), a line each (the
//     first ten), as `judgebench run` lists them; those make its exit
//     status 1;
//   - lost faults: a group with faults_lost > 0 ("pool-fireforget lost 3 of
//     3 faults");
//   - verdict flips: the cases whose verdict in a group differs from their
//     most common verdict in the reference group (the serial group measured
//     exact, as package results chooses it), a line per group and new verdict
//     ("cases burn-1 and burn-3 turn REAL_TIME_LIMIT_EXCEEDED at parallelism
//     4 under pool");
//   - CPU time attributed wrongly: a group of another measure mode than
//     exact with cpu_vs_serial >= 1.3 ("rusage-children reports 2.00x the
//     CPU time of exact ...");
//   - memory attributed wrongly: a ru-maxrss group whose median memory is at
//     least 1.5 times the median of the exact group of the same model (of
//     the same setting if there is one), when that is not 0;
//   - waiting: inflation (median real_time / median cpu_time) >= 1.3,
//     explained by GOMAXPROCS below the parallelism for inproc, by more cases
//     at once than cores (logical cores, or fewer under a CPU quota), or else
//     by waiting for something other than a CPU ("real_time is 1.98x
//     cpu_time for inproc at GOMAXPROCS=1 with 2 cases at once: cases wait
//     for the scheduler");
//   - contention: cpu_vs_serial >= 1.1 with more than one case at once
//     ("cpu_time +58% at parallelism 2 for pool: shared cache or memory
//     bandwidth");
//   - medians that include samples that were not ACCEPTED, whose times are
//     those of runs that failed or were killed at a limit.
//
// Waiting and contention skip the rusage-children measure mode, whose CPU
// times are wrong by design. The groups are those of the run, or computed
// from its samples with results.ComputeGroups when it has none. Diagnose
// returns "no effect found" when nothing fires, nil for a nil run.
func Diagnose(run *results.Run) []string {
	if run == nil {
		return nil
	}
	return diagnose(newView(Input{Run: run}))
}

func diagnose(v *view) []string {
	var out []string
	for _, check := range []func(*view) []string{
		interrupted, systemErrors, failingCases, lostFaults, verdictFlips,
		cpuAttribution, memoryAttribution, waiting, contention, notAccepted,
	} {
		out = append(out, check(v)...)
	}
	if len(out) == 0 {
		return []string{noEffect}
	}
	return out
}

func interrupted(v *view) []string {
	if !v.run.Interrupted {
		return nil
	}
	return []string{fmt.Sprintf("the run was interrupted: the statistics cover the %d samples that finished", len(v.run.Samples))}
}

func systemErrors(v *view) []string {
	var n int
	var first *results.Sample
	for i := range v.run.Samples {
		if s := &v.run.Samples[i]; s.Verdict == results.SystemError {
			n++
			if first == nil {
				first = s
			}
		}
	}
	if n == 0 {
		return nil
	}
	why := ""
	switch {
	case first.Error != "" && n == 1:
		why = fmt.Sprintf("; case %s under %s: %s", first.Case, first.Model, first.Error)
	case first.Error != "":
		why = fmt.Sprintf("; the first, case %s under %s: %s", first.Case, first.Model, first.Error)
	}
	return []string{fmt.Sprintf("%s SYSTEM_ERROR: the harness could not run %s%s", plural(n, "sample is", "samples are"), them(n), why)}
}

// maxFailures is how many failing cases the diagnosis names.
const maxFailures = 10

func failingCases(v *view) []string {
	failures := results.Failures(v.run.Samples)
	var out []string
	for i, f := range failures {
		if i == maxFailures {
			out = append(out, fmt.Sprintf("and %d more cases that did not get their expected verdict", len(failures)-i))
			break
		}
		out = append(out, FailureText(f))
	}
	return out
}

func notAccepted(v *view) []string {
	n, groups := 0, 0
	for _, g := range v.groups {
		if k := g.N - g.Verdicts[results.Accepted]; k > 0 && g.Verdicts != nil {
			n, groups = n+k, groups+1
		}
	}
	if n == 0 {
		return nil
	}
	return []string{fmt.Sprintf("the medians include %s that %s not ACCEPTED (in %s): their times are those of runs that failed or were killed at a limit",
		plural(n, "sample", "samples"), map[bool]string{true: "was", false: "were"}[n == 1], plural(groups, "group", "groups"))}
}

func lostFaults(v *view) []string {
	var out []string
	for _, g := range v.groups {
		if g.FaultsLost > 0 {
			out = append(out, fmt.Sprintf("%s lost %d of %d faults%s", g.Model, g.FaultsLost, g.FaultsInjected, v.setting(g.Key, true)))
		}
	}
	return out
}

func verdictFlips(v *view) []string {
	var out []string
	for _, f := range v.flips() {
		verb := "turns"
		if len(f.cases) > 1 {
			verb = "turn"
		}
		out = append(out, fmt.Sprintf("%s %s %s at parallelism %d under %s%s", caseList(f.cases), verb, f.verdict,
			f.key.Parallelism, f.key.Model, v.setting(f.key, false)))
	}
	return out
}

func cpuAttribution(v *view) []string {
	var out []string
	for _, g := range v.groups {
		if g.Measure == results.Exact || g.CPUVsSerial < attributionMin {
			continue
		}
		ref, _ := v.reference(g.Measure)
		why := "this measure mode does not attribute CPU time to the case alone"
		if g.Measure == results.RusageChildren {
			why = "the per-case CPU is a process-wide delta"
		}
		out = append(out, fmt.Sprintf("%s reports %.2fx the CPU time of %s at parallelism %d under %s%s: %s",
			g.Measure, g.CPUVsSerial, refName(ref), g.Parallelism, g.Model, v.setting(exact(g.Key), false), why))
	}
	return out
}

// refName names the reference group k in a sentence.
func refName(k results.Key) string {
	if k.Measure == results.Exact {
		return results.Exact.String()
	}
	return "serial " + k.Measure.String()
}

func memoryAttribution(v *view) []string {
	var out []string
	for _, g := range v.groups {
		if g.Measure != results.RUMaxRSS {
			continue
		}
		e, ok := v.exactTwin(g.Key)
		if !ok || e.MemoryBytes.Median <= 0 || g.MemoryBytes.Median < maxrssMin*e.MemoryBytes.Median {
			continue
		}
		out = append(out, fmt.Sprintf("ru-maxrss reports %.1f MiB where exact measures %.1f MiB under %s%s: ru_maxrss includes the harness's own peak",
			mib(g.MemoryBytes.Median), mib(e.MemoryBytes.Median), g.Model, v.setting(exact(g.Key), true)))
	}
	return out
}

// exactTwin returns the group measured exact with the same model as k, of
// the same setting if there is one, else the first in group order.
func (v *view) exactTwin(k results.Key) (results.Group, bool) {
	var first *results.Group
	for i := range v.groups {
		g := &v.groups[i]
		if g.Model != k.Model || g.Measure != results.Exact {
			continue
		}
		twin := k
		twin.Measure = results.Exact
		if g.Key == twin {
			return *g, true
		}
		if first == nil {
			first = g
		}
	}
	if first == nil {
		return results.Group{}, false
	}
	return *first, true
}

func waiting(v *view) []string {
	var out []string
	n := cores(v.run.Machine)
	for _, g := range v.groups {
		if g.Measure == results.RusageChildren || g.Inflation < inflationMin {
			continue
		}
		where := fmt.Sprintf("for %s%s with %s", g.Model, v.setting(g.Key, false), atOnce(g.Parallelism))
		why := "cases wait for something other than a CPU (sleep, I/O, locks or another load)"
		switch {
		case g.Model == results.InProc && g.GOMAXPROCS > 0 && g.GOMAXPROCS < g.Parallelism:
			where = fmt.Sprintf("for inproc at GOMAXPROCS=%d with %s", g.GOMAXPROCS, atOnce(g.Parallelism))
			why = "cases wait for the scheduler"
		case n > 0 && g.Parallelism > n:
			where += fmt.Sprintf(" on %s", plural(n, "core", "cores"))
			why = "cases wait for a free CPU"
		}
		out = append(out, fmt.Sprintf("real_time is %.2fx cpu_time %s: %s", g.Inflation, where, why))
	}
	return out
}

func contention(v *view) []string {
	var out []string
	for _, g := range v.groups {
		if g.Measure == results.RusageChildren || g.Parallelism <= 1 || g.CPUVsSerial < contentionMin {
			continue
		}
		out = append(out, fmt.Sprintf("cpu_time %+.0f%% at parallelism %d for %s%s: shared cache or memory bandwidth",
			(g.CPUVsSerial-1)*100, g.Parallelism, g.Model, v.setting(g.Key, false)))
	}
	return out
}

// setting names the parts of k that tell its group from the other groups of
// its model, as " at parallelism 2 (GOMAXPROCS=1, pinned, measured
// ru-maxrss)": the parallelism only when withPar (else the sentence says it)
// and the model ran at several.
func (v *view) setting(k results.Key, withPar bool) string {
	var s string
	if withPar && v.varies(k.Model, func(k results.Key) any { return k.Parallelism }) {
		s = fmt.Sprintf(" at parallelism %d", k.Parallelism)
	}
	var parts []string
	if v.varies(k.Model, func(k results.Key) any { return k.GOMAXPROCS }) {
		parts = append(parts, fmt.Sprintf("GOMAXPROCS=%d", k.GOMAXPROCS))
	}
	if k.Pinned {
		parts = append(parts, "pinned")
	}
	if k.Measure != results.Exact && v.varies(k.Model, func(k results.Key) any { return k.Measure }) {
		parts = append(parts, "measured "+k.Measure.String())
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// exact returns k measured exact: for a sentence that names the measure
// mode already.
func exact(k results.Key) results.Key {
	k.Measure = results.Exact
	return k
}

// caseList names cases in a sentence: "case a", "cases a and b", "cases a,
// b and c", "cases a, b, c, d, e and 3 more".
func caseList(cases []string) string {
	const most = 5
	if len(cases) == 1 {
		return "case " + cases[0]
	}
	shown, rest := cases, ""
	if len(cases) > most {
		shown, rest = cases[:most], fmt.Sprintf("%d more", len(cases)-most)
	} else {
		shown, rest = cases[:len(cases)-1], cases[len(cases)-1]
	}
	return "cases " + strings.Join(shown, ", ") + " and " + rest
}

// atOnce says how many cases ran at once: "1 case at once", "2 cases at once".
func atOnce(n int) string {
	return plural(n, "case", "cases") + " at once"
}

// plural returns n and the word for n of a thing, as "1 case" or "2 cases".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
