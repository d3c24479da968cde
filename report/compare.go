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
// table per metric, a row per group with each run's median and interval and
// the change with its test, then the verdict.
func WriteComparison(w io.Writer, d *results.Diff) error {
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	for i := range d.Groups[0].Metrics {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\tbase median ± CI\tnew median ± CI\tchange\t\n", d.Groups[0].Metrics[i].Name)
		for _, g := range d.Groups {
			m := &g.Metrics[i]
			mark := ""
			switch {
			case m.Regression:
				mark = "REGRESSION"
			case m.Improvement:
				mark = "improvement"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", g.Name(), diffCenter(m.Name, m.Base), diffCenter(m.Name, m.New), diffChange(m), mark)
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
	_, err := fmt.Fprintln(w, diffVerdict(d))
	return err
}

// diffVerdict is "verdict: regression in N groups: GROUP METRIC +x.x% (p=…), …"
// or "verdict: no regression (M groups compared)".
func diffVerdict(d *results.Diff) string {
	var list []string
	groups := 0
	for _, g := range d.Groups {
		regressed := false
		for _, m := range g.Metrics {
			if m.Regression {
				list = append(list, fmt.Sprintf("%s %s %+.1f%% (p=%.3f)", g.Name(), m.ShortName(), m.ChangePct, m.P))
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

// diffChange is the change of a median with its test, as benchstat shows
// it: "+30.0% (p=0.000 n=12+12)", or "~" for a change that is not
// significant.
func diffChange(m *results.MetricDiff) string {
	test := fmt.Sprintf("(p=%.3f n=%d+%d)", m.P, m.Base.N, m.New.N)
	if m.Paired {
		test = fmt.Sprintf("per case (p=%.3f, %d cases)", m.P, m.Cases)
	}
	if !m.Significant {
		return "~ " + test
	}
	return fmt.Sprintf("%+.1f%% %s", m.ChangePct, test)
}

// diffCenter is a median in its unit with its confidence interval as a
// percentage of it: "20.13ms ± 2%".
func diffCenter(metric string, c results.Center) string {
	value := diffMS(c.Median)
	if strings.HasSuffix(metric, "_bytes") {
		value = diffBytes(c.Median)
	}
	switch {
	case math.IsInf(c.Lo, 0) || math.IsInf(c.Hi, 0):
		return value + " ± ∞"
	case c.Median == 0 && c.Lo == 0 && c.Hi == 0:
		return value + " ± 0%"
	case c.Median <= 0 || c.Lo < 0:
		return value + " ± ?"
	}
	return fmt.Sprintf("%s ± %.0f%%", value, 100*max(c.Hi/c.Median-1, 1-c.Lo/c.Median))
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

// diffJSON is the --json form of a comparison.
type diffJSON struct {
	Threshold   float64         `json:"threshold"` // a fraction: 0.05 is 5%
	Alpha       float64         `json:"alpha"`
	Groups      []groupDiffJSON `json:"groups"`
	Regressions []string        `json:"regressions"`
	Warnings    []string        `json:"warnings"`
	Verdict     string          `json:"verdict"` // "regression" or "no regression"
}

type groupDiffJSON struct {
	results.Key
	Metrics map[string]metricDiffJSON `json:"metrics"`
}

type metricDiffJSON struct {
	Base        centerJSON `json:"base"`
	New         centerJSON `json:"new"`
	ChangePct   *float64   `json:"change_pct"` // null when infinite: the base median is 0
	P           float64    `json:"p"`
	Significant bool       `json:"significant"`
	Regression  bool       `json:"regression"`
	Improvement bool       `json:"improvement"`
}

// centerJSON is a median and its confidence interval; lo and hi are null
// when the samples are too few for an interval (median is null only for
// values too large to take a median of).
type centerJSON struct {
	Median *float64 `json:"median"`
	Lo     *float64 `json:"lo"`
	Hi     *float64 `json:"hi"`
	N      int      `json:"n"`
}

// WriteComparisonJSON writes d as one JSON object: threshold, alpha, each
// group's key and metrics (medians with their intervals, change, p-value,
// significance, regression, improvement), the regressions, the warnings and
// the verdict.
func WriteComparisonJSON(w io.Writer, d *results.Diff) error {
	out := diffJSON{
		Threshold: d.Threshold, Alpha: d.Alpha,
		Regressions: d.Regressions(), Warnings: d.Warnings, Verdict: "no regression",
	}
	if len(out.Regressions) > 0 {
		out.Verdict = "regression"
	}
	for _, g := range d.Groups {
		gj := groupDiffJSON{Key: g.Key, Metrics: make(map[string]metricDiffJSON)}
		for _, m := range g.Metrics {
			gj.Metrics[m.Name] = metricDiffJSON{
				Base: centerOf(m.Base), New: centerOf(m.New), ChangePct: nullable(m.ChangePct),
				P: m.P, Significant: m.Significant, Regression: m.Regression, Improvement: m.Improvement,
			}
		}
		out.Groups = append(out.Groups, gj)
	}
	if out.Regressions == nil {
		out.Regressions = []string{}
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	return writeJSON(w, out)
}

func centerOf(c results.Center) centerJSON {
	return centerJSON{Median: nullable(c.Median), Lo: nullable(c.Lo), Hi: nullable(c.Hi), N: c.N}
}

// nullable is &v, or nil (JSON's null) when v is infinite or NaN, which JSON
// cannot hold.
func nullable(v float64) *float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return &v
}
