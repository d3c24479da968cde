package report

import (
	"io"
	"math"

	"github.com/judgebench/judgebench/results"
)

// diffJSON is the --json form of a comparison.
type diffJSON struct {
	Threshold   float64         `json:"threshold"` // a fraction: 0.05 is 5%
	Alpha       float64         `json:"alpha"`     // family-wise
	Confidence  float64         `json:"confidence"`
	Correction  string          `json:"correction"` // "holm"
	Tests       int             `json:"tests"`      // the gated family's size
	Gated       []string        `json:"gated"`
	Groups      []groupDiffJSON `json:"groups"`
	Regressions []string        `json:"regressions"`
	Warnings    []string        `json:"warnings"`
	Verdict     string          `json:"verdict"` // "regression" or "no regression"
}

type groupDiffJSON struct {
	results.Key
	Metrics map[string]metricDiffJSON `json:"metrics"`
	// Missed counts the samples that missed their expected verdict, of n,
	// in each run; failing is true when new missed a larger share.
	BaseMissed missedJSON `json:"base_missed"`
	NewMissed  missedJSON `json:"new_missed"`
	Failing    bool       `json:"failing"`
}

type missedJSON struct {
	Missed int `json:"missed"`
	N      int `json:"n"`
}

// metricDiffJSON is a results.MetricDiff; values JSON cannot hold (NaN,
// infinities: a base of 0, too few samples, no case compared) are null.
type metricDiffJSON struct {
	Base        centerJSON `json:"base"`
	New         centerJSON `json:"new"`
	Cases       int        `json:"cases"`
	ChangePct   *float64   `json:"change_pct"`
	ChangeLoPct *float64   `json:"change_lo_pct"`
	ChangeHiPct *float64   `json:"change_hi_pct"`
	P           float64    `json:"p"`
	PAdjusted   float64    `json:"p_adjusted"`
	PMin        float64    `json:"p_min"`
	Method      string     `json:"method"`
	Gated       bool       `json:"gated"`
	Significant bool       `json:"significant"`
	Regression  bool       `json:"regression"`
	Improvement bool       `json:"improvement"`
}

// centerJSON is a run's median case (the median of the case medians), lo
// and hi the smallest and the largest case median, and n the values
// compared; null when no case was compared.
type centerJSON struct {
	Median *float64 `json:"median"`
	Lo     *float64 `json:"lo"`
	Hi     *float64 `json:"hi"`
	N      int      `json:"n"`
}

// WriteComparisonJSON writes d as one JSON object: threshold, alpha,
// confidence, the correction and its number of tests, the gated metrics,
// each group's key and metrics (each run's median case, the change with its
// interval, p-values raw, corrected and least possible, the method,
// significance, regression, improvement), the regressions, the warnings and
// the verdict.
func WriteComparisonJSON(w io.Writer, d *results.Diff) error {
	out := diffJSON{
		Threshold: d.Threshold, Alpha: d.Alpha, Confidence: confidence(d), Correction: "holm", Tests: d.Tests,
		Gated: orEmpty(d.Gated), Regressions: orEmpty(d.Regressions()), Warnings: orEmpty(d.Warnings), Verdict: "no regression",
	}
	if len(out.Regressions) > 0 {
		out.Verdict = "regression"
	}
	for _, g := range d.Groups {
		gj := groupDiffJSON{Key: g.Key, Metrics: make(map[string]metricDiffJSON), Failing: g.Failing,
			BaseMissed: missedJSON{g.Base.Missed, g.Base.N}, NewMissed: missedJSON{g.New.Missed, g.New.N}}
		for _, m := range g.Metrics {
			gj.Metrics[m.Name] = metricDiffJSON{
				Base: centerOf(m.Base), New: centerOf(m.New), Cases: m.Cases,
				ChangePct: nullable(m.ChangePct), ChangeLoPct: nullable(m.ChangeLoPct), ChangeHiPct: nullable(m.ChangeHiPct),
				P: m.P, PAdjusted: m.PAdjusted, PMin: m.MinP, Method: m.Method, Gated: m.Gated,
				Significant: m.Significant, Regression: m.Regression, Improvement: m.Improvement,
			}
		}
		out.Groups = append(out.Groups, gj)
	}
	return writeJSON(w, out)
}

// orEmpty is s, or an empty list for nil: JSON's [] rather than null.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
