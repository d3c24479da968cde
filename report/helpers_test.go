package report

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/judgebench/judgebench/results"
)

// fixtures are the committed runs under testdata, by name.
var fixtures = []string{"gil", "lost-errors"}

// readFixture reads testdata/NAME/run.json.
func readFixture(t testing.TB, name string) Input {
	t.Helper()
	run, err := results.Read(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Input{Name: name, Run: run}
}

// synthGroup describes one group of a synthetic run.
type synthGroup struct {
	model      results.Model
	par, gmp   int
	cpu, real  float64         // ms, the median a case takes
	verdict    results.Verdict // of every case; "" for ACCEPTED
	memory     int64
	measure    results.Measure // "" for exact
	injectEach int             // every injectEach'th case carries an injected fault; 0: none
}

// synthRun returns a run of n samples spread over groups, with its groups
// computed, deterministic for a seed.
func synthRun(n int, seed uint64, groups ...synthGroup) *results.Run {
	rng := rand.New(rand.NewPCG(seed, 1))
	var samples []results.Sample
	per := n / len(groups)
	for _, g := range groups {
		free := make([]float64, g.par) // when each slot is free, ms
		for i := range per {
			slot := i % g.par
			s := results.Sample{
				Case: fmt.Sprintf("case-%d", i%500), Model: g.model, Measure: or(g.measure, results.Exact),
				Parallelism: g.par, GOMAXPROCS: g.gmp, Repeat: i / 500, Worker: slot, Seq: i % 500,
				CPUTimeMS: g.cpu * (0.95 + 0.1*rng.Float64()), RealTimeMS: g.real * (0.9 + 0.2*rng.Float64()),
				MemoryBytes: g.memory, Verdict: or(g.verdict, results.Accepted),
			}
			if g.injectEach > 0 && i%g.injectEach == 0 {
				s.ExpectedVerdict, s.FaultInjected = results.RuntimeError, true
			}
			s.StartOffsetMS = free[slot]
			free[slot] += s.RealTimeMS + 0.1
			samples = append(samples, s)
		}
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &results.Run{
		Schema: results.Schema, Target: "synthetic", StartedAt: start, FinishedAt: start.Add(time.Minute),
		Machine: results.Machine{CPUModel: "Test CPU", LogicalCores: 4, PhysicalCores: 4, Kernel: "6.1",
			GoVersion: "go1.26", CgroupVersion: "v2"},
		Samples: samples,
		Groups:  results.ComputeGroups(samples, nil),
	}
}

func or[T ~string](s, def T) T {
	if s == "" {
		return def
	}
	return s
}

// benchGroups are 12 groups: a serial reference, pool, process and an
// inproc GOMAXPROCS sweep, some oversubscribed, one with lost faults.
var benchGroups = []synthGroup{
	{model: "serial", par: 1, gmp: 4, cpu: 100, real: 101, memory: 8 << 20},
	{model: "pool", par: 2, gmp: 4, cpu: 102, real: 104, memory: 8 << 20},
	{model: "pool", par: 4, gmp: 4, cpu: 110, real: 115, memory: 8 << 20},
	{model: "pool", par: 8, gmp: 4, cpu: 112, real: 230, memory: 8 << 20},
	{model: "process", par: 2, gmp: 4, cpu: 103, real: 108, memory: 9 << 20},
	{model: "process", par: 4, gmp: 4, cpu: 111, real: 118, memory: 9 << 20},
	{model: "process", par: 8, gmp: 4, cpu: 113, real: 240, memory: 9 << 20},
	{model: "inproc", par: 2, gmp: 1, cpu: 100, real: 199},
	{model: "inproc", par: 2, gmp: 2, cpu: 100, real: 101},
	{model: "inproc", par: 4, gmp: 1, cpu: 100, real: 398},
	{model: "inproc", par: 4, gmp: 4, cpu: 100, real: 102},
	{model: "pool-fireforget", par: 4, gmp: 4, cpu: 100, real: 103, injectEach: 50},
}
