package results

import (
	"cmp"
	"math"
	"slices"
)

// ratioPair is one pair of values of a case, a base and a new one: the
// ratio new/base and the pair's weight.
type ratioPair struct{ ratio, weight float64 }

// ratioInterval returns the change from base to new as van Elteren's test
// sees it, a ratio new/base. The estimate is the weighted median of the
// ratios of every pair (base, new) of values of one case, each pair weighted
// by its case's 1/(N+1): the stratified Hodges-Lehmann estimate of a
// multiplicative change. The confidence interval [lo, hi] inverts the test:
// it holds the ratios r for which new/r against base is not rejected at
// 1-confidence, by the test's distribution without ties (exact on a lattice
// when small enough, else the normal approximation). Too few samples for
// any rejection give [0, +Inf].
func ratioInterval(strata []stratum, confidence float64, cache nullCache) (est, lo, hi float64) {
	tail := (1 - confidence) / 2
	var dist []float64
	scales := latticeScales(strata)
	if scales != nil {
		dists := make([][]float64, len(strata))
		for i := range strata {
			dists[i] = cache.continuous(len(strata[i].base), len(strata[i].new))
		}
		dist = convolve(dists, scales)
	}
	var pairs []ratioPair
	var a float64 // the largest total weight of pairs below r that rejects r
	if dist != nil {
		for i := range strata {
			pairs = appendPairs(pairs, &strata[i], float64(2*scales[i]))
		}
		a = latticeCritical(dist, tail)
	} else {
		for i := range strata {
			pairs = appendPairs(pairs, &strata[i], strata[i].weight())
		}
		a = normalCritical(strata, tail)
	}
	slices.SortFunc(pairs, func(x, y ratioPair) int { return cmp.Compare(x.ratio, y.ratio) })
	return weightedInterval(pairs, a)
}

// appendPairs appends the pairs of s, each of weight w.
func appendPairs(pairs []ratioPair, s *stratum, w float64) []ratioPair {
	for _, b := range s.base {
		for _, x := range s.new {
			pairs = append(pairs, ratioPair{changeRatio(b, x), w})
		}
	}
	return pairs
}

// changeRatio is x/b for values of 0 or more: 1 when both are 0, +Inf when only b
// is.
func changeRatio(b, x float64) float64 {
	switch {
	case b > 0:
		return x / b
	case x == 0:
		return 1
	}
	return math.Inf(1)
}

// latticeCritical is the largest point of the lattice whose lower tail
// probability is at most tail, or -1 when even the lowest point's is above.
func latticeCritical(dist []float64, tail float64) float64 {
	a, cum := -1, 0.0
	for z, q := range dist {
		if cum += q; cum > tail*(1+1e-9) {
			break
		}
		a = z
	}
	return float64(a)
}

// normalCritical is the lower critical value of V = Σ U/(N+1) at tail,
// by the normal approximation without ties.
func normalCritical(strata []stratum, tail float64) float64 {
	var mean, variance float64
	for i := range strata {
		s := &strata[i]
		w, mn := s.weight(), float64(s.pairs())
		mean += w * mn / 2
		variance += w * w * mn * float64(s.size()+1) / 12
	}
	z := math.Sqrt2 * math.Erfinv(1-2*tail)
	return mean - z*math.Sqrt(variance)
}

// weightedInterval returns the weighted median of the sorted pairs' ratios
// and the interval of the ratios r with more than a of the weight at or
// below r and more than a at or above r.
func weightedInterval(pairs []ratioPair, a float64) (est, lo, hi float64) {
	total := 0.0
	for _, p := range pairs {
		total += p.weight
	}
	cum := 0.0
	for k, p := range pairs {
		if cum += p.weight; cum >= total/2 {
			est = p.ratio
			if cum == total/2 && k+1 < len(pairs) {
				est = between(p.ratio, pairs[k+1].ratio)
			}
			break
		}
	}
	lo, hi = 0, math.Inf(1)
	if a < 0 {
		return est, lo, hi
	}
	cum = 0
	for _, p := range pairs {
		if cum += p.weight; cum > a {
			lo = p.ratio
			break
		}
	}
	cum = 0
	for k := len(pairs) - 1; k >= 0; k-- {
		if cum += pairs[k].weight; cum > a {
			hi = pairs[k].ratio
			break
		}
	}
	return est, lo, hi
}

// between is the geometric mean of two ratios x <= y, or their mean when
// one is 0 or infinite; never outside [x, y] for rounding.
func between(x, y float64) float64 {
	if x == y {
		return x
	}
	if x > 0 && !math.IsInf(y, 0) {
		return min(max(math.Exp((math.Log(x)+math.Log(y))/2), x), y)
	}
	return (x + y) / 2
}
