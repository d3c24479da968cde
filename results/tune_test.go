package results

import (
	"slices"
	"strings"
	"testing"
)

// sweep makes a tuning run: 4 cases, 5 samples each, serial at 100 ms, and
// the pool at each parallelism with the CPU ratio, inflation and verdicts
// given.
type levelSpec struct {
	par       int
	pinned    bool
	ratio     float64
	inflation float64
	flip      bool
}

func sweep(levels ...levelSpec) *Run {
	var samples []Sample
	add := func(model Model, par int, pinned bool, cpu, real float64, verdict Verdict) {
		for c := range 4 {
			for rep := range 5 {
				jitter := float64(rep%3-1) * 0.5
				samples = append(samples, Sample{Case: "c" + string(rune('0'+c)), Model: model, Measure: Exact,
					Parallelism: par, Pinned: pinned, Repeat: rep, CPUTimeMS: cpu + jitter, RealTimeMS: real + jitter, Verdict: verdict})
			}
		}
	}
	add(Serial, 1, false, 100, 100, Accepted)
	for _, l := range levels {
		v := Accepted
		if l.flip {
			v = CPUTimeLimitExceeded
		}
		add(Pool, l.par, l.pinned, 100*l.ratio, 100*l.ratio*l.inflation, v)
	}
	return &Run{Samples: samples, Groups: ComputeGroups(samples, nil)}
}

func TestTune(t *testing.T) {
	tests := []struct {
		name   string
		levels []levelSpec
		want   int
		pinned bool
		reason string
	}{
		{"two CPUs' worth", []levelSpec{{1, false, 1, 1, false}, {2, false, 1.01, 1.02, false}, {3, false, 1.01, 1.5, false}}, 2, false,
			"parallelism 3 rejected: inflation is 1.50"},
		{"contention", []levelSpec{{1, false, 1, 1, false}, {2, false, 1.3, 1, false}}, 1, false,
			"parallelism 2 rejected: cpu_vs_serial is 1.30"},
		{"verdicts flip", []levelSpec{{1, false, 1, 1, false}, {2, false, 1, 1, true}}, 1, false,
			"cases change verdict"},
		{"all safe", []levelSpec{{1, false, 1, 1, false}, {2, false, 1, 1, false}}, 2, false,
			"every parallelism swept is safe"},
		{"pinning helps", []levelSpec{{1, false, 1, 1, false}, {2, false, 1.3, 1, false}, {1, true, 1, 1, false}, {2, true, 1.01, 1, false}}, 2, true,
			"every parallelism swept is safe"},
		{"nothing safe", []levelSpec{{1, false, 1.3, 1, false}}, 0, false,
			"no parallelism is safe: at 1, cpu_vs_serial is 1.30"},
		{"a safe level above an unsafe one does not count", []levelSpec{{1, false, 1, 1, false}, {2, false, 1, 1.5, false}, {3, false, 1, 1, false}}, 1, false,
			"parallelism 2 rejected"},
	}
	for _, tt := range tests {
		got, err := Tune(sweep(tt.levels...), TuneOptions{Tolerance: 0.05})
		if err != nil {
			t.Fatalf("%s: Tune = %v", tt.name, err)
		}
		if got.Recommended != tt.want || got.Safe != (tt.want > 0) || got.Pinned != tt.pinned || !strings.Contains(got.Reason, tt.reason) {
			t.Errorf("%s: Tune = %d (pinned %v), %q; want %d (pinned %v), a reason with %q",
				tt.name, got.Recommended, got.Pinned, got.Reason, tt.want, tt.pinned, tt.reason)
		}
	}
}

func TestTuneInterval(t *testing.T) {
	got, _ := Tune(sweep(levelSpec{1, false, 1, 1, false}, levelSpec{2, false, 1.02, 1, false}), TuneOptions{Tolerance: 0.05})
	l := got.Levels[1]
	if l.Lo == nil || l.CPUVsSerial < 1.01 || l.CPUVsSerial > 1.03 || *l.Lo > l.CPUVsSerial || *l.Hi < l.CPUVsSerial || *l.Hi > 1.05 {
		t.Errorf("level 2: cpu_vs_serial %.3f in %v..%v; want about 1.02 inside a tight interval", l.CPUVsSerial, l.Lo, l.Hi)
	}
}

