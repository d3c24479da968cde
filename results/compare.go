package results

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
)

// Diff is the comparison of two runs, base and new, made by [Compare].
type Diff struct {
	// Threshold is the smallest change that counts, a fraction (0.05: 5%).
	Threshold float64
	// Alpha is the significance level: a change is significant when the
	// p-value is below it.
	Alpha float64
	// Groups are the groups both runs have, sorted by key.
	Groups []GroupDiff
	// Warnings say why the comparison may mislead: different machines or
	// settings, groups only one run has, a partial run, samples too few to
	// detect a change. Nil when there is nothing to say.
	Warnings []string
}

// GroupDiff is the comparison of one group of both runs.
type GroupDiff struct {
	Key
	// Metrics are cpu_time_ms, real_time_ms and memory_bytes, in that order.
	Metrics []MetricDiff
}

// MetricDiff is the comparison of one measurement of a group.
type MetricDiff struct {
	Name      string // as in run.json: cpu_time_ms, real_time_ms, memory_bytes
	Base, New Center
	// ChangePct is the change, new/base - 1, in percent (+30 is 30% more):
	// with Paired, the median over the cases of each case's median ratio;
	// else the ratio of the group medians. 0 when both are 0, +Inf when only
	// the base is 0.
	ChangePct float64
	// P is the p-value of the test: with Paired, the Wilcoxon signed-rank test
	// of each case's log ratio (cases of any size, each its own control);
	// else the Mann-Whitney U test of the group's samples. The probability of
	// runs at least this different if nothing changed; at most 1.
	P float64
	// Paired is true when the group had enough cases in both runs to be
	// compared case by case (see PairedMinCases); Cases is how many.
	Paired bool
	Cases  int
	// Significant is P < Alpha.
	Significant bool
	// Regression is a significant increase of more than Threshold;
	// Improvement a significant decrease of more than Threshold.
	Regression, Improvement bool
}

// Center is the median of a group's samples of one measurement and its 95%
// confidence interval [Lo, Hi], in the measurement's unit. With fewer than 6
// samples, too few for such an interval, Lo is -Inf or Hi +Inf or both.
type Center struct {
	Median, Lo, Hi float64
	N              int // samples
}

// NoCommonGroupsError is the error of [Compare] when the runs share no group.
type NoCommonGroupsError struct {
	Base, New []Key // the groups of each run, sorted
}

func (e *NoCommonGroupsError) Error() string {
	return fmt.Sprintf("results: no groups in common: base has %s; new has %s", KeyList(e.Base), KeyList(e.New))
}

// confidence is the level of the confidence interval of a median.
const confidence = 0.95

// metrics are what Compare compares: name and value of a sample.
var metrics = []struct {
	name  string
	value func(*Sample) float64
}{
	{"cpu_time_ms", func(s *Sample) float64 { return s.CPUTimeMS }},
	{"real_time_ms", func(s *Sample) float64 { return s.RealTimeMS }},
	{"memory_bytes", func(s *Sample) float64 { return float64(s.MemoryBytes) }},
}

// Compare compares the samples of base with those of new, group by group,
// for every group both have. Threshold is a fraction (0.05: 5%), alpha the
// significance level (0.05). For each measurement it takes the median of
// each run with its confidence interval and the p-value of a Mann-Whitney U
// test (golang.org/x/perf/benchmath, without any assumption about the
// distribution: exact for up to 50 samples a run, 25 with ties). Every
// sample counts, whatever its verdict, as in the run's group statistics.
// Compare returns a *[NoCommonGroupsError] when the runs share no group.
func Compare(base, new *Run, threshold, alpha float64) (*Diff, error) {
	if !(threshold >= 0) || math.IsInf(threshold, 1) {
		return nil, fmt.Errorf("results: threshold %v is not a fraction of 0 or more", threshold)
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, fmt.Errorf("results: alpha %v is not between 0 and 1", alpha)
	}
	b, n := valuesByKey(base), valuesByKey(new)
	d := &Diff{Threshold: threshold, Alpha: alpha}
	th := benchmath.DefaultThresholds
	th.CompareAlpha = alpha
	var groupWarnings []string
	for _, k := range sortedKeys(b) {
		if nv, ok := n[k]; ok {
			g, warnings := compareGroup(k, b[k], nv, &th, threshold)
			d.Groups = append(d.Groups, g)
			groupWarnings = append(groupWarnings, warnings...)
		}
	}
	if len(d.Groups) == 0 {
		return nil, &NoCommonGroupsError{Base: sortedKeys(b), New: sortedKeys(n)}
	}
	d.Warnings = runWarnings(base, new)
	if only := onlyIn(b, n); only != "" {
		d.Warnings = append(d.Warnings, "groups only in base, not compared: "+only)
	}
	if only := onlyIn(n, b); only != "" {
		d.Warnings = append(d.Warnings, "groups only in new, not compared: "+only)
	}
	d.Warnings = append(d.Warnings, groupWarnings...)
	return d, nil
}

