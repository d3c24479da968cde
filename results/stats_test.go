package results

import (
	"math"
	"testing"
)

// near reports whether a and b are equal to 1e-9, relatively for large values.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a), math.Abs(b))
}

func nearStats(a, b Stats) bool {
	return near(a.Min, b.Min) && near(a.Median, b.Median) && near(a.Mean, b.Mean) &&
		near(a.P95, b.P95) && near(a.Max, b.Max) && near(a.Stddev, b.Stddev) && near(a.MAD, b.MAD)
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want Stats
	}{
		{"empty", nil, Stats{}},
		{"one", []float64{7}, Stats{Min: 7, Median: 7, Mean: 7, P95: 7, Max: 7}},
		{
			// Deviations from 5.5 are 4.5 3.5 2.5 1.5 .5 .5 1.5 2.5 3.5 4.5:
			// their median is 2.5. Variance: (2*(4.5²+3.5²+2.5²+1.5²+.5²))/10 = 8.25.
			// P95: rank .95*9 = 8.55, between 9 and 10.
			"1..10 shuffled",
			[]float64{7, 3, 10, 1, 5, 9, 2, 8, 4, 6},
			Stats{Min: 1, Median: 5.5, Mean: 5.5, P95: 9.55, Max: 10, Stddev: math.Sqrt(8.25), MAD: 2.5},
		},
		{
			// Mean 22; squared deviations 441 400 361 324 6084, sum 7610, /5 = 1522.
			// P95: rank .95*4 = 3.8: 4 + .8*96. Deviations from 3: 2 1 0 1 97.
			"outlier",
			[]float64{1, 2, 3, 4, 100},
			Stats{Min: 1, Median: 3, Mean: 22, P95: 80.8, Max: 100, Stddev: math.Sqrt(1522), MAD: 1},
		},
		{"constant", []float64{2, 2, 2, 2}, Stats{Min: 2, Median: 2, Mean: 2, P95: 2, Max: 2}},
		{
			"overflowing variance",
			[]float64{-math.MaxFloat64, math.MaxFloat64},
			Stats{Min: -math.MaxFloat64, Median: 0, Mean: 0, P95: 0.9 * math.MaxFloat64, Max: math.MaxFloat64, Stddev: math.MaxFloat64, MAD: math.MaxFloat64},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(tt.in); !nearStats(got, tt.want) {
				t.Errorf("describe(%v) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRatio(t *testing.T) {
	tests := []struct{ a, b, want float64 }{
		{30, 10, 3},
		{30, 0, 0},
		{0, 0, 0},
		{math.MaxFloat64, 1e-300, 0}, // not finite
	}
	for _, tt := range tests {
		if got := ratio(tt.a, tt.b); got != tt.want {
			t.Errorf("ratio(%g, %g) = %g; want %g", tt.a, tt.b, got, tt.want)
		}
	}
}
