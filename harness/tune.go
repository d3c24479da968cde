package harness

import (
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// TunePlan is the plan of a tuning sweep over cases: the serial reference,
// then the pool at every parallelism from 1 to maxParallel, pinned and not.
func TunePlan(cases []scenarios.Case, limits sandbox.Limits, maxParallel, repeat int) *Plan {
	par := make([]int, maxParallel)
	for i := range par {
		par[i] = i + 1
	}
	return &Plan{Cases: cases, Limits: limits, Models: []results.Model{results.Serial, results.Pool}, Measures: []results.Measure{results.Exact},
		Parallel: par, GOMAXPROCS: []int{0}, Pin: results.PinBoth, Repeat: max(repeat, 1), Shuffle: true}
}
