package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// burnScenario is a scenario of 6 cases that each burn cpu of CPU time,
// run serially twice. The CPU limit leaves room beyond the default 1s: under
// emulation a child's start-up (50 to 200ms, at times more) and the slow
// burn's 560ms once crossed it.
func burnScenario(t *testing.T, dir, name, cpu string) string {
	t.Helper()
	return writeFile(t, dir, name+".yaml", `name: `+name+`
workload: burn
args: [`+cpu+`]
limits: {cpu_time: 5s}
cases:
  - {name: burn, count: 6}
models: [serial]
parallel: [1]
repeat: 2
`)
}

// burnFast and burnSlow are CPU times twice apart or more. A child spends CPU
// starting up (some 9ms for the cgo-linked test binary, which dilutes 20ms
// against 26ms to +20%: too close to the threshold when other packages'
// tests load the machine), a race-instrumented one some 25ms (give or take
// 5): under the race detector they are longer. With the race-instrumented
// tests of other packages beside it, 60ms against 84ms once read +28% with
// p=0.31 (twelve samples a side, a few of the fast ones inflated by the
// load): hence twice. On a slower machine a race-instrumented child spent
// some 120ms starting up: 60ms against 120ms read 180ms against 233ms
// (+32%, p=0.00004, but the interval's low end at +4.8%, under the 5%
// threshold): hence three times under the race detector.
// On an emulated CPU a child spends 50 to 200ms starting up, unevenly (100ms
// against 130ms read 222ms against 237ms, spread over 90ms), at times 340ms
// (400ms against 560ms read 510 to 744ms against 675 to 828ms, p=0.015):
// further apart still.
var burnFast, burnSlow = "40ms", "80ms"

func init() {
	switch {
	case emulated() != "":
		burnFast, burnSlow = "300ms", "700ms"
	case raceEnabled:
		burnFast, burnSlow = "60ms", "180ms"
	}
}

// realRun runs scenario into dir/name and returns the run directory.
func realRun(t *testing.T, dir, name, scenario string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	if r := runCLI(t, "run", scenario, "--out", out, "--quiet"); r.code != 0 {
		t.Fatalf("run %s = %d, stderr %q, failures: %s", name, r.code, r.stderr, failures(out))
	}
	return out
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	base := realRun(t, dir, "base", burnScenario(t, dir, "fast", burnFast))
	again := realRun(t, dir, "again", burnScenario(t, dir, "fast", burnFast))
	slow := realRun(t, dir, "slow", burnScenario(t, dir, "slow", burnSlow))

	// A run against itself: nothing changed, exactly.
	r := runCLI(t, "compare", base, filepath.Join(base, "run.json"))
	if r.code != 0 || !strings.Contains(r.stdout, "verdict: no regression (1 group compared)\n") ||
		!strings.Contains(r.stdout, " +0.0% [") || !strings.Contains(r.stdout, "p=1.000   6 cases, 12+12  ~\n") || r.stderr != "" {
		t.Errorf("compare BASE BASE = %d, stdout %q, stderr %q; want 0, no regression, +0.0%% and ~ with p=1", r.code, r.stdout, r.stderr)
	}
	// The same program twice. Other work on a shared test machine moves the
	// medians of a run by several percent, and real time by as much as the
	// load wants (32ms against 66ms at a load of 7 on 2 cores): the threshold
	// leaves room for the CPU time and memory, and real time is not gated.
	r = runCLI(t, "compare", base, again, "--threshold", "25%", "--metrics", "cpu_time,memory")
	if r.code != 0 || !strings.Contains(r.stdout, "verdict: no regression") {
		t.Errorf("compare BASE AGAIN = %d, stdout %q, stderr %q; want 0, no regression", r.code, r.stdout, r.stderr)
	}
	// The program slower (see burnSlow).
	r = runCLI(t, "compare", base, slow)
	if r.code != 1 || !strings.Contains(r.stdout, "verdict: regression in 1 group: serial/exact/") ||
		!strings.Contains(r.stdout, " cpu_time +") || !strings.Contains(r.stdout, "REGRESSION") {
		t.Errorf("compare BASE SLOW = %d, stdout %q, stderr %q; want 1, a regression of serial/exact cpu_time", r.code, r.stdout, r.stderr)
	}
	// The other way round, it is an improvement.
	r = runCLI(t, "compare", slow, base)
	if r.code != 0 || !strings.Contains(r.stdout, "improvement") || !strings.Contains(r.stdout, "verdict: no regression") {
		t.Errorf("compare SLOW BASE = %d, stdout %q; want 0, an improvement", r.code, r.stdout)
	}
	// A slower program with a different argument is another setting: warned.
	if !strings.Contains(r.stderr, "judgebench: warning: the runs have different settings: target ") {
		t.Errorf("compare SLOW BASE: stderr %q; want a warning about the targets", r.stderr)
	}
}

