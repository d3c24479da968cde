package harness

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// TunePlan is the plan of the first pass of a tuning sweep over cases: the
// serial reference, then the pool pinned and not at 1, 2, 4, 8, ... and
// maxParallel. The Tuner fills in the levels between where the answer lies
// (see bisect), so that a machine of many CPUs is not swept level by level.
func TunePlan(cases []scenarios.Case, limits sandbox.Limits, maxParallel, repeat int) *Plan {
	var par []int
	for n := 1; n < maxParallel; n *= 2 {
		par = append(par, n)
	}
	par = append(par, max(maxParallel, 1))
	return &Plan{Cases: cases, Limits: limits, Models: []results.Model{results.Serial, results.Pool},
		Measures: []results.Measure{results.Exact}, Parallel: par, GOMAXPROCS: []int{0}, Pin: results.PinBoth,
		Repeat: max(repeat, 1), Shuffle: true}
}

// Tuner is a tuning sweep as a [Job]: it runs its plan (a TunePlan), decides
// with results.Tune, and runs again the levels the samples left undecided,
// with the serial reference, until every level is decided or its time
// budget would run out.
type Tuner struct {
	plan    *Plan
	options results.TuneOptions
	budget  time.Duration
	first   *Harness // for the first pass, made at once: it checks the plan
	machine results.Machine
	// orders are the worker CPUs by placement, in the order pinned slots
	// take them ("": every one, for unpinned cases), of the whole plan: a
	// later pass samples fewer placements.
	orders map[string][]int
	// Tuning is the decision on every sample, once Run has returned.
	Tuning *results.Tuning
	// Passes is how many passes Run made.
	Passes int
}

// NewTuner prepares a tuning sweep of plan, deciding with o, that runs more
// passes only while the next fits in budget (counted from Run's start).
// Close releases it.
func NewTuner(plan *Plan, o results.TuneOptions, budget time.Duration) (*Tuner, error) {
	h, err := New(plan)
	if err != nil {
		return nil, err
	}
	orders := map[string][]int{"": h.cpus}
	for s, order := range h.orders {
		orders[string(s)] = order
	}
	return &Tuner{plan: plan, options: o, budget: budget, first: h, machine: h.Machine(), orders: orders}, nil
}

// Close releases what the first pass holds, if it has not run.
func (t *Tuner) Close() error {
	if t.Passes > 0 {
		return nil
	}
	return t.first.Close()
}

// Machine describes this host and the sandbox of the first pass.
func (t *Tuner) Machine() results.Machine { return t.machine }

// Run runs the passes; see [Tuner].
func (t *Tuner) Run(ctx context.Context, sink Sink) (map[results.Key]results.GroupInfo, error) {
	keep := &keepSink{next: sink}
	info := map[results.Key]results.GroupInfo{}
	deadline := time.Now().Add(t.budget)
	plan, h := t.plan, t.first
	for {
		start := time.Now()
		got, err := h.Run(ctx, keep)
		h.Close()
		t.Passes++
		for k, gi := range got {
			sum := info[k]
			sum.FaultsInjected += gi.FaultsInjected
			sum.Elapsed += gi.Elapsed
			info[k] = sum
		}
		if err != nil {
			return info, err
		}
		run := &results.Run{Samples: keep.all(), Machine: t.machine}
		if cause := results.Unmeasured(run.Samples); cause != "" {
			return info, fmt.Errorf("harness: tune: nothing could be measured: %s", cause)
		}
		run.Groups = results.ComputeGroups(run.Samples, info)
		if t.Tuning, err = results.Tune(run, t.options); err != nil {
			return info, err
		}
		t.Tuning.Passes = t.Passes
		t.Tuning.Configure(t.orders)
		todo := append(t.Tuning.Undecided(), bisect(t.Tuning)...)
		if len(todo) == 0 {
			return info, nil
		}
		next := narrow(plan, todo, t.Passes)
		took := time.Since(start) * time.Duration(len(next.settings())) / time.Duration(max(len(plan.settings()), 1))
		if time.Now().Add(took).After(deadline) {
			return info, nil
		}
		if h, err = New(next); err != nil {
			return info, err
		}
		plan = next
	}
}

// bisect returns the levels to sample next between the highest safe level
// of the climb (by pinning) and the first level above it shown unsafe: the
// one halfway, never above the machine's CPUs (no more is recommended). None
// when they are next to each other, or when that level is undecided (more
// samples of it come first).
func bisect(t *results.Tuning) []results.Level {
	var out []results.Level
	for _, cand := range t.Candidates() {
		safe, unsafe, undecided := 0, 0, false
		for _, l := range t.Levels {
			if l.Candidate() != cand {
				continue
			}
			if !l.OK {
				unsafe, undecided = l.Parallelism, !l.Decided
				break
			}
			safe = l.Parallelism
		}
		if t.CPUs > 0 && (unsafe == 0 || unsafe > t.CPUs+1) {
			unsafe, undecided = t.CPUs+1, false // a level above the CPUs is never recommended
		}
		if safe == 0 || undecided || unsafe <= safe+1 {
			continue
		}
		mid := (safe + unsafe) / 2
		if !slices.ContainsFunc(t.Levels, func(l results.Level) bool { return l.Parallelism == mid && l.Candidate() == cand }) {
			out = append(out, results.Level{Parallelism: mid, Pinned: cand.Pinned, Placement: cand.Placement})
		}
	}
	return out
}

// narrow is the plan of pass number pass+1 after plan: the serial reference
// and the levels given (undecided, or new), numbered as repetitions after plan's.
func narrow(plan *Plan, undecided []results.Level, pass int) *Plan {
	next := *plan
	next.Parallel = nil
	var pinned []bool
	next.Placements = nil
	for _, l := range undecided {
		if !slices.Contains(next.Parallel, l.Parallelism) {
			next.Parallel = append(next.Parallel, l.Parallelism)
		}
		pinned = append(pinned, l.Pinned)
		if s := host.Strategy(l.Placement); l.Pinned && !slices.Contains(next.Placements, s) {
			next.Placements = append(next.Placements, s)
		}
	}
	slices.Sort(next.Parallel)
	next.Pin = results.PinOf(pinned)
	next.FirstRepeat = plan.FirstRepeat + max(plan.Repeat, 1)
	next.Seed = plan.Seed + int64(pass)
	return &next
}

// keepSink passes samples on and keeps them; it is safe for concurrent use.
type keepSink struct {
	next    Sink
	mu      sync.Mutex
	samples []results.Sample
}

func (k *keepSink) Add(s results.Sample) error {
	k.mu.Lock()
	k.samples = append(k.samples, s)
	k.mu.Unlock()
	return k.next.Add(s)
}

// all returns a copy of the samples kept.
func (k *keepSink) all() []results.Sample {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.samples)
}
