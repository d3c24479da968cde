package results

import (
	"math"
	"slices"
)

// stratum is one case's values of a measurement in both runs: the two
// samples that van Elteren's test compares with each other, never with the
// values of another case.
type stratum struct {
	base, new []float64
}

// size is N, the number of values of both runs.
func (s *stratum) size() int { return len(s.base) + len(s.new) }

// pairs is m·n, the number of (base, new) pairs.
func (s *stratum) pairs() int { return len(s.base) * len(s.new) }

// weight is van Elteren's weight of the stratum, 1/(N+1).
func (s *stratum) weight() float64 { return 1 / float64(s.size()+1) }

// u2 is twice the Mann-Whitney count of the stratum: the pairs whose new
// value is above the base value count 2, equal ones 1.
func (s *stratum) u2() int {
	u := 0
	for _, b := range s.base {
		for _, x := range s.new {
			switch {
			case x > b:
				u += 2
			case x == b:
				u++
			}
		}
	}
	return u
}

// vanElterenP is the two-sided p-value of van Elteren's test of strata:
// within each stratum the Mann-Whitney count U of new values above base
// values, combined as V = Σ U/(N+1). Under the hypothesis that base and new
// have one distribution within each stratum, V's distribution is that of a
// sum of independent permutation distributions (ties kept, as midranks):
// computed exactly on a lattice when small enough, else by the normal
// approximation. exact reports which. least is the smallest p-value the test
// could have given with the strata's values however they fell into base and
// new: every new value above (or every one below) every base value. One
// stratum is the Mann-Whitney U test.
func vanElterenP(strata []stratum, cache nullCache) (p, least float64, exact bool) {
	if scales := latticeScales(strata); scales != nil {
		dists := make([][]float64, len(strata))
		obs, mean := 0, 0
		for i := range strata {
			dists[i] = cache.tied(&strata[i])
			obs += scales[i] * strata[i].u2()
			mean += scales[i] * strata[i].pairs()
		}
		if dist := convolve(dists, scales); dist != nil {
			return twoSidedP(dist, mean, obs), leastP(dist, mean), true
		}
	}
	p = normalP(strata)
	return p, min(p, minP(strata)), false
}

// normalP is van Elteren's p-value by the normal approximation, with the
// variance corrected for ties and a continuity correction of half the
// smallest step.
func normalP(strata []stratum) float64 {
	var v, mean, variance, step float64
	step = math.Inf(1)
	for i := range strata {
		s := &strata[i]
		w := s.weight()
		v += w * float64(s.u2()) / 2
		mean += w * float64(s.pairs()) / 2
		variance += w * w * uVariance(s)
		step = min(step, w)
	}
	if !(variance > 0) {
		return 1
	}
	z := (math.Abs(v-mean) - step/2) / math.Sqrt(variance)
	return math.Min(1, math.Erfc(math.Max(z, 0)/math.Sqrt2))
}

// uVariance is the variance of U of s under the hypothesis, corrected for
// its ties: mn/12·(N+1 - Σ(t³-t)/(N(N-1))) over the tie blocks of size t.
func uVariance(s *stratum) float64 {
	pooled := slices.Concat(s.base, s.new)
	slices.Sort(pooled)
	n := float64(len(pooled))
	ties := 0.0
	for i := 0; i < len(pooled); {
		j := i
		for j < len(pooled) && pooled[j] == pooled[i] {
			j++
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	v := float64(s.pairs()) / 12 * (n + 1)
	if n > 1 {
		v -= float64(s.pairs()) / 12 * ties / (n * (n - 1))
	}
	return v
}

// minP is the smallest p-value van Elteren's test can give with the
// strata's numbers of samples and no ties: every new value above (or every
// one below) every base value of its case, 2·Π 1/C(N, n).
func minP(strata []stratum) float64 {
	logP := math.Log(2)
	for i := range strata {
		logP -= logChoose(strata[i].size(), len(strata[i].new))
	}
	return math.Min(1, math.Exp(logP))
}

func logChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}
