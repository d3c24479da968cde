package results

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Judged reports whether s is held to its expected verdict: a sample of a
// correct model (serial, pool, process, inproc) measured exact. The pitfall
// variants and the distorting measure modes lose or change verdicts on
// purpose: that is their demonstration.
func (s *Sample) Judged() bool { return s.Model.Correct() && s.Measure == Exact }

// Expected is the verdict s must get: its ExpectedVerdict, ACCEPTED when
// that is empty (files of older versions).
func (s *Sample) Expected() Verdict {
	if s.ExpectedVerdict == "" {
		return Accepted
	}
	return s.ExpectedVerdict
}

// A Failure is a case that did not get its expected verdict in some judged
// sample: the solution fails it, or its verdict flips under parallelism.
type Failure struct {
	Case     string
	Expected Verdict
	// Got counts the case's failing samples by verdict; N is how many
	// judged samples the case had.
	Got map[Verdict]int
	N   int
	// First is the case's first failing sample, in the order of samples:
	// its group, verdict, error and checker message.
	First Sample
}

// Failures returns the cases whose judged samples did not all get their
// expected verdict, each once, sorted by name with numbers in their order
// ("2" before "10"). First is the first failing sample in samples.
func Failures(samples []Sample) []Failure {
	var out []Failure
	index := make(map[string]int)
	n := make(map[string]int)
	for i := range samples {
		s := &samples[i]
		if !s.Judged() {
			continue
		}
		n[s.Case]++
		if s.Verdict == s.Expected() {
			continue
		}
		j, ok := index[s.Case]
		if !ok {
			j = len(out)
			index[s.Case] = j
			out = append(out, Failure{Case: s.Case, Expected: s.Expected(), Got: make(map[Verdict]int), First: *s})
		}
		out[j].Got[s.Verdict]++
	}
	for i := range out {
		out[i].N = n[out[i].Case]
	}
	slices.SortStableFunc(out, func(a, b Failure) int { return CompareNames(a.Case, b.Case) })
	return out
}

// CompareNames orders names as people count: runs of digits by their
// value, the rest byte by byte ("case-2" before "case-10").
func CompareNames(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digits is the length of the run of ASCII digits s starts with.
func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// Unmeasured returns why nothing of the run could be measured, "" when
// something was: every judged sample (there is at least one) is a
// SYSTEM_ERROR that no fault injected; the reason is the first one's error.
func Unmeasured(samples []Sample) string {
	cause, judged := "", false
	for i := range samples {
		s := &samples[i]
		if !s.Judged() {
			continue
		}
		if s.Verdict != SystemError || s.Expected() == SystemError {
			return ""
		}
		if !judged {
			cause, judged = s.Error, true
		}
	}
	if cause == "" && judged {
		cause = "every case is a SYSTEM_ERROR"
	}
	return cause
}

// VerdictCounts returns the verdicts of counts with their numbers, in the
// order of Verdicts and by their short names, as "8 AC 2 WA"; "-" for none.
func VerdictCounts(counts map[Verdict]int) string {
	var parts []string
	for _, v := range Verdicts() {
		if n := counts[v]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+v.Short())
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
