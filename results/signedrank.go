package results

import (
	"math"
	"slices"
	"sort"
)

// signedRankP is the two-sided p-value of the Wilcoxon signed-rank test of
// d against a median of 0: the test for paired differences (here, each
// case's log change). Zeros are dropped. Without ties and with at most 25
// differences the distribution is exact; otherwise it is the normal
// approximation with a tie and continuity correction.
func signedRankP(d []float64) float64 {
	var x []float64
	for _, v := range d {
		if v != 0 && !math.IsNaN(v) {
			x = append(x, v)
		}
	}
	n := len(x)
	if n == 0 {
		return 1
	}
	ranks, ties := absRanks(x)
	var w float64 // sum of the ranks of the positive differences
	for i, v := range x {
		if v > 0 {
			w += ranks[i]
		}
	}
	if !ties && n <= 25 {
		return exactSignedRankP(n, int(w))
	}
	return normalSignedRankP(n, w, ranks)
}

// absRanks ranks |x| from 1, ties sharing their average rank.
func absRanks(x []float64) (ranks []float64, ties bool) {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return math.Abs(x[idx[a]]) < math.Abs(x[idx[b]]) })
	ranks = make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && math.Abs(x[idx[j+1]]) == math.Abs(x[idx[i]]) {
			j++
		}
		ties = ties || j > i
		for k := i; k <= j; k++ {
			ranks[idx[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return ranks, ties
}

// exactSignedRankP counts, over the 2^n sign patterns, those whose positive
// rank sum is as extreme as w.
func exactSignedRankP(n, w int) float64 {
	max := n * (n + 1) / 2
	counts := make([]float64, max+1) // counts[s]: subsets of 1..n with sum s
	counts[0] = 1
	for r := 1; r <= n; r++ {
		for s := max; s >= r; s-- {
			counts[s] += counts[s-r]
		}
	}
	total := math.Pow(2, float64(n))
	var lo, hi float64
	for s, c := range counts {
		if s <= w {
			lo += c
		}
		if s >= w {
			hi += c
		}
	}
	return math.Min(1, 2*math.Min(lo, hi)/total)
}

func normalSignedRankP(n int, w float64, ranks []float64) float64 {
	nf := float64(n)
	mean := nf * (nf + 1) / 4
	variance := nf * (nf + 1) * (2*nf + 1) / 24
	sorted := slices.Clone(ranks)
	slices.Sort(sorted)
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		t := float64(j - i)
		variance -= (t*t*t - t) / 48
		i = j
	}
	if variance <= 0 {
		return 1
	}
	z := (math.Abs(w-mean) - 0.5) / math.Sqrt(variance)
	return math.Min(1, math.Erfc(math.Max(z, 0)/math.Sqrt2))
}
