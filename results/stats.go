package results

import (
	"math"
	"time"

	"github.com/montanaflynn/stats"
)

// describe returns the statistics of x, the zero Stats when x is empty.
func describe(x []float64) Stats {
	if len(x) == 0 {
		return Stats{}
	}
	d := stats.Float64Data(x)
	// With x not empty, the only errors stats can return are for empty input
	// or an out-of-range percent, so they are ignored.
	var s Stats
	s.Min, _ = d.Min()
	s.Median, _ = d.Median()
	s.Mean, _ = d.Mean()
	s.P95, _ = d.Percentile(95)
	s.Max, _ = d.Max()
	s.Stddev, _ = d.StandardDeviationPopulation()
	s.MAD, _ = d.MedianAbsoluteDeviationPopulation()
	for _, v := range []*float64{&s.Min, &s.Median, &s.Mean, &s.P95, &s.Max, &s.Stddev, &s.MAD} {
		*v = orZero(*v)
	}
	return s
}

// Median returns the median of x: its middle value, or the mean of the
// middle two when their number is even; 0 when x is empty. x is not changed.
func Median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	m, _ := stats.Median(x) // sorts a copy
	return orZero(m)
}

// Millis returns d in milliseconds, rounded to the microsecond: run.json's
// unit and resolution of times.
func Millis(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond).Microseconds()) / 1e3
}

// ratio returns a/b, or 0 when b is 0 or the quotient is not finite.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return orZero(a / b)
}

// orZero returns v, or 0 when v is NaN or infinite: JSON cannot hold those.
func orZero(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// isFinite reports whether x is neither NaN nor infinite.
func isFinite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }
