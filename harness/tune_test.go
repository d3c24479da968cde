package harness

import (
	"testing"
	"time"

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
