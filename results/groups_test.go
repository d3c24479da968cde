package results

import (
	"slices"
	"testing"
	"time"
)

var (
	serialExact  = Key{Model: "serial", Measure: "exact", Parallelism: 1, GOMAXPROCS: 4, Isolation: "process"}
	serialMaxRSS = Key{Model: "serial", Measure: "ru-maxrss", Parallelism: 1, GOMAXPROCS: 4, Isolation: "process"}
	poolExact    = Key{Model: "pool", Measure: "exact", Parallelism: 4, GOMAXPROCS: 4, Isolation: "process"}
	poolMaxRSS   = Key{Model: "pool", Measure: "ru-maxrss", Parallelism: 4, GOMAXPROCS: 4, Isolation: "process"}
	poolRusage   = Key{Model: "pool", Measure: "rusage-children", Parallelism: 4, GOMAXPROCS: 4, Isolation: "process"}
)

// smp returns an accepted sample of case c in group k.
func smp(k Key, c string, cpu, real float64) Sample {
	return Sample{
		Case: c, Model: k.Model, Measure: k.Measure, Parallelism: k.Parallelism,
		GOMAXPROCS: k.GOMAXPROCS, Pinned: k.Pinned, Isolation: k.Isolation,
		CPUTimeMS: cpu, RealTimeMS: real, Verdict: Accepted,
	}
}

// verdict returns s with its verdict and expected verdict set.
func verdict(s Sample, got, expected Verdict) Sample {
	s.Verdict, s.ExpectedVerdict = got, expected
	return s
}

// find returns the group of k in groups.
func find(t *testing.T, groups []Group, k Key) Group {
	t.Helper()
	for _, g := range groups {
		if g.Key == k {
			return g
		}
	}
	t.Fatalf("no group %+v in %+v", k, groups)
	return Group{}
}

func TestComputeGroupsEmpty(t *testing.T) {
	if got := ComputeGroups(nil, nil); got == nil || len(got) != 0 {
		t.Errorf("ComputeGroups(nil, nil) = %#v; want empty, non-nil", got)
	}
}

func TestComputeGroupsOrder(t *testing.T) {
	pinned := serialExact
	pinned.Pinned = true
	two := serialExact
	two.GOMAXPROCS = 2
	in := []Sample{smp(poolExact, "a", 1, 1), smp(pinned, "a", 1, 1), smp(serialExact, "a", 1, 1),
		smp(poolMaxRSS, "a", 1, 1), smp(two, "a", 1, 1)}
	var got []Key
	for _, g := range ComputeGroups(in, nil) {
		got = append(got, g.Key)
	}
	want := []Key{poolExact, poolMaxRSS, two, serialExact, pinned}
	if !slices.Equal(got, want) {
		t.Errorf("ComputeGroups keys = %+v; want %+v", got, want)
	}
}