func TestTuneNeedsSerial(t *testing.T) {
	run := sweep(levelSpec{1, false, 1, 1, false})
	var pool []Sample
	for _, s := range run.Samples {
		if s.Model == Pool {
			pool = append(pool, s)
		}
	}
	if _, err := Tune(&Run{Samples: pool, Groups: ComputeGroups(pool, nil)}, TuneOptions{Tolerance: 0.05}); err == nil {
		t.Errorf("Tune(no serial) = nil error; want one")
	}
}

// TestTuneInflationAgainstSerial: a workload that waits (sleeps) has a high
// inflation even alone; only inflation beyond serial's counts.
func TestTuneInflationAgainstSerial(t *testing.T) {
	run := sweep(levelSpec{1, false, 1, 1, false})
	for i := range run.Samples { // every case waits 5x its CPU time, serial too
		run.Samples[i].RealTimeMS = 5 * run.Samples[i].CPUTimeMS
	}
	run.Groups = ComputeGroups(run.Samples, nil)
	got, err := Tune(run, TuneOptions{Tolerance: 0.05})
	if err != nil || !got.Safe || got.Recommended != 1 {
		t.Errorf("Tune(sleeping cases) = %+v, %v; want 1, safe: the waiting is the program's, not contention", got, err)
	}
}

// TestTuneCap: however the numbers look, never more cases at once than CPUs.
func TestTuneCap(t *testing.T) {
	run := sweep(levelSpec{1, false, 1, 1, false}, levelSpec{2, false, 1, 1, false}, levelSpec{3, false, 1, 1, false})
	run.Machine.LogicalCores = 2
	got, err := Tune(run, TuneOptions{Tolerance: 0.05})
	if err != nil || got.Recommended != 2 || !strings.Contains(got.Reason, "capped at the machine's 2 CPUs") {
		t.Errorf("Tune(3 safe levels on 2 CPUs) = %+v, %v; want 2, capped", got, err)
	}
	run.Machine.ContainerCPULimit = 1.5
	if got, _ := Tune(run, TuneOptions{Tolerance: 0.05}); got.Recommended != 1 {
		t.Errorf("Tune(3 safe levels under a 1.5 CPU quota) = %d; want 1", got.Recommended)
	}
	// A judge on other hosts: this machine's CPUs are not its.
	run.Machine.Judge = &JudgeInfo{Executor: "go-judge", Remote: true}
	if got, _ := Tune(run, TuneOptions{Tolerance: 0.05}); got.Recommended != 3 {
		t.Errorf("Tune(3 safe levels through a remote judge) = %d; want 3", got.Recommended)
	}
}

// TestTuneFloor: cases of a few ms may cost a fraction more side by side
// that no judge could notice; the floor lets them pass, and the limit
// applied is recorded.
func TestTuneFloor(t *testing.T) {
	run := sweep(levelSpec{1, false, 1, 1, false}, levelSpec{2, false, 1.2, 1, false})
	for i := range run.Samples { // cases of 3 ms: +20% is 0.6 ms
		run.Samples[i].CPUTimeMS *= 0.03
		run.Samples[i].RealTimeMS *= 0.03
	}
	run.Groups = ComputeGroups(run.Samples, nil)
	if got, _ := Tune(run, TuneOptions{Tolerance: 0.05}); got.Recommended != 1 {
		t.Errorf("Tune(+20%% on 3 ms cases, no floor) = %d; want 1", got.Recommended)
	}
	got, err := Tune(run, TuneOptions{Tolerance: 0.05, Floor: 1})
	if err != nil || got.Recommended != 2 || got.CPULimit < 1.3 || got.CPULimit > 1.4 || got.FloorMS != 1 {
		t.Errorf("Tune(+20%% on 3 ms cases, floor 1 ms) = %+v, %v; want 2, a CPU limit of about 1.33", got, err)
	}
}