// Metrics returns the short names of the metrics Compare compares, as
// [MetricDiff.ShortName] gives them: cpu_time, real_time, memory.
func Metrics() []string {
	names := make([]string, len(metrics))
	for i, m := range metrics {
		names[i] = strings.TrimSuffix(strings.TrimSuffix(m.name, "_ms"), "_bytes")
	}
	return names
}

// Gate keeps the regressions of the metrics named in gated (short names, as
// [Metrics] gives them) and clears the others': they are still shown, and no
// longer fail the comparison.
func (d *Diff) Gate(gated []string) {
	for i := range d.Groups {
		for j := range d.Groups[i].Metrics {
			if m := &d.Groups[i].Metrics[j]; !slices.Contains(gated, m.ShortName()) {
				m.Regression = false
			}
		}
	}
}

// Regressions lists the regressions of d, one per group and measurement, as
// "model/measure/p=N/gomaxprocs=G[/pinned] metric +x.x%", the metric named
// cpu_time, real_time or memory.
func (d *Diff) Regressions() []string {
	var out []string
	for _, g := range d.Groups {
		for _, m := range g.Metrics {
			if m.Regression {
				out = append(out, fmt.Sprintf("%s %s %+.1f%%", g.Name(), m.ShortName(), m.ChangePct))
			}
		}
	}
	return out
}

// ShortName is the name of m without its unit: cpu_time, real_time, memory.
func (m *MetricDiff) ShortName() string {
	return strings.TrimSuffix(strings.TrimSuffix(m.Name, "_ms"), "_bytes")
}

// Name is k as "model/measure/p=N/gomaxprocs=G", plus "/pinned" when pinned.
func (k Key) Name() string {
	s := fmt.Sprintf("%s/%s/p=%d/gomaxprocs=%d", k.Model, k.Measure, k.Parallelism, k.GOMAXPROCS)
	if k.Pinned {
		s += "/pinned"
	}
	return s
}

// KeyList is the names of keys separated by commas, or "no group".
func KeyList(keys []Key) string {
	if len(keys) == 0 {
		return "no group"
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name()
	}
	return strings.Join(names, ", ")
}

// caseValue is one sample's value of a metric, and its case.
type caseValue struct {
	c string
	v float64
}

// valuesByKey returns the values of every metric of r's samples, by group.
func valuesByKey(r *Run) map[Key][][]caseValue {
	out := make(map[Key][][]caseValue)
	for i := range r.Samples {
		s := &r.Samples[i]
		v := out[s.Key()]
		if v == nil {
			v = make([][]caseValue, len(metrics))
			out[s.Key()] = v
		}
		for j, m := range metrics {
			v[j] = append(v[j], caseValue{s.Case, m.value(s)})
		}
	}
	return out
}

// PairedMinCases is the fewest cases common to both runs with which a group
// is compared case by case: n cases all moving the same way give p = 2/2^n,
// so 6 is the fewest that can reach p < 0.05. At a smaller alpha it takes
// more (8 for 0.01); with fewer, the group's samples are compared instead.
const PairedMinCases = 6

// pairable reports whether n cases compared case by case can reach p < alpha.
func pairable(n int, alpha float64) bool {
	return n >= PairedMinCases && 2/math.Pow(2, float64(n)) < alpha
}

// caseRatios returns, for every case in both base and new with a positive
// median in each, its new median over its base median, and the raw values.
func caseRatios(base, new []caseValue) (ratios, rawBase, rawNew []float64) {
	b, n := map[string][]float64{}, map[string][]float64{}
	for _, x := range base {
		b[x.c] = append(b[x.c], x.v)
		rawBase = append(rawBase, x.v)
	}
	for _, x := range new {
		n[x.c] = append(n[x.c], x.v)
		rawNew = append(rawNew, x.v)
	}
	for _, c := range slices.Sorted(maps.Keys(b)) {
		if mb, mn := Median(b[c]), Median(n[c]); mb > 0 && mn > 0 {
			ratios = append(ratios, mn/mb)
		}
	}
	return ratios, rawBase, rawNew
}

// onlyIn names the groups of a that b lacks, "" when none.
func onlyIn(a, b map[Key][][]caseValue) string {
	var names []string
	for _, k := range sortedKeys(a) {
		if _, ok := b[k]; !ok {
			names = append(names, k.Name())
		}
	}
	return strings.Join(names, ", ")
}

func sortedKeys(m map[Key][][]caseValue) []Key {
	return slices.SortedFunc(maps.Keys(m), CompareKeys)
}

