package results

import "slices"

// cpuVsSerial returns the median CPU time of g's samples of the cases ref
// also ran, over the median CPU time of ref's samples of the cases g ran;
// 0 when they have no case in common.
func cpuVsSerial(g, ref *acc) float64 {
	return ratio(Median(common(g, ref)), Median(common(ref, g)))
}

// common returns the CPU times of a's samples whose case b also ran.
func common(a, b *acc) []float64 {
	in := make(map[int32]bool, len(b.cases))
	for _, c := range b.cases {
		in[c] = true
	}
	var x []float64
	for i, c := range a.cases {
		if in[c] {
			x = append(x, a.cpu[i])
		}
	}
	return x
}

// verdictFlips returns the number of cases of g with at least one sample
// whose verdict differs from the case's verdict in ref. Cases ref did not run
// are not counted.
func verdictFlips(g, ref *acc) int {
	want := modalVerdicts(ref)
	flipped := make(map[int32]bool)
	for i, c := range g.cases {
		if v, ok := want[c]; ok && g.verdicts[i] != v {
			flipped[c] = true
		}
	}
	return len(flipped)
}

// modalVerdicts returns the most common verdict of each case of g; of
// verdicts as common, the one seen first.
func modalVerdicts(g *acc) map[int32]int32 { return modal(g.cases, g.verdicts) }

// ModalVerdicts returns the most common verdict of each case of samples; of
// verdicts as common, the one seen first: a case's reference verdict.
func ModalVerdicts(samples []*Sample) map[string]Verdict {
	cases, verdicts := make([]string, len(samples)), make([]Verdict, len(samples))
	for i, s := range samples {
		cases[i], verdicts[i] = s.Case, s.Verdict
	}
	return modal(cases, verdicts)
}

// modal returns, for each case, its most common verdict (cases[i] had
// verdicts[i]); of verdicts as common, the one seen first.
func modal[C, V comparable](cases []C, verdicts []V) map[C]V {
	type count struct {
		verdict V
		n       int
	}
	counts := make(map[C][]count) // by case, in the order first seen
	for i, c := range cases {
		list := counts[c]
		j := slices.IndexFunc(list, func(x count) bool { return x.verdict == verdicts[i] })
		if j < 0 {
			list, j = append(list, count{verdict: verdicts[i]}), len(list)
		}
		list[j].n++
		counts[c] = list
	}
	out := make(map[C]V, len(counts))
	for c, list := range counts {
		best := list[0]
		for _, x := range list[1:] {
			if x.n > best.n {
				best = x
			}
		}
		out[c] = best.verdict
	}
	return out
}
