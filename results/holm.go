package results

import (
	"cmp"
	"fmt"
	"slices"
)

// test is one metric of one group, for the correction.
type test struct {
	group string
	m     *MetricDiff
}

// decide corrects the p-values of d by Holm's method, in two families: the
// gated metrics of every group, which may fail the comparison, and the
// others, shown only. It then marks each metric significant, a regression or
// an improvement, and returns a warning for every group whose samples are too
// few to reach Holm's first level in the deciding family (the gated one, or
// the other when nothing is gated).
func (d *Diff) decide() []string {
	var families [2][]test // gated, others
	for i := range d.Groups {
		g := &d.Groups[i]
		for j := range g.Metrics {
			m := &g.Metrics[j]
			m.Gated = slices.Contains(d.Gated, m.ShortName())
			f := 1
			if m.Gated {
				f = 0
			}
			families[f] = append(families[f], test{g.Name(), m})
		}
	}
	var warnings []string
	for f, family := range families {
		n := d.correct(family)
		if f == 0 {
			d.Tests = n
		}
		if f == 0 || len(families[0]) == 0 {
			warnings = d.tooFew(warnings, family, n)
		}
	}
	for i := range d.Groups {
		for j := range d.Groups[i].Metrics {
			d.mark(&d.Groups[i].Metrics[j])
		}
	}
	return warnings
}

// correct sets the PAdjusted of a family's tests by Holm's method over those
// whose samples can reach alpha (the others can never be significant, so
// leaving them out costs no error), and returns how many those are.
func (d *Diff) correct(family []test) int {
	var in []*MetricDiff
	for _, t := range family {
		t.m.PAdjusted = 1
		if t.m.Cases > 0 && t.m.MinP < d.Alpha {
			in = append(in, t.m)
		}
	}
	p := make([]float64, len(in))
	for i, m := range in {
		p[i] = m.P
	}
	for i, adj := range holm(p) {
		in[i].PAdjusted = adj
	}
	return len(in)
}

// holm returns Holm's adjusted p-values of p: with p sorted ascending, the
// k-th (from 0) of m becomes the largest (m-j)·p_j for j ≤ k, at most 1.
// Rejecting those below alpha keeps the probability of any false rejection
// at most alpha, whatever the dependence between the tests.
func holm(p []float64) []float64 {
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	adj := make([]float64, len(p))
	running := 0.0
	for k, i := range order {
		running = max(running, min(1, float64(len(p)-k)*p[i]))
		adj[i] = running
	}
	return adj
}

// mark decides m from its corrected p-value and interval.
func (d *Diff) mark(m *MetricDiff) {
	beyond := d.Threshold * 100
	m.Significant = m.PAdjusted < d.Alpha
	m.Regression = m.Gated && m.Significant && m.ChangeLoPct > beyond
	m.Improvement = m.Significant && m.ChangeHiPct < -beyond
}

// tooFew appends to warnings, once per group, that the numbers of samples
// of a test of family (of n tests) cannot reach Holm's first level,
// alpha/n, whatever the values: below alpha the test can be significant
// only after stronger changes elsewhere; at alpha or above, never.
func (d *Diff) tooFew(warnings []string, family []test, n int) []string {
	level := d.Alpha / float64(max(n, 1))
	for _, t := range family {
		m := t.m
		least := min(m.countMinP, m.MinP) // ties can make it smaller
		if m.Cases == 0 || least < level {
			continue
		}
		values := fmt.Sprintf("%d+%d values in %s give p >= %.3g at best", m.Base.N, m.New.N, countOf(m.Cases, "case", "cases"), least)
		w := fmt.Sprintf("%s: too few samples to detect a change: %s; alpha is %g", t.group, values, d.Alpha)
		if least < d.Alpha {
			w = fmt.Sprintf("%s: few samples: %s, above Holm's first level %.3g (alpha %g over %s): a change shows there only beside stronger ones",
				t.group, values, level, d.Alpha, countOf(n, "test", "tests"))
		}
		if !slices.Contains(warnings, w) {
			warnings = append(warnings, w)
		}
	}
	return warnings
}

// countOf is "1 case" or "n cases".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
