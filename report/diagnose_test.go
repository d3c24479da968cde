package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/judgebench/judgebench/results"
)

// group returns a group of the key (model, measure, parallelism, GOMAXPROCS)
// with the fields set changes.
func group(model results.Model, measure results.Measure, par, gmp int, set func(*results.Group)) results.Group {
	g := results.Group{Key: results.Key{Model: model, Measure: measure, Parallelism: par, GOMAXPROCS: gmp}, N: 4,
		Inflation: 1, CPUVsSerial: 1}
	if set != nil {
		set(&g)
	}
	return g
}

// sample returns an exact sample of case c under model at parallelism par.
func sample(c string, model results.Model, par int, verdict results.Verdict) results.Sample {
	return results.Sample{Case: c, Model: model, Measure: results.Exact, Parallelism: par, GOMAXPROCS: 2, Verdict: verdict}
}

func mibBytes(m float64) float64 { return m * (1 << 20) }

func TestDiagnose(t *testing.T) {
	serial := group("serial", "exact", 1, 2, nil)
	twoCores := results.Machine{LogicalCores: 2}
	flipSamples := []results.Sample{
		sample("burn-1", "serial", 1, results.Accepted), sample("burn-2", "serial", 1, results.Accepted),
		sample("burn-3", "serial", 1, results.Accepted), sample("burn-1", "serial", 1, results.Accepted),
		sample("burn-1", "pool", 4, results.RealTimeLimitExceeded), sample("burn-2", "pool", 4, results.Accepted),
		sample("burn-3", "pool", 4, results.RealTimeLimitExceeded), sample("burn-3", "pool", 4, results.Accepted),
	}
	for _, tt := range []struct {
		name string
		run  results.Run
		want string
	}{
		{"gil", results.Run{Groups: []results.Group{serial, group("inproc", "exact", 2, 1, func(g *results.Group) { g.Inflation = 1.98 })}},
			"real_time is 1.98x cpu_time for inproc at GOMAXPROCS=1 with 2 cases at once: cases wait for the scheduler"},
		{"oversubscribed", results.Run{Machine: twoCores, Groups: []results.Group{serial, group("pool", "exact", 4, 2, func(g *results.Group) { g.Inflation = 2.23 })}},
			"real_time is 2.23x cpu_time for pool with 4 cases at once on 2 cores: cases wait for a free CPU"},
		{"quota", results.Run{Machine: results.Machine{LogicalCores: 8, ContainerCPULimit: 1.5}, Groups: []results.Group{group("pool", "exact", 4, 2, func(g *results.Group) { g.Inflation = 1.5 })}},
			"with 4 cases at once on 2 cores"},
		{"waiting", results.Run{Machine: twoCores, Groups: []results.Group{group("pool", "exact", 1, 2, func(g *results.Group) { g.Inflation = 3 })}},
			"real_time is 3.00x cpu_time for pool with 1 case at once: cases wait for something other than a CPU"},
		{"contention", results.Run{Groups: []results.Group{serial, group("pool", "exact", 2, 2, func(g *results.Group) { g.CPUVsSerial = 1.58 })}},
			"cpu_time +58% at parallelism 2 for pool: shared cache or memory bandwidth"},
		{"lost", results.Run{Groups: []results.Group{group("pool-fireforget", "exact", 2, 2, func(g *results.Group) { g.FaultsInjected, g.FaultsLost = 3, 3 })}},
			"pool-fireforget lost 3 of 3 faults"},
		{"lost at one of two", results.Run{Groups: []results.Group{group("pool-firsterr", "exact", 2, 2, nil),
			group("pool-firsterr", "exact", 4, 2, func(g *results.Group) { g.FaultsInjected, g.FaultsReported, g.FaultsLost = 3, 1, 2 })}},
			"pool-firsterr lost 2 of 3 faults at parallelism 4"},
		{"flips", results.Run{Samples: flipSamples, Groups: []results.Group{serial, group("pool", "exact", 4, 2, nil)}},
			"cases burn-1 and burn-3 turn REAL_TIME_LIMIT_EXCEEDED at parallelism 4 under pool"},
		{"rusage-children", results.Run{Groups: []results.Group{serial, group("pool", "exact", 2, 2, nil),
			group("pool", "rusage-children", 2, 2, func(g *results.Group) { g.CPUVsSerial = 2 })}},
			"rusage-children reports 2.00x the CPU time of exact at parallelism 2 under pool: the per-case CPU is a process-wide delta"},
		{"ru-maxrss", results.Run{Groups: []results.Group{
			group("serial", "exact", 1, 2, func(g *results.Group) { g.MemoryBytes.Median = mibBytes(10) }),
			group("serial", "ru-maxrss", 1, 2, func(g *results.Group) { g.MemoryBytes.Median = mibBytes(264.6) })}},
			"ru-maxrss reports 264.6 MiB where exact measures 10.0 MiB under serial: ru_maxrss includes the harness's own peak"},
		{"system error", results.Run{Samples: []results.Sample{{Case: "1", Model: "pool", Verdict: results.SystemError, Error: "exec: no such file"}}},
			"1 sample is SYSTEM_ERROR: the harness could not run it; case 1 under pool: exec: no such file"},
		{"interrupted", results.Run{Interrupted: true, Samples: flipSamples[:3]}, "the run was interrupted"},
		{"groups from samples", results.Run{Samples: []results.Sample{
			{Case: "a", Model: "inproc", Measure: "exact", Parallelism: 2, GOMAXPROCS: 1, CPUTimeMS: 100, RealTimeMS: 200, Verdict: results.Accepted}}},
			"real_time is 2.00x cpu_time for inproc at GOMAXPROCS=1"},
		{"nothing", results.Run{Groups: []results.Group{serial, group("pool", "exact", 2, 2, func(g *results.Group) { g.Inflation, g.CPUVsSerial = 1.29, 1.09 })}},
			"no effect found"},
	} {
		got := Diagnose(&tt.run)
		if !slices.ContainsFunc(got, func(line string) bool { return strings.Contains(line, tt.want) }) {
			t.Errorf("Diagnose(%s) = %q; want a line containing %q", tt.name, got, tt.want)
		}
	}
}

