package harness

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// TestTuner: a sweep whose levels the first pass cannot decide (one sample
// per case gives no interval) samples them again, its repetitions numbered
// on, until the budget would run out.
func TestTuner(t *testing.T) {
	plan := TunePlan(burnCases(3, "2ms"), sandbox.Limits{CPUTime: 5 * time.Second}, 2, 1)
	tuner, err := NewTuner(plan, results.TuneOptions{Tolerance: 0.05, Floor: 1}, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer tuner.Close()
	sink := &memSink{}
	if _, err := tuner.Run(t.Context(), sink); err != nil {
		t.Fatal(err)
	}
	if tuner.Passes < 2 || tuner.Tuning == nil || tuner.Tuning.Passes != tuner.Passes {
		t.Fatalf("Tuner.Run: %d passes, tuning %+v; want a second pass for the undecided levels", tuner.Passes, tuner.Tuning)
	}
	repeats := map[int]bool{}
	for _, s := range sink.samples {
		if s.Model == results.Serial {
			repeats[s.Repeat] = true
		}
	}
	if len(repeats) != tuner.Passes {
		t.Errorf("serial samples have repetitions %v; want one per pass (%d), numbered on", repeats, tuner.Passes)
	}
	for _, l := range tuner.Tuning.Levels {
		if l.N < 3 {
			t.Errorf("level %+v: fewer samples than cases", l)
		}
	}
}

// TestTunePlanLevels: the first pass samples 1, 2, 4, ... and the highest.
func TestTunePlanLevels(t *testing.T) {
	for max, want := range map[int][]int{1: {1}, 2: {1, 2}, 4: {1, 2, 4}, 6: {1, 2, 4, 6}, 32: {1, 2, 4, 8, 16, 32}} {
		if got := TunePlan(burnCases(1, "1ms"), sandbox.Limits{}, max, 1).Parallel; !slices.Equal(got, want) {
			t.Errorf("TunePlan(max %d) levels %v; want %v", max, got, want)
		}
	}
}

// TestBisect: the next level sampled lies halfway between the highest safe
// level and the first unsafe one above it, never above the CPUs, and not
// while the level above is undecided.
func TestBisect(t *testing.T) {
	level := func(p int, pinned, ok, decided bool) results.Level {
		return results.Level{Parallelism: p, Pinned: pinned, OK: ok, Decided: decided}
	}
	safe := func(ps ...int) []results.Level {
		var ls []results.Level
		for _, p := range ps {
			ls = append(ls, level(p, false, true, true))
		}
		return ls
	}
	for _, tt := range []struct {
		name   string
		cpus   int
		levels []results.Level
		want   []int
	}{
		{"between 8 and an unsafe 16", 16, append(safe(1, 2, 4, 8), level(16, false, false, true)), []int{12}},
		{"between 8 and the CPUs, 32 unsafe", 16, append(safe(1, 2, 4, 8), level(32, false, false, true)), []int{12}},
		{"every level safe up to the CPUs", 16, safe(1, 2, 4, 8, 16, 32), nil},
		{"safe to 4, nothing above sampled, 16 CPUs", 16, safe(1, 2, 4), []int{10}},
		{"next to each other", 16, append(safe(1, 2, 4, 6), level(7, false, false, true)), nil},
		{"undecided above", 16, append(safe(1, 2), level(4, false, false, false)), nil},
		{"nothing safe", 16, []results.Level{level(1, false, false, true)}, nil},
	} {
		var got []int
		for _, l := range bisect(&results.Tuning{CPUs: tt.cpus, Levels: tt.levels}) {
			got = append(got, l.Parallelism)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: bisect = %v; want %v", tt.name, got, tt.want)
		}
	}
}

// TestPlaceOf: a pinned worker slot takes the CPU of its placement's order;
// an unpinned one runs wherever the harness may.
func TestPlaceOf(t *testing.T) {
	h := &Harness{plan: &Plan{}, orders: map[host.Strategy][]int{host.Spread: {0, 2, 1, 3}, host.Packed: {0, 1, 2, 3}}}
	for _, tt := range []struct {
		st   setting
		slot int
		want []int
	}{
		{setting{pinned: true, placement: host.Spread}, 1, []int{2}},
		{setting{pinned: true, placement: host.Packed}, 1, []int{1}},
		{setting{pinned: true, placement: host.Packed}, 5, []int{1}},
		{setting{}, 1, nil},
	} {
		if got := h.placeOf(tt.st, tt.slot).cpus; !slices.Equal(got, tt.want) {
			t.Errorf("placeOf(%+v, slot %d) = %v; want %v", tt.st, tt.slot, got, tt.want)
		}
	}
	// Pinned settings come once per placement; unpinned once.
	p := &Plan{Models: []results.Model{results.Pool}, Measures: []results.Measure{results.Exact}, Parallel: []int{2},
		GOMAXPROCS: []int{1}, Pin: results.PinBoth, Placements: []host.Strategy{host.Spread, host.Packed}}
	var got []string
	for _, st := range p.settings() {
		got = append(got, fmt.Sprintf("%v/%s", st.pinned, st.placement))
	}
	if want := []string{"false/", "true/spread", "true/packed"}; !slices.Equal(got, want) {
		t.Errorf("settings = %v; want %v", got, want)
	}
}
