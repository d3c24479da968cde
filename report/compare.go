package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/judgebench/judgebench/results"
)

// WriteComparison writes d as text, as benchstat shows a comparison: a
// table per metric, a row per group with each run's median case (the median
// over the cases of each case's median), the change with its confidence
// interval, the p-value corrected by Holm's method and the cases and values
// compared, and a mark: REGRESSION, improvement, or "~" for no change claimed
// (not significant, or an interval that reaches inside the threshold). A line
// on the tests follows, then the verdict.
func WriteComparison(w io.Writer, d *results.Diff) error {
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	for i := range d.Groups[0].Metrics {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\tbase\tnew\tchange [%s CI]\tp (Holm)\tcompared\t\n", d.Groups[0].Metrics[i].Name, percentOf(confidence(d)))
		for _, g := range d.Groups {
			m := &g.Metrics[i]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", g.Name(), diffValue(m.Name, m.Base.Median), diffValue(m.Name, m.New.Median),
				diffChange(m), fmt.Sprintf("p=%.3f", m.PAdjusted), diffCompared(m), diffMark(d, m))
		}
	}
	fmt.Fprintln(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	for line := range strings.Lines(table.String()) {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintln(w, diffTests(d)); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, diffVerdict(d))
	return err
}

// confidence is d's confidence level, 1-alpha when not set.
func confidence(d *results.Diff) float64 {
	if d.Confidence > 0 {
		return d.Confidence
	}
	return 1 - d.Alpha
}

// percentOf shows a fraction as a percentage without needless digits: 95%.
func percentOf(f float64) string {
	return strconv.FormatFloat(f*100, 'g', 4, 64) + "%"
}

// diffTests says what was tested and corrected, and what a regression is.
func diffTests(d *results.Diff) string {
	gated := "no metric gated"
	if len(d.Gated) > 0 {
		gated = strings.Join(d.Gated, ", ") + " gated"
	}
	return fmt.Sprintf("tests: van Elteren by case, Holm over %s (%s), alpha %g; a regression's interval lies above +%s",
		plural(d.Tests, "test", "tests"), gated, d.Alpha, percentOf(d.Threshold))
}

// diffVerdict is "verdict: regression in N groups: GROUP METRIC +x.x% (p=…, CI …), …"
// or "verdict: no regression (M groups compared)".
func diffVerdict(d *results.Diff) string {
	var list []string
	groups := 0
	for _, g := range d.Groups {
		regressed := g.Failing
		if g.Failing {
			list = append(list, fmt.Sprintf("%s verdicts: %d of %d samples missed their expected verdict (base: %d of %d)",
				g.Name(), g.New.Missed, g.New.N, g.Base.Missed, g.Base.N))
		}
		for _, m := range g.Metrics {
			if m.Regression {
				list = append(list, fmt.Sprintf("%s %s %s (p=%.3f, %s CI [%s, %s])", g.Name(), m.ShortName(),
					diffPct(m.ChangePct), m.PAdjusted, percentOf(confidence(d)), diffPct(m.ChangeLoPct), diffPct(m.ChangeHiPct)))
				regressed = true
			}
		}
		if regressed {
			groups++
		}
	}
	if groups == 0 {
		return fmt.Sprintf("verdict: no regression (%s compared)", plural(len(d.Groups), "group", "groups"))
	}
	return fmt.Sprintf("verdict: regression in %s: %s", plural(groups, "group", "groups"), strings.Join(list, ", "))
}

// diffChange is the change with its interval: "+30.1% [+27.0%, +33.5%]".
func diffChange(m *results.MetricDiff) string {
	return fmt.Sprintf("%s [%s, %s]", diffPct(m.ChangePct), diffPct(m.ChangeLoPct), diffPct(m.ChangeHiPct))
}

// diffPct is a change in percent with its sign, "+∞%", or "n/a" for NaN.
func diffPct(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 1):
		return "+∞%"
	case math.IsInf(v, -1):
		return "-∞%"
	}
	return fmt.Sprintf("%+.1f%%", v)
}

// diffCompared is the cases and the values of each run compared:
// "6 cases, 12+12".
func diffCompared(m *results.MetricDiff) string {
	return fmt.Sprintf("%s, %d+%d", plural(m.Cases, "case", "cases"), m.Base.N, m.New.N)
}

// diffMark is REGRESSION, improvement, "~" when no change is claimed, with
// why when the change is significant, and says when a metric not gated
// grew beyond the threshold.
func diffMark(d *results.Diff, m *results.MetricDiff) string {
	switch {
	case m.Regression:
		return "REGRESSION"
	case m.Improvement:
		return "improvement"
	case !m.Significant:
		return "~"
	case !m.Gated && m.ChangeLoPct > d.Threshold*100:
		return "increase (not gated)"
	}
	return "~ (interval reaches ±" + percentOf(d.Threshold) + ")"
}

// diffValue is a median case in its unit, or "n/a" for NaN.
func diffValue(metric string, v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case strings.HasSuffix(metric, "_bytes"):
		return diffBytes(v)
	}
	return diffMS(v)
}

// diffMS shows milliseconds with four significant digits up to 9999.
func diffMS(v float64) string {
	digits := 3
	for a := math.Abs(v); a >= 10 && digits > 0; a /= 10 {
		digits--
	}
	return strconv.FormatFloat(v, 'f', digits, 64) + "ms"
}

// diffBytes shows bytes in B, KiB, MiB or GiB.
func diffBytes(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB"}
	u := 0
	for ; u < len(units)-1 && math.Abs(v) >= 1024; u++ {
		v /= 1024
	}
	if u == 0 {
		return strconv.FormatFloat(v, 'f', 0, 64) + "B"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + units[u]
}
