package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/judgebench/judgebench/results"
)

// compareRun is a run of two groups, serial and pool, of cases of 1, 3, 10,
// 30 and 100 ms, three repeats each, the times scaled by slow for pool and
// spread by a fixed ±2%; serial's memory grows by mem.
func compareRun(slow, mem float64) *results.Run {
	r := &results.Run{Schema: results.Schema, Target: "judge", Machine: results.Machine{Hostname: "box", LogicalCores: 2}}
	spread := []float64{0.98, 1, 1.02}
	for _, k := range []results.Key{{Model: "serial", Measure: "exact", Parallelism: 1}, {Model: "pool", Measure: "exact", Parallelism: 2}} {
		f, m := 1.0, mem
		if k.Model == "pool" {
			f, m = slow, 1
		}
		for c, size := range []float64{1, 3, 10, 30, 100} {
			for rep, s := range spread {
				v := size * f * s * (1 + 0.001*float64(c))
				r.Samples = append(r.Samples, results.Sample{Case: fmt.Sprint(c + 1), Repeat: rep, Model: k.Model, Measure: k.Measure,
					Parallelism: k.Parallelism, CPUTimeMS: v, RealTimeMS: 1.01 * v, MemoryBytes: int64(m * float64(2<<20+c<<12)), Verdict: results.Accepted})
			}
		}
	}
	return r
}

// TestWriteComparisonGolden: pool 30% slower, serial's memory 1% higher
// (significant, but inside the 5% threshold), rendered as text and JSON.
func TestWriteComparisonGolden(t *testing.T) {
	d, err := results.Compare(compareRun(1, 1), compareRun(1.3, 1.01), results.Options{Threshold: 0.05, Alpha: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	var text, js bytes.Buffer
	if err := WriteComparison(&text, d); err != nil {
		t.Fatal(err)
	}
	if err := WriteComparisonJSON(&js, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.golden", text.Bytes())
	golden(t, "compare.json.golden", js.Bytes())
}

// TestWriteComparisonExtremes prints comparisons with what JSON cannot hold
// (infinite intervals and changes, nothing compared) and values of zero:
// the text shows them, the JSON holds them as null.
func TestWriteComparisonExtremes(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	tests := []struct {
		name           string
		base, new      results.Center
		change, lo, hi float64
		wantText       string
	}{
		{"too few for an interval", results.Center{Median: 20, Lo: 20, Hi: 20, N: 2}, results.Center{Median: 21, Lo: 21, Hi: 21, N: 2}, 5, -100, inf,
			"20.00ms  21.00ms  +5.0% [-100.0%, +∞%]"},
		{"from zero", results.Center{N: 6}, results.Center{Median: 3, Lo: 1, Hi: 4, N: 6}, inf, inf, inf, "0.000ms  3.000ms  +∞% [+∞%, +∞%]"},
		{"nothing compared", results.Center{Median: nan, Lo: nan, Hi: nan}, results.Center{Median: nan, Lo: nan, Hi: nan}, nan, nan, nan,
			"n/a   n/a  n/a [n/a, n/a]"},
	}
	for _, tt := range tests {
		d := &results.Diff{Threshold: 0.05, Alpha: 0.05, Tests: 1, Gated: []string{"cpu_time"}, Groups: []results.GroupDiff{{
			Key: results.Key{Model: "serial", Measure: "exact", Parallelism: 1},
			Metrics: []results.MetricDiff{{Name: "cpu_time_ms", Base: tt.base, New: tt.new, ChangePct: tt.change, ChangeLoPct: tt.lo, ChangeHiPct: tt.hi,
				P: 0.01, PAdjusted: 0.01, Significant: true, Regression: true, Gated: true}},
		}}}
		var text, js bytes.Buffer
		if err := WriteComparison(&text, d); err != nil || !strings.Contains(text.String(), tt.wantText) ||
			!strings.Contains(text.String(), "verdict: regression in 1 group: serial/exact/p=1/gomaxprocs=0 cpu_time ") {
			t.Errorf("%s: WriteComparison = %v, %q; want %q and the verdict", tt.name, err, text.String(), tt.wantText)
		}
		if err := WriteComparisonJSON(&js, d); err != nil || !json.Valid(js.Bytes()) || !strings.Contains(js.String(), `"verdict": "regression"`) {
			t.Errorf("%s: WriteComparisonJSON = %v, %q; want valid JSON, verdict regression", tt.name, err, js.String())
		}
	}
}

func TestDiffMark(t *testing.T) {
	d := &results.Diff{Threshold: 0.05}
	tests := []struct {
		m    results.MetricDiff
		want string
	}{
		{results.MetricDiff{Regression: true, Significant: true, Gated: true}, "REGRESSION"},
		{results.MetricDiff{Improvement: true, Significant: true}, "improvement"},
		{results.MetricDiff{ChangeLoPct: 20}, "~"},
		{results.MetricDiff{Significant: true, ChangeLoPct: 20}, "increase (not gated)"},
		{results.MetricDiff{Significant: true, Gated: true, ChangeLoPct: 2}, "~ (interval reaches ±5%)"},
	}
	for _, tt := range tests {
		if got := diffMark(d, &tt.m); got != tt.want {
			t.Errorf("diffMark(%+v) = %q; want %q", tt.m, got, tt.want)
		}
	}
}