func TestComputeGroups(t *testing.T) {
	tests := []struct {
		name  string
		in    []Sample
		info  map[Key]GroupInfo
		key   Key
		field string
		get   func(Group) float64
		want  float64
	}{
		{"n", []Sample{smp(poolExact, "a", 1, 1), smp(poolExact, "b", 1, 1)}, nil, poolExact,
			"N", func(g Group) float64 { return float64(g.N) }, 2},
		{"inflation", []Sample{smp(poolExact, "a", 10, 20), smp(poolExact, "b", 10, 30), smp(poolExact, "c", 10, 40)},
			nil, poolExact, "Inflation", func(g Group) float64 { return g.Inflation }, 3},
		{"inflation of zero cpu", []Sample{smp(poolExact, "a", 0, 20)},
			nil, poolExact, "Inflation", func(g Group) float64 { return g.Inflation }, 0},
		{"memory", []Sample{{Model: "m", MemoryBytes: 1 << 20, Verdict: Accepted}, {Model: "m", MemoryBytes: 3 << 20, Verdict: Accepted}},
			nil, Key{Model: "m"}, "MemoryBytes.Median", func(g Group) float64 { return g.MemoryBytes.Median }, 2 << 20},
		// Cases b and c in common: (40+60)/2 over (20+30)/2.
		{"cpu_vs_serial, partial overlap", overlap(), nil, poolExact,
			"CPUVsSerial", func(g Group) float64 { return g.CPUVsSerial }, 2},
		{"cpu_vs_serial of the reference", overlap(), nil, serialExact,
			"CPUVsSerial", func(g Group) float64 { return g.CPUVsSerial }, 1},
		{"cpu_vs_serial, no common case", []Sample{smp(serialExact, "a", 10, 10), smp(poolExact, "b", 10, 10)}, nil, poolExact,
			"CPUVsSerial", func(g Group) float64 { return g.CPUVsSerial }, 0},
		{"cpu_vs_serial, no serial", []Sample{smp(poolExact, "a", 10, 10)}, nil, poolExact,
			"CPUVsSerial", func(g Group) float64 { return g.CPUVsSerial }, 0},
		// No serial/exact: ru-maxrss groups refer to serial/ru-maxrss, rusage-children has none.
		{"cpu_vs_serial of same measure", fallback(), nil, poolMaxRSS,
			"CPUVsSerial", func(g Group) float64 { return g.CPUVsSerial }, 3},
		{"cpu_vs_serial, none of same measure", fallback(), nil, poolRusage,
			"CPUVsSerial", func(g Group) float64 { return g.CPUVsSerial }, 0},
		{"cpu_vs_serial against serial/exact", append(fallback(), smp(serialExact, "a", 5, 5)), nil, poolMaxRSS,
			"CPUVsSerial", func(g Group) float64 { return g.CPUVsSerial }, 6},
		{"verdict flips", flips(), nil, poolExact,
			"VerdictFlips", func(g Group) float64 { return float64(g.VerdictFlips) }, 1},
		{"verdict flips of the reference", flips(), nil, serialExact,
			"VerdictFlips", func(g Group) float64 { return float64(g.VerdictFlips) }, 2},
		{"faults injected", faults(), nil, poolExact,
			"FaultsInjected", func(g Group) float64 { return float64(g.FaultsInjected) }, 3},
		{"faults reported", faults(), nil, poolExact,
			"FaultsReported", func(g Group) float64 { return float64(g.FaultsReported) }, 2},
		{"faults lost", faults(), nil, poolExact,
			"FaultsLost", func(g Group) float64 { return float64(g.FaultsLost) }, 1},
		{"faults injected, info", faults(), map[Key]GroupInfo{poolExact: {FaultsInjected: 5}}, poolExact,
			"FaultsInjected", func(g Group) float64 { return float64(g.FaultsInjected) }, 5},
		{"faults lost, info", faults(), map[Key]GroupInfo{poolExact: {FaultsInjected: 5}}, poolExact,
			"FaultsLost", func(g Group) float64 { return float64(g.FaultsLost) }, 3},
		{"faults lost, info below reported", faults(), map[Key]GroupInfo{poolExact: {FaultsInjected: 1}}, poolExact,
			"FaultsLost", func(g Group) float64 { return float64(g.FaultsLost) }, 0},
		{"faults, info of another group", faults(), map[Key]GroupInfo{serialExact: {FaultsInjected: 9}}, poolExact,
			"FaultsInjected", func(g Group) float64 { return float64(g.FaultsInjected) }, 3},
		{"elapsed", elapsed(), nil, poolExact,
			"ElapsedMS", func(g Group) float64 { return g.ElapsedMS }, 150},
		{"throughput", elapsed(), nil, poolExact,
			"ThroughputCasesPerS", func(g Group) float64 { return g.ThroughputCasesPerS }, 2 / 0.150},
		{"elapsed, info", elapsed(), map[Key]GroupInfo{poolExact: {Elapsed: 2 * time.Second}}, poolExact,
			"ElapsedMS", func(g Group) float64 { return g.ElapsedMS }, 2000},
		{"throughput, info", elapsed(), map[Key]GroupInfo{poolExact: {Elapsed: 2 * time.Second}}, poolExact,
			"ThroughputCasesPerS", func(g Group) float64 { return g.ThroughputCasesPerS }, 1},
		{"throughput of no time", []Sample{smp(poolExact, "a", 0, 0)}, nil, poolExact,
			"ThroughputCasesPerS", func(g Group) float64 { return g.ThroughputCasesPerS }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := find(t, ComputeGroups(tt.in, tt.info), tt.key)
			if got := tt.get(g); !near(got, tt.want) {
				t.Errorf("ComputeGroups(%s).%s = %g; want %g", tt.name, tt.field, got, tt.want)
			}
		})
	}
}