// TestTuneUndecided: a level whose interval holds the limit is undecided:
// it is not recommended, and the samples say so.
func TestTuneUndecided(t *testing.T) {
	run := sweep(levelSpec{1, false, 1, 1, false}, levelSpec{2, false, 1, 1, false})
	for i := range run.Samples { // pool at 2: half its samples 10% slower
		if s := &run.Samples[i]; s.Parallelism == 2 && s.Model == Pool && s.Repeat%2 == 0 {
			s.CPUTimeMS *= 1.1
		}
	}
	run.Groups = ComputeGroups(run.Samples, nil)
	got, err := Tune(run, TuneOptions{Tolerance: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	u := got.Undecided()
	if len(u) != 1 || u[0].Parallelism != 2 || got.Recommended != 1 || !strings.Contains(got.Reason, "undecided") {
		t.Errorf("Tune(level 2 straddling the limit) = %+v; want 1, level 2 undecided", got)
	}
	if got.InflationLimit != MaxInflation || len(got.Warnings) != 0 {
		t.Errorf("Tune() limits = inflation %v, warnings %q; want %v, none", got.InflationLimit, got.Warnings, MaxInflation)
	}
	run.Machine.DoctorWarnings = []string{"load: 5.1 on 2 CPUs (1-minute average): other work", "swap: none"}
	if got, _ := Tune(run, TuneOptions{Tolerance: 0.05}); len(got.Warnings) != 1 || !strings.HasPrefix(got.Warnings[0], "load:") {
		t.Errorf("Tune() on a loaded machine: warnings %q; want the load", got.Warnings)
	}
}

// TestTuneUndecidedThatMatter: levels above the CPUs, or above a level shown
// unsafe, are never recommended: no need to sample them again.
func TestTuneUndecidedThatMatter(t *testing.T) {
	run := sweep(levelSpec{1, false, 1, 1, false}, levelSpec{2, false, 1.3, 1, false}, levelSpec{3, false, 1, 1, false},
		levelSpec{1, true, 1, 1, false}, levelSpec{2, true, 1, 1, false}, levelSpec{3, true, 1, 1, false})
	for i := range run.Samples { // 3, pinned or not, straddles the limit
		if s := &run.Samples[i]; s.Parallelism == 3 && s.Model == Pool && s.Repeat%2 == 0 {
			s.CPUTimeMS *= 1.1
		}
	}
	run.Groups = ComputeGroups(run.Samples, nil)
	got, _ := Tune(run, TuneOptions{Tolerance: 0.05})
	if u := got.Undecided(); len(u) != 1 || u[0].Parallelism != 3 || !u[0].Pinned {
		t.Errorf("Undecided() = %+v; want only 3 pinned: 3 unpinned sits above the unsafe 2", u)
	}
	run.Machine.LogicalCores = 2
	if got, _ := Tune(run, TuneOptions{Tolerance: 0.05}); len(got.Undecided()) != 0 {
		t.Errorf("Undecided() on 2 CPUs = %+v; want none: 3 at once is never recommended there", got.Undecided())
	}
}

// TestCandidates: each placement of pinned slots is a candidate of its own,
// climbed apart; the highest safe one is recommended with its placement, and
// a level above an unsafe one of the same candidate is not left undecided.
func TestCandidates(t *testing.T) {
	l := func(p int, pinned bool, placement string, ok, decided bool) Level {
		return Level{Parallelism: p, Pinned: pinned, Placement: placement, OK: ok, Decided: decided, Why: "why"}
	}
	tu := &Tuning{CPUs: 8, Levels: []Level{
		l(1, false, "", true, true), l(1, true, "packed", true, true), l(1, true, "spread", true, true),
		l(2, false, "", true, true), l(2, true, "packed", false, true), l(2, true, "spread", true, true),
		l(4, false, "", false, true), l(4, true, "packed", false, false), l(4, true, "spread", true, true),
		l(8, false, "", false, false), l(8, true, "spread", false, true),
	}}
	if got, want := tu.Candidates(), []Candidate{{false, ""}, {true, "packed"}, {true, "spread"}}; !slices.Equal(got, want) {
		t.Errorf("Candidates = %v; want %v", got, want)
	}
	tu.recommend()
	if tu.Recommended != 4 || !tu.Pinned || tu.Placement != "spread" || !strings.Contains(tu.Reason, "parallelism 8 (pinned) rejected") {
		t.Errorf("recommend = %d, pinned %v, placement %q, %q; want 4 pinned spread, 8 rejected", tu.Recommended, tu.Pinned, tu.Placement, tu.Reason)
	}
	// Unpinned 8 is undecided above its unsafe 4; packed 4 above its unsafe 2.
	if u := tu.Undecided(); len(u) != 0 {
		t.Errorf("Undecided = %+v; want none", u)
	}
	tu.Configure(map[string][]int{"": {0, 1, 2, 3, 4, 5, 6, 7}, "spread": {0, 2, 4, 6, 1, 3, 5, 7}, "packed": {0, 1, 2, 3, 4, 5, 6, 7}})
	if !slices.Equal(tu.CPUList, []int{0, 2, 4, 6}) || tu.Configurations[1].Config != "box0.cpus = 0\nbox1.cpus = 2\nbox2.cpus = 4\nbox3.cpus = 6" {
		t.Errorf("Configure: cpu_list %v, isolate %q; want spread's first 4, a box each", tu.CPUList, tu.Configurations[1].Config)
	}
}
