package results

import (
	"slices"
	"testing"
)

func TestCompareNames(t *testing.T) {
	in := []string{"10", "2", "case-10", "case-2", "1", "b", "a", "01", "case-2b", "case-2a", ""}
	want := []string{"", "1", "01", "2", "10", "a", "b", "case-2", "case-2a", "case-2b", "case-10"}
	got := slices.Clone(in)
	slices.SortStableFunc(got, CompareNames)
	if !slices.Equal(got, want) {
		t.Errorf("sorted with CompareNames = %q; want %q", got, want)
	}
}

func TestFailures(t *testing.T) {
	judged := func(c string, m Model, v, expected Verdict) Sample {
		return Sample{Case: c, Model: m, Measure: Exact, Verdict: v, ExpectedVerdict: expected}
	}
	samples := []Sample{
		judged("10", Serial, WrongAnswer, Accepted),
		judged("10", Pool, WrongAnswer, Accepted),
		judged("2", Serial, Accepted, Accepted),
		judged("2", Pool, CPUTimeLimitExceeded, Accepted), // flips under the pool
		judged("3", Serial, RuntimeError, RuntimeError),   // an injected fault, reported
		judged("4", FireForget, Accepted, RuntimeError),   // a pitfall loses it: its demonstration
		{Case: "5", Model: Serial, Measure: RUMaxRSS, Verdict: MemoryLimitExceeded, ExpectedVerdict: Accepted},
		{Case: "6", Model: Serial, Measure: Exact, Verdict: Accepted}, // no expected verdict: ACCEPTED
	}
	got := Failures(samples)
	if len(got) != 2 || got[0].Case != "2" || got[1].Case != "10" {
		t.Fatalf("Failures = %+v; want cases 2 and 10", got)
	}
	if f := got[0]; f.N != 2 || f.Got[CPUTimeLimitExceeded] != 1 || f.First.Model != Pool || f.Expected != Accepted {
		t.Errorf("Failures()[0] = %+v; want 1 TLE of 2 under the pool", f)
	}
	if f := got[1]; f.N != 2 || f.Got[WrongAnswer] != 2 {
		t.Errorf("Failures()[1] = %+v; want 2 WA of 2", f)
	}
	if got := Unmeasured(samples); got != "" {
		t.Errorf("Unmeasured(a run that measured) = %q; want \"\"", got)
	}
	none := []Sample{
		{Case: "1", Model: Serial, Measure: Exact, Verdict: SystemError, Error: "start ./x: no such file"},
		{Case: "1", Model: Pool, Measure: Exact, Verdict: SystemError, Error: "start ./x: no such file"},
		{Case: "1", Model: FireForget, Measure: Exact, Verdict: Accepted},
	}
	if got := Unmeasured(none); got != "start ./x: no such file" {
		t.Errorf("Unmeasured(every judged sample SYSTEM_ERROR) = %q; want the first error", got)
	}
	if got := Unmeasured(nil); got != "" {
		t.Errorf("Unmeasured(nil) = %q; want \"\"", got)
	}
}

func TestVerdictCounts(t *testing.T) {
	tests := []struct {
		in   map[Verdict]int
		want string
	}{
		{nil, "-"},
		{map[Verdict]int{Accepted: 10}, "10 AC"},
		{map[Verdict]int{WrongAnswer: 2, Accepted: 8, SystemError: 1}, "8 AC 2 WA 1 SE"},
		{map[Verdict]int{CPUTimeLimitExceeded: 1, RealTimeLimitExceeded: 0}, "1 TLE"},
	}
	for _, tt := range tests {
		if got := VerdictCounts(tt.in); got != tt.want {
			t.Errorf("VerdictCounts(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