// overlap returns a serial group of cases a, b, c and a pool group of b, c, d.
func overlap() []Sample {
	return []Sample{
		smp(serialExact, "a", 10, 10), smp(serialExact, "b", 20, 20), smp(serialExact, "c", 30, 30),
		smp(poolExact, "b", 40, 40), smp(poolExact, "c", 60, 60), smp(poolExact, "d", 1000, 1000),
	}
}

// fallback returns groups without serial/exact.
func fallback() []Sample {
	return []Sample{
		smp(serialMaxRSS, "a", 10, 10), smp(poolMaxRSS, "a", 30, 30), smp(poolRusage, "a", 30, 30),
	}
}

// flips returns a serial group where case a is mostly WRONG_ANSWER and case b
// is a tie won by ACCEPTED, seen first; the pool group flips b only.
func flips() []Sample {
	return []Sample{
		smp(serialExact, "a", 1, 1),
		verdict(smp(serialExact, "a", 1, 1), WrongAnswer, ""),
		verdict(smp(serialExact, "a", 1, 1), WrongAnswer, ""),
		smp(serialExact, "b", 1, 1),
		verdict(smp(serialExact, "b", 1, 1), WrongAnswer, ""),
		verdict(smp(poolExact, "a", 1, 1), WrongAnswer, ""),
		verdict(smp(poolExact, "a", 1, 1), WrongAnswer, ""),
		smp(poolExact, "b", 1, 1),
		verdict(smp(poolExact, "b", 1, 1), CPUTimeLimitExceeded, ""),
		verdict(smp(poolExact, "b", 1, 1), RuntimeError, ""),
		verdict(smp(poolExact, "c", 1, 1), WrongAnswer, ""), // not in the reference
	}
}

// faults returns three injected faults of which one was lost, and two
// samples without a fault.
// faults returns three samples with injected faults (two reported), and three
// that are no fault: expected ACCEPTED, unknown, and a serial reference.
func faults() []Sample {
	s := []Sample{
		verdict(smp(poolExact, "wa", 1, 1), WrongAnswer, WrongAnswer),
		verdict(smp(poolExact, "wa", 1, 1), Accepted, WrongAnswer),
		verdict(smp(poolExact, "tle", 1, 1), CPUTimeLimitExceeded, RealTimeLimitExceeded),
		verdict(smp(poolExact, "ok", 1, 1), WrongAnswer, Accepted),
		verdict(smp(poolExact, "unknown", 1, 1), WrongAnswer, ""),
	}
	for i := range s {
		s[i].FaultInjected = s[i].ExpectedVerdict != ""
	}
	return append(s, verdict(smp(poolExact, "ref", 1, 1), RuntimeError, RuntimeError))
}

// elapsed returns two samples spanning 0 to 150 ms.
func elapsed() []Sample {
	a, b := smp(poolExact, "a", 1, 100), smp(poolExact, "b", 1, 100)
	a.StartOffsetMS, b.StartOffsetMS = 50, 0
	return []Sample{a, b}
}

func TestReference(t *testing.T) {
	pinned := serialExact
	pinned.Pinned = true
	two := serialExact
	two.GOMAXPROCS = 2
	tests := []struct {
		name string
		in   []Key
		want Key
	}{
		{"largest gomaxprocs", []Key{two, serialExact}, serialExact},
		{"unpinned", []Key{pinned, serialExact}, serialExact},
		{"gomaxprocs before unpinned", []Key{two, pinned}, pinned},
		{"exact before same measure", []Key{serialMaxRSS, two}, two},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []Sample
			for i, k := range tt.in {
				in = append(in, smp(k, "a", float64(i+1), 1)) // distinct: 1 only for the reference
			}
			var got []Key
			for _, g := range ComputeGroups(in, nil) {
				if g.CPUVsSerial == 1 {
					got = append(got, g.Key)
				}
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("reference of %+v = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}