func TestCompareJSON(t *testing.T) {
	dir := t.TempDir()
	base := realRun(t, dir, "base", burnScenario(t, dir, "fast", burnFast))
	slow := realRun(t, dir, "slow", burnScenario(t, dir, "slow", burnSlow))
	r := runCLI(t, "compare", base, slow, "--json", "--alpha", "0.01")
	var got struct {
		Threshold, Alpha float64
		Groups           []struct {
			Model   string `json:"model"`
			Metrics map[string]struct {
				Base struct {
					Median *float64 `json:"median"`
					N      int      `json:"n"`
				} `json:"base"`
				ChangePct   *float64 `json:"change_pct"`
				ChangeLoPct *float64 `json:"change_lo_pct"`
				ChangeHiPct *float64 `json:"change_hi_pct"`
				P           float64  `json:"p"`
				PAdjusted   float64  `json:"p_adjusted"`
				Method      string   `json:"method"`
				Significant bool     `json:"significant"`
				Regression  bool     `json:"regression"`
			} `json:"metrics"`
		}
		Regressions, Warnings []string
		Verdict               string
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("compare --json printed %q: %v", r.stdout, err)
	}
	if r.code != 1 || got.Threshold != 0.05 || got.Alpha != 0.01 || got.Verdict != "regression" || len(got.Groups) != 1 {
		t.Fatalf("compare --json = %d, %s; want 1, threshold 0.05, alpha 0.01, regression in 1 group", r.code, r.stdout)
	}
	cpu := got.Groups[0].Metrics["cpu_time_ms"]
	if cpu.Base.N != 12 || cpu.Base.Median == nil || cpu.ChangePct == nil || *cpu.ChangePct < 5 || !cpu.Significant || !cpu.Regression ||
		cpu.P >= 0.01 || cpu.PAdjusted < cpu.P || cpu.PAdjusted >= 0.01 || cpu.Method != "van Elteren, exact" ||
		cpu.ChangeLoPct == nil || cpu.ChangeHiPct == nil || !(5 < *cpu.ChangeLoPct && *cpu.ChangeLoPct <= *cpu.ChangePct && *cpu.ChangePct <= *cpu.ChangeHiPct) {
		t.Errorf("compare --json cpu_time_ms = %+v; want 12 samples, a significant increase whose interval lies above 5%%", cpu)
	}
	if len(got.Regressions) == 0 || !strings.HasPrefix(got.Regressions[0], "serial/exact/") || !strings.Contains(got.Regressions[0], " cpu_time +") {
		t.Errorf("compare --json regressions %q; want serial/exact/... cpu_time +x%%", got.Regressions)
	}
	if len(got.Warnings) == 0 || !strings.Contains(r.stderr, "judgebench: warning: ") {
		t.Errorf("compare --json warnings %q, stderr %q; want the different targets, in both", got.Warnings, r.stderr)
	}
}

func TestCompareBadInput(t *testing.T) {
	dir := t.TempDir()
	base := realRun(t, dir, "base", burnScenario(t, dir, "fast", "1ms"))
	pool := realRun(t, dir, "pool", writeFile(t, dir, "pool.yaml", "name: pool\nworkload: burn\nargs: [1ms]\ncases: [{name: a}]\nmodels: [pool]\nparallel: [1]\n"))
	empty := writeFile(t, t.TempDir(), "run.json", "")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"compare", base, filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"compare", empty, base}, "empty file"},
		{[]string{"compare", base}, "want two runs"},
		{[]string{"compare"}, "want two runs"},
		{[]string{"compare", base, base, base}, "want two runs"},
		{[]string{"compare", base, base, "--threshold", "abc"}, "--threshold"},
		{[]string{"compare", base, base, "--threshold", "-5%"}, "--threshold"},
		{[]string{"compare", base, base, "--alpha", "2"}, "--alpha 2"},
		{[]string{"compare", base, base, "--alpha", "0"}, "--alpha 0"},
		{[]string{"compare", base, base, "--alpha", "x"}, "--alpha"},
		{[]string{"compare", base, pool}, "no groups in common: " + base + " has serial/exact/p=1/"},
	}
	for _, tt := range tests {
		r := runCLI(t, tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("judgebench %q = %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
			continue
		}
		checkOneLineError(t, tt.args, r)
	}
}

func TestFractionFlag(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"5%", 0.05, true}, {"5", 0.05, true}, {"0.5%", 0.005, true}, {"0", 0, true}, {"150%", 1.5, true},
		{"-5%", 0, false}, {"abc", 0, false}, {"%", 0, false}, {"", 0, false}, {"NaN", 0, false}, {"Inf%", 0, false},
	}
	for _, tt := range tests {
		var f fractionFlag
		err := f.Set(tt.in)
		if (err == nil) != tt.ok || tt.ok && math.Abs(float64(f)-tt.want) > 1e-12 {
			t.Errorf("fractionFlag.Set(%q) = %v, %v; want %v, ok %v", tt.in, float64(f), err, tt.want, tt.ok)
		}
	}
}

// TestMetricsFlag: --metrics takes only the metrics there are.
func TestMetricsFlag(t *testing.T) {
	r := runCLI(t, "compare", "a", "b", "--metrics", "speed")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown metric "speed"`) {
		t.Errorf("compare --metrics speed = %d, %q; want 2 naming the metric", r.code, r.stderr)
	}
	if r := runCLI(t, "compare", "a", "b", "--metrics="); r.code != 2 || !strings.Contains(r.stderr, "no metric given") {
		t.Errorf("compare --metrics= = %d, %q; want 2: nothing could fail", r.code, r.stderr)
	}
}
