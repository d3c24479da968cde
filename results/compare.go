package results

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Options are the settings of [Compare].
type Options struct {
	// Threshold is the smallest change that counts, a fraction (0.05: 5%):
	// a change is a regression or an improvement only when its whole
	// confidence interval lies beyond it.
	Threshold float64
	// Alpha is the family-wise error rate allowed (0.05): when nothing
	// changed, the probability that any test of the family is significant
	// is at most Alpha. The confidence intervals are at level 1-Alpha.
	Alpha float64
	// Metrics are the metrics that may fail the comparison, by short name
	// (as [Metrics] gives them); nil is all of them, an empty slice none.
	Metrics []string
}

// Diff is the comparison of two runs, base and new, made by [Compare].
type Diff struct {
	// Threshold is the smallest change that counts, a fraction (0.05: 5%).
	Threshold float64
	// Alpha is the family-wise significance level: a change is significant
	// when its p-value, corrected for every test of its family, is below it.
	Alpha float64
	// Confidence is the level of the intervals of the changes, 1-Alpha.
	Confidence float64
	// Gated are the short names of the metrics that may fail the comparison.
	Gated []string
	// Tests is the size of the gated family: the tests of gated metrics,
	// over every group, whose samples can reach a p-value below Alpha.
	Tests int
	// Groups are the groups both runs have, sorted by key.
	Groups []GroupDiff
	// Warnings say why the comparison may mislead: different machines or
	// settings, groups or cases only one run has, a partial run, values that
	// are not measurements, samples too few to detect a change. Nil when
	// there is nothing to say.
	Warnings []string
}

// GroupDiff is the comparison of one group of both runs.
type GroupDiff struct {
	Key
	// Metrics are cpu_time_ms, real_time_ms and memory_bytes, in that order.
	Metrics []MetricDiff
	// Base and New count the samples of each run, and Missed those that did
	// not get their expected verdict; counted for a judged group only (a
	// correct model measured exact: see Sample.Judged).
	Base, New Missed
	// Failing is true when new missed the expected verdict in a larger share
	// of its samples than base did: a correctness regression, whatever the
	// timings say. It fails the comparison.
	Failing bool
}

// Missed is how many of N samples missed their expected verdict.
type Missed struct {
	Missed, N int
}

// MetricDiff is the comparison of one measurement of a group, case by case:
// each case's samples in new against its samples in base, never against
// another case's.
type MetricDiff struct {
	Name      string // as in run.json: cpu_time_ms, real_time_ms, memory_bytes
	Base, New Center
	// Cases is how many cases were compared: those with a value in both runs.
	Cases int
	// ChangePct is the change, new/base - 1, in percent (+30 is 30% more):
	// the weighted median of new/base over every pair of a base and a new
	// value of one case, each pair weighted by its case's 1/(N+1), N the
	// case's values in both runs. 0 when every value is 0, +Inf when only
	// base values are; NaN when no case was compared.
	ChangePct float64
	// ChangeLoPct and ChangeHiPct are the confidence interval of the change,
	// at level Diff.Confidence, in percent: the changes the test does not
	// reject. -100 and +Inf when the samples are too few.
	ChangeLoPct, ChangeHiPct float64
	// P is the two-sided p-value of van Elteren's test (the Mann-Whitney U
	// test within each case, combined with weights 1/(N+1)); with one case,
	// the Mann-Whitney U test. The probability of runs at least this
	// different if nothing changed, uncorrected; at most 1.
	P float64
	// MinP is the smallest P the test can give with these values, however
	// they fall into base and new: every new value above (or below) every
	// base value of its case. With n base and m new values of each case and
	// no ties, 2·Π 1/C(n+m, m).
	MinP float64
	// PAdjusted is P corrected by Holm's method for every test of its family
	// (the gated metrics of every group, or the others); 1 for a test whose
	// MinP is not below alpha, which is left out of the family.
	PAdjusted float64
	// Method names the test and how its distribution was computed, as
	// "van Elteren, exact"; "none" when no case was compared.
	Method string
	// Gated is true when the metric may fail the comparison.
	Gated bool
	// Significant is PAdjusted < Alpha.
	Significant bool
	// Regression is a significant increase, of a gated metric, whose whole
	// interval lies above Threshold; Improvement a significant decrease whose
	// whole interval lies below -Threshold.
	Regression, Improvement bool

	// countMinP is MinP without ties: what the numbers of samples allow.
	countMinP float64
}

// Center is one run's typical value of a measurement in a group: the median
// over the compared cases of each case's median, with the smallest (Lo) and
// largest (Hi) case median, in the measurement's unit; NaN when no case was
// compared.
type Center struct {
	Median, Lo, Hi float64
	N              int // values compared
}

// NoCommonGroupsError is the error of [Compare] when the runs share no group.
type NoCommonGroupsError struct {
	Base, New []Key // the groups of each run, sorted
}

