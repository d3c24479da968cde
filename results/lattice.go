package results

import "slices"

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