func TestDiagnoseNothingElse(t *testing.T) {
	run := results.Run{Groups: []results.Group{group("serial", "exact", 1, 2, nil),
		group("pool", "exact", 2, 2, func(g *results.Group) { g.Inflation, g.CPUVsSerial = 1.29, 1.09 })}}
	if got, want := Diagnose(&run), []string{noEffect}; !slices.Equal(got, want) {
		t.Errorf("Diagnose(below every threshold) = %q; want %q", got, want)
	}
	if got := Diagnose(nil); got != nil {
		t.Errorf("Diagnose(nil) = %q; want nil", got)
	}
}

// TestDiagnoseOrder checks that lost faults come before waiting, and waiting
// before contention, whatever the group order.
func TestDiagnoseOrder(t *testing.T) {
	run := results.Run{Groups: []results.Group{
		group("a-pool", "exact", 2, 2, func(g *results.Group) { g.Inflation, g.CPUVsSerial = 1.5, 1.2 }),
		group("z-fireforget", "exact", 2, 2, func(g *results.Group) { g.FaultsInjected, g.FaultsLost = 1, 1 }),
	}}
	got := Diagnose(&run)
	want := []string{"lost", "real_time is", "cpu_time +20%"}
	if len(got) != len(want) {
		t.Fatalf("Diagnose(order) = %q; want %d lines", got, len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("Diagnose(order)[%d] = %q; want it to contain %q", i, got[i], want[i])
		}
	}
}

func TestCaseList(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{[]string{"a"}, "case a"},
		{[]string{"a", "b"}, "cases a and b"},
		{[]string{"a", "b", "c"}, "cases a, b and c"},
		{[]string{"a", "b", "c", "d", "e", "f", "g"}, "cases a, b, c, d, e and 2 more"},
	} {
		if got := caseList(tt.in); got != tt.want {
			t.Errorf("caseList(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
