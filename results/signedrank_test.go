package results

import (
	"math"
	"testing"
)

func TestSignedRankP(t *testing.T) {
	tests := []struct {
		name string
		d    []float64
		want float64
	}{
		{"all 6 positive", []float64{1, 2, 3, 4, 5, 6}, 2.0 / 64},
		{"all 10 negative", []float64{-1, -2, -3, -4, -5, -6, -7, -8, -9, -10}, 2.0 / 1024},
		// W+ = 1+2 = 3 of n=5: P(W <= 3) = #{sums <= 3 over 2^5} = 5/32 (0,1,2,3,1+2).
		{"mostly negative", []float64{0.1, 0.2, -0.3, -0.4, -0.5}, 2 * 5.0 / 32},
		{"balanced: W+ = 1+4 is the centre for n=4", []float64{1, -2, -3, 4}, 1},
		{"zeros only", []float64{0, 0}, 1},
	}
	for _, tt := range tests {
		if got := signedRankP(tt.d); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("signedRankP(%s) = %.6g; want %.6g", tt.name, got, tt.want)
		}
	}
	// Ties or many differences: the normal approximation, close to exact.
	d := make([]float64, 30)
	for i := range d {
		d[i] = float64(i + 1)
	}
	if got := signedRankP(d); got > 1e-5 {
		t.Errorf("signedRankP(1..30) = %.3g; want tiny", got)
	}
	if got := signedRankP([]float64{1, 1, -1, -1, 2, -2}); got < 0.9 {
		t.Errorf("signedRankP(balanced ties) = %.3g; want about 1", got)
	}
}
