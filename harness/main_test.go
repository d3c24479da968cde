package harness

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// TestMain lets the test binary pose as `judgebench work` and `judgebench
// worker`, the programs the models start.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "work":
			os.Exit(scenarios.Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
		case "worker":
			if err := Work(context.Background(), os.Stdin, os.Stdout); err != nil {
				fmt.Fprintf(os.Stderr, "judgebench: %v\n", err)
				os.Exit(2)
			}
			os.Exit(0)
		}
	}
	os.Setenv("GORACE", "atexit_sleep_ms=0")
	os.Exit(m.Run())
}

// memSink collects samples.
type memSink struct {
	mu      sync.Mutex
	samples []results.Sample
}

func (s *memSink) Add(x results.Sample) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples = append(s.samples, x)
	return nil
}

// burnCases returns n cases of burn d, then the given faults.
func burnCases(n int, d string, faults ...scenarios.Case) []scenarios.Case {
	var cs []scenarios.Case
	for i := range n {
		cs = append(cs, scenarios.Case{Name: "burn-" + string(rune('a'+i)), Workload: "burn", Args: []string{d}})
	}
	return append(cs, faults...)
}

func fault(name, workload string, args ...string) scenarios.Case {
	return scenarios.Case{Name: name, Workload: workload, Args: args, ExpectVerdict: sandbox.RuntimeError}
}

// runPlan runs p and returns its samples and groups.
func runPlan(t *testing.T, p *Plan) ([]results.Sample, []results.Group) {
	t.Helper()
	p.Measures = defaultTo(p.Measures, []results.Measure{results.Exact})
	p.Parallel = defaultTo(p.Parallel, []int{2})
	p.GOMAXPROCS = defaultTo(p.GOMAXPROCS, []int{0})
	if p.Limits == (sandbox.Limits{}) {
		p.Limits = sandbox.Limits{CPUTime: 5 * time.Second}
	}
	h, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	sink := &memSink{}
	info, err := h.Run(t.Context(), sink)
	if err != nil {
		t.Fatal(err)
	}
	return sink.samples, results.ComputeGroups(sink.samples, info)
}

func defaultTo[T any](v, d []T) []T {
	if len(v) == 0 {
		return d
	}
	return v
}
