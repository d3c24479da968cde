package report

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/judgebench/judgebench/results"
)

// TestWriteComparisonExtremes prints comparisons with what JSON cannot hold
// (infinite intervals and changes, an infinite median) and values of zero:
// the text shows them, the JSON holds them as null.
func TestWriteComparisonExtremes(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name     string
		base     results.Center
		new      results.Center
		change   float64
		wantText string
	}{
		{"too few for an interval", results.Center{Median: 20, Lo: -inf, Hi: inf, N: 2}, results.Center{Median: 21, Lo: -inf, Hi: inf, N: 2}, 5, "20.00ms ± ∞"},
		{"from zero", results.Center{N: 6}, results.Center{Median: 3, Lo: 1, Hi: 4, N: 6}, inf, "0.000ms ± 0%"},
		{"huge", results.Center{Median: inf, Lo: 1e308, Hi: inf, N: 6}, results.Center{Median: 1, Lo: 1, Hi: 1, N: 6}, math.NaN(), "+Infms ± ∞"},
	}
	for _, tt := range tests {
		d := &results.Diff{Threshold: 0.05, Alpha: 0.05, Groups: []results.GroupDiff{{
			Key: results.Key{Model: "serial", Measure: "exact", Parallelism: 1},
			Metrics: []results.MetricDiff{{Name: "cpu_time_ms", Base: tt.base, New: tt.new, ChangePct: tt.change,
				P: 0.01, Significant: true, Regression: true}},
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
