package results

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// compareGroup compares the values of one group, base and new, metric by
// metric, and returns the warnings about its data.
func compareGroup(k Key, base, new [][]caseValue, confidence float64, cache nullCache) (GroupDiff, []string) {
	g := GroupDiff{Key: k}
	var warnings []string
	if w := unpairedCases(base[0], new[0]); w != "" {
		warnings = append(warnings, k.Name()+": "+w)
	}
	for i, m := range metrics {
		md, w := compareMetric(m.name, base[i], new[i], confidence, cache)
		g.Metrics = append(g.Metrics, md)
		if w != "" {
			warnings = append(warnings, k.Name()+": "+w)
		}
	}
	return g, warnings
}

// compareMetric compares the values of one measurement case by case: van
// Elteren's test, the change and its interval at confidence. It warns of
// values that are not measurements (not finite, or negative): they are left
// out. Holm's correction and the decision come later, from [Diff.decide].
func compareMetric(name string, base, new []caseValue, confidence float64, cache nullCache) (MetricDiff, string) {
	strata, dropped := strataOf(base, new)
	m := MetricDiff{Name: name, Cases: len(strata), P: 1, MinP: 1, PAdjusted: 1, Method: "none", countMinP: 1,
		Base: center(strata, func(s *stratum) []float64 { return s.base }),
		New:  center(strata, func(s *stratum) []float64 { return s.new }),
	}
	warning := ""
	if dropped > 0 {
		warning = fmt.Sprintf("%s: %d values not a finite number of 0 or more, left out", name, dropped)
	}
	if len(strata) == 0 {
		m.ChangePct, m.ChangeLoPct, m.ChangeHiPct = math.NaN(), math.NaN(), math.NaN()
		return m, warning
	}
	p, least, exact := vanElterenP(strata, cache)
	est, lo, hi := ratioInterval(strata, confidence, cache)
	m.P, m.MinP, m.countMinP = p, least, minP(strata)
	m.ChangePct, m.ChangeLoPct, m.ChangeHiPct = percent(est), percent(lo), percent(hi)
	m.Method = method(len(strata), exact)
	return m, warning
}

// percent is the change of a ratio in percent.
func percent(ratio float64) float64 { return (ratio - 1) * 100 }

// method names the test of cases cases.
func method(cases int, exact bool) string {
	name := "van Elteren"
	if cases == 1 {
		name = "Mann-Whitney U"
	}
	if exact {
		return name + ", exact"
	}
	return name + ", normal approximation"
}

// strataOf returns, in the order of the case names, a stratum for every
// case with values of 0 or more in both base and new, and how many values
// it left out because they were NaN, infinite or negative.
func strataOf(base, new []caseValue) (strata []stratum, dropped int) {
	b, droppedB := byCase(base)
	n, droppedN := byCase(new)
	for _, c := range slices.Sorted(maps.Keys(b)) {
		if nv, ok := n[c]; ok {
			strata = append(strata, stratum{base: b[c], new: nv})
		}
	}
	return strata, droppedB + droppedN
}

// byCase returns the values of 0 or more by case, and how many it left out.
func byCase(values []caseValue) (map[string][]float64, int) {
	out := make(map[string][]float64)
	dropped := 0
	for _, x := range values {
		if !(x.v >= 0) || math.IsInf(x.v, 1) {
			dropped++
			continue
		}
		out[x.c] = append(out[x.c], x.v)
	}
	return out, dropped
}

// center returns the median of the case medians of one run, side, with the
// smallest and the largest.
func center(strata []stratum, side func(*stratum) []float64) Center {
	if len(strata) == 0 {
		return Center{Median: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	c := Center{Lo: math.Inf(1), Hi: math.Inf(-1)}
	medians := make([]float64, len(strata))
	for i := range strata {
		v := side(&strata[i])
		medians[i] = Median(v)
		c.Lo, c.Hi = min(c.Lo, medians[i]), max(c.Hi, medians[i])
		c.N += len(v)
	}
	c.Median = Median(medians)
	return c
}

// unpairedCases says how many cases only one run has, when that is more
// than a tenth of the group's cases; "" when not.
func unpairedCases(base, new []caseValue) string {
	inBase, inNew := map[string]bool{}, map[string]bool{}
	for _, x := range base {
		inBase[x.c] = true
	}
	for _, x := range new {
		inNew[x.c] = true
	}
	onlyBase, onlyNew, all := 0, 0, len(inBase)
	for c := range inBase {
		if !inNew[c] {
			onlyBase++
		}
	}
	for c := range inNew {
		if !inBase[c] {
			onlyNew++
			all++
		}
	}
	switch only := onlyBase + onlyNew; {
	case only == all:
		return "no case in both runs: nothing compared"
	case only*10 > all:
		return fmt.Sprintf("%d of %d cases in one run only (%d in base, %d in new), not compared", only, all, onlyBase, onlyNew)
	}
	return ""
}
