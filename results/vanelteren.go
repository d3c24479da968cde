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

// Bounds of the exact test: a case of more samples than maxExactSamples, a
// lattice of more than maxLattice points or a convolution of more than
// maxWork steps takes the normal approximation instead.
const (
	maxExactSamples = 60
	maxLattice      = 1 << 20
	maxWork         = 1 << 24
)

// nullCache holds the distributions of 2U without ties, by (m, n), for one
// comparison: most cases of a run have the same number of repeats.
type nullCache map[[2]int][]float64

// continuous returns the distribution of 2U of m base and n new values
// without ties when both samples come from one distribution.
func (c nullCache) continuous(m, n int) []float64 {
	if d, ok := c[[2]int{m, n}]; ok {
		return d
	}
	ranks := make([]int, m+n)
	for i := range ranks {
		ranks[i] = 2 * (i + 1)
	}
	d := rankSumNull(ranks, n)
	c[[2]int{m, n}] = d
	return d
}

// tied returns the distribution of 2U of s given its values, ties and all:
// the permutation distribution of the doubled midranks.
func (c nullCache) tied(s *stratum) []float64 {
	pooled := slices.Concat(s.base, s.new)
	slices.Sort(pooled)
	if !hasTies(pooled) {
		return c.continuous(len(s.base), len(s.new))
	}
	ranks := make([]int, len(pooled))
	for i := 0; i < len(pooled); {
		j := i
		for j+1 < len(pooled) && pooled[j+1] == pooled[i] {
			j++
		}
		for k := i; k <= j; k++ {
			ranks[k] = i + j + 2 // twice the midrank (i+j)/2 + 1
		}
		i = j + 1
	}
	return rankSumNull(ranks, len(s.new))
}

func hasTies(sorted []float64) bool {
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return true
		}
	}
	return false
}

// rankSumNull returns the distribution of 2U for n values drawn without
// replacement from the doubled ranks: index 2U from 0 to 2·m·n, where 2U is
// the drawn ranks' sum less n(n+1). It counts the subsets of each size and
// sum, drawing the smaller of the two samples.
func rankSumNull(ranks []int, n int) []float64 {
	m := len(ranks) - n
	k := min(m, n)
	top := 0
	for _, r := range ranks {
		top = max(top, r)
	}
	maxSum := k * top
	ways := make([][]float64, k+1)
	for i := range ways {
		ways[i] = make([]float64, maxSum+1)
	}
	ways[0][0] = 1
	for _, r := range ranks {
		for j := k; j >= 1; j-- {
			row, prev := ways[j], ways[j-1]
			for s := maxSum; s >= r; s-- {
				row[s] += prev[s-r]
			}
		}
	}
	total := 0.0
	for _, w := range ways[k] {
		total += w
	}
	dist := make([]float64, 2*m*n+1)
	for s, w := range ways[k] {
		if w == 0 {
			continue
		}
		u2 := s - k*(k+1) // 2U of the drawn sample
		if k != n {
			u2 = 2*m*n - u2 // the other sample's
		}
		dist[u2] += w / total
	}
	return dist
}

// latticeScales returns, for each stratum, L/(N+1), with L the least common
// multiple of every N+1: the weights 1/(N+1) times L, integers. It returns
// nil when a stratum is too large for the exact test or L too large.
func latticeScales(strata []stratum) []int {
	l := 1
	for i := range strata {
		n := strata[i].size()
		if n > maxExactSamples {
			return nil
		}
		l = l / gcd(l, n+1) * (n + 1)
		if l > maxLattice {
			return nil
		}
	}
	scales := make([]int, len(strata))
	for i := range strata {
		scales[i] = l / (strata[i].size() + 1)
	}
	return scales
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// convolve returns the distribution of Σ scales[i]·X_i for independent X_i
// distributed as dists[i] over 0, 1, ...; nil when it would take more than
// maxLattice points or maxWork steps.
func convolve(dists [][]float64, scales []int) []float64 {
	size := 1
	for i, d := range dists {
		size += scales[i] * (len(d) - 1)
	}
	if size > maxLattice {
		return nil
	}
	out := make([]float64, size)
	out[0] = 1
	used, work := 1, 0
	next := make([]float64, size)
	for i, d := range dists {
		clear(next)
		for x, p := range d {
			if p == 0 {
				continue
			}
			if work += used; work > maxWork {
				return nil
			}
			off := x * scales[i]
			for z, q := range out[:used] {
				next[z+off] += p * q
			}
		}
		used += scales[i] * (len(d) - 1)
		out, next = next, out
	}
	return out
}

// twoSidedP is the probability under dist of a value at least as far from
// mean as obs.
func twoSidedP(dist []float64, mean, obs int) float64 {
	far := abs(obs - mean)
	p := 0.0
	for z, q := range dist {
		if abs(z-mean) >= far {
			p += q
		}
	}
	return min(p, 1)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
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

// leastP is the two-sided p-value of the value of dist farthest from mean.
func leastP(dist []float64, mean int) float64 {
	lo := slices.IndexFunc(dist, func(q float64) bool { return q > 0 })
	hi := len(dist) - 1
	for hi > 0 && dist[hi] == 0 {
		hi--
	}
	if abs(lo-mean) > abs(hi-mean) {
		return twoSidedP(dist, mean, lo)
	}
	return twoSidedP(dist, mean, hi)
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