// compareGroup compares the values of one group, base and new, metric by
// metric, and returns the warnings of the statistics.
func compareGroup(k Key, base, new [][]caseValue, th *benchmath.Thresholds, threshold float64) (GroupDiff, []string) {
	g := GroupDiff{Key: k}
	var warnings []string
	for i, m := range metrics {
		md, errs := compareMetric(m.name, base[i], new[i], th, threshold)
		g.Metrics = append(g.Metrics, md)
		for _, err := range errs {
			w := k.Name() + ": " + err.Error()
			if !slices.Contains(warnings, w) {
				warnings = append(warnings, w)
			}
		}
	}
	return g, warnings
}

// compareMetric compares the values of one measurement. With at least
// PairedMinCases cases in both runs, case by case: each case's median ratio,
// a signed-rank test of their logs, the median ratio as the change, so that
// cases of very different sizes (a judge's 1ms and 70ms) neither drown a
// change in their spread nor stand in for each other. With fewer (one case
// repeated, say), the Mann-Whitney U test of the group's samples. The
// medians shown are the group's, with their intervals. The warnings are
// benchmath's, but for samples whose values are all equal.
func compareMetric(name string, base, new []caseValue, th *benchmath.Thresholds, threshold float64) (MetricDiff, []error) {
	ratios, rb, rn := caseRatios(base, new)
	// NewSample sorts its values: give it copies.
	bs := benchmath.NewSample(slices.Clone(rb), th)
	ns := benchmath.NewSample(slices.Clone(rn), th)
	m := MetricDiff{Name: name, Base: center(bs), New: center(ns), Cases: len(ratios)}
	var warnings []error
	if pairable(len(ratios), th.CompareAlpha) {
		logs := make([]float64, len(ratios))
		for i, r := range ratios {
			logs[i] = math.Log(r)
		}
		m.Paired, m.P = true, signedRankP(logs)
		m.ChangePct = (Median(ratios) - 1) * 100
	} else {
		c := benchmath.AssumeNothing.Compare(bs, ns)
		// The exact test with ties doubles a one-sided p that can pass 0.5:
		// [10 11 12 13 15 48] against [13] gives 1.14.
		m.P = min(c.P, 1)
		m.ChangePct = changePct(m.Base.Median, m.New.Median)
		for _, err := range c.Warnings {
			if err.Error() != "all samples are equal" {
				warnings = append(warnings, err)
			}
		}
	}
	m.Significant = m.P < th.CompareAlpha
	m.Regression = m.Significant && m.ChangePct > threshold*100
	m.Improvement = m.Significant && m.ChangePct < -threshold*100
	return m, warnings
}

func center(s *benchmath.Sample) Center {
	sum := benchmath.AssumeNothing.Summary(s, confidence)
	return Center{Median: sum.Center, Lo: sum.Lo, Hi: sum.Hi, N: len(s.Values)}
}

// changePct is the change from base to new in percent of |base|.
func changePct(base, new float64) float64 {
	switch {
	case base == new:
		return 0
	case base == 0:
		return math.Copysign(math.Inf(1), new)
	}
	return (new - base) / math.Abs(base) * 100
}

// runWarnings says how the runs differ in machine and settings, and which
// run is partial.
func runWarnings(base, new *Run) []string {
	var out []string
	bm, nm := &base.Machine, &new.Machine
	if d := differences(
		differ("hostname", bm.Hostname, nm.Hostname),
		differ("CPU model", bm.CPUModel, nm.CPUModel),
		differ("logical cores", bm.LogicalCores, nm.LogicalCores),
		differ("kernel", bm.Kernel, nm.Kernel),
		differ("cgroup version", bm.CgroupVersion, nm.CgroupVersion),
		differ("container CPU limit", bm.ContainerCPULimit, nm.ContainerCPULimit),
	); d != "" {
		out = append(out, "the runs come from different machines: "+d)
	}
	bs, ns := &base.Settings, &new.Settings
	if d := differences(
		differ("target", base.Target, new.Target),
		differ("cpu_time limit", bs.CPUTime, ns.CPUTime),
		differ("real_time limit", bs.RealTime, ns.RealTime),
		differ("memory limit", bs.Memory, ns.Memory),
		differ("output limit", bs.Output, ns.Output),
		differ("stack limit", bs.Stack, ns.Stack),
		differ("processes limit", bs.Processes, ns.Processes),
		differ("cgroup mode", bs.Cgroup, ns.Cgroup),
	); d != "" {
		out = append(out, "the runs have different settings: "+d)
	}
	for _, r := range []struct {
		name string
		run  *Run
	}{{"base", base}, {"new", new}} {
		if r.run.Interrupted {
			out = append(out, r.name+" run was interrupted: its samples are partial")
		}
	}
	return out
}

// differ describes how a and b, the values of what, differ; "" when equal.
func differ[T comparable](what string, a, b T) string {
	if a == b {
		return ""
	}
	return fmt.Sprintf("%s %#v vs %#v", what, a, b)
}

// differences joins the descriptions that are not empty.
func differences(list ...string) string {
	return strings.Join(slices.DeleteFunc(list, func(s string) bool { return s == "" }), ", ")
}