func (e *NoCommonGroupsError) Error() string {
	return fmt.Sprintf("results: no groups in common: base has %s; new has %s", KeyList(e.Base), KeyList(e.New))
}

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
// for every group both have, and each measurement case by case (see
// [MetricDiff]): van Elteren's test, the change with its interval, Holm's
// correction over the family of every group's gated metrics, so that two
// runs of one program show a regression in at most Alpha of comparisons
// however many groups they have. Every sample counts, whatever its verdict,
// as in the run's group statistics; a group whose new samples miss their
// expected verdicts more often than base's is Failing. Compare returns a
// *[NoCommonGroupsError] when the runs share no group.
func Compare(base, new *Run, opt Options) (*Diff, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	gated := opt.Metrics
	if gated == nil {
		gated = Metrics()
	}
	b, n := valuesByKey(base), valuesByKey(new)
	d := &Diff{Threshold: opt.Threshold, Alpha: opt.Alpha, Confidence: 1 - opt.Alpha, Gated: slices.Clone(gated)}
	cache := nullCache{}
	var groupWarnings []string
	bm, nm := missed(base), missed(new)
	for _, k := range sortedKeys(b) {
		if nv, ok := n[k]; ok {
			g, warnings := compareGroup(k, b[k], nv, d.Confidence, cache)
			g.Base, g.New = bm[k], nm[k]
			g.Failing = g.New.Missed*max(g.Base.N, 1) > g.Base.Missed*max(g.New.N, 1)
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
	d.Warnings = append(d.Warnings, d.decide()...)
	return d, nil
}

// check reports what is wrong with o.
func (o *Options) check() error {
	if !(o.Threshold >= 0) || math.IsInf(o.Threshold, 1) {
		return fmt.Errorf("results: threshold %v is not a fraction of 0 or more", o.Threshold)
	}
	if !(o.Alpha > 0 && o.Alpha < 1) {
		return fmt.Errorf("results: alpha %v is not between 0 and 1", o.Alpha)
	}
	for _, m := range o.Metrics {
		if !slices.Contains(Metrics(), m) {
			return fmt.Errorf("results: unknown metric %q (use %s)", m, strings.Join(Metrics(), ", "))
		}
	}
	return nil
}

// Metrics returns the short names of the metrics Compare compares, as
// [MetricDiff.ShortName] gives them: cpu_time, real_time, memory.
func Metrics() []string {
	names := make([]string, len(metrics))
	for i, m := range metrics {
		names[i] = shortName(m.name)
	}
	return names
}

// missed counts, by judged group, the samples of r and those that missed
// their expected verdict.
func missed(r *Run) map[Key]Missed {
	out := make(map[Key]Missed)
	for i := range r.Samples {
		if s := &r.Samples[i]; s.Judged() {
			m := out[compared(s)]
			m.N++
			if s.Verdict != s.Expected() {
				m.Missed++
			}
			out[compared(s)] = m
		}
	}
	return out
}

// Regressions lists the regressions of d, one per group and measurement, as
// "model/measure/p=N/gomaxprocs=G[/pinned] metric +x.x%", the metric named
// cpu_time, real_time or memory; and one per failing group, as
// "model/measure/p=N/gomaxprocs=G verdicts: 3 of 10 samples missed their
// expected verdict (base: 0 of 10)".
func (d *Diff) Regressions() []string {
	var out []string
	for _, g := range d.Groups {
		if g.Failing {
			out = append(out, fmt.Sprintf("%s verdicts: %d of %d samples missed their expected verdict (base: %d of %d)",
				g.Name(), g.New.Missed, g.New.N, g.Base.Missed, g.Base.N))
		}
		for _, m := range g.Metrics {
			if m.Regression {
				out = append(out, fmt.Sprintf("%s %s %+.1f%%", g.Name(), m.ShortName(), m.ChangePct))
			}
		}
	}
	return out
}

// ShortName is the name of m without its unit: cpu_time, real_time, memory.
func (m *MetricDiff) ShortName() string { return shortName(m.Name) }

func shortName(name string) string {
	return strings.TrimSuffix(strings.TrimSuffix(name, "_ms"), "_bytes")
}

// Name is k as "model/measure/p=N/gomaxprocs=G", plus "/pinned" when pinned.
func (k Key) Name() string {
	s := fmt.Sprintf("%s/%s/p=%d/gomaxprocs=%d", k.Model, k.Measure, k.Parallelism, k.GOMAXPROCS)
	if k.Pinned {
		s += "/pinned"
	}
	if k.Executor != "" && k.Executor != ExecutorSandbox {
		s += "/executor=" + k.Executor
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

// compared is the key by which s's group is matched with the other run's:
// its key without the isolation, which is the same for a whole run, so that
// a run at one level compares with a run at another (what isolation costs;
// runWarnings says so).
func compared(s *Sample) Key {
	k := s.Key()
	k.Isolation = ""
	return k
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
		k := compared(s)
		v := out[k]
		if v == nil {
			v = make([][]caseValue, len(metrics))
			out[k] = v
		}
		for j, m := range metrics {
			v[j] = append(v[j], caseValue{s.Case, m.value(s)})
		}
	}
	return out
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
