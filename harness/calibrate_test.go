package harness

import (
	"testing"
	"time"
)

// TestCalibratorFloor: by default the floor comes from the burn program's
// exit as a plain run of it counts it on this host (twice it, at least
// 2ms); a floor given is kept, and nothing is measured.
func TestCalibratorFloor(t *testing.T) {
	k, err := NewCalibrator(Calibration{NoLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if want := max(2*time.Millisecond, 2*k.ExitCost); k.ExitCost <= 0 || k.ExitCost > time.Second || k.Floor() != want {
		t.Errorf("default: exit %v, floor %v; want an exit above 0 (and below 1s), floor %v", k.ExitCost, k.Floor(), want)
	}
	given, err := NewCalibrator(Calibration{NoLimits: true, Floor: 7 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer given.Close()
	if given.ExitCost != 0 || given.Floor() != 7*time.Millisecond {
		t.Errorf("--floor 7ms: exit %v, floor %v; want none measured, 7ms", given.ExitCost, given.Floor())
	}
}
