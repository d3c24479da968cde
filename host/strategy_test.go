package host

import (
	"slices"
	"testing"
)

// TestTuneStrategies: a tuning sweep measures packed placement as a
// candidate of its own only where its order differs from spread's: with SMT
// (the EPYC server, the hybrid desktop), not on the VM or the RK3399.
func TestTuneStrategies(t *testing.T) {
	for name, want := range map[string][]Strategy{
		"epyc-2s":        {Spread, Packed},
		"hybrid-desktop": {Spread, Packed},
		"vm-2vcpu":       {Spread},
		"rk3399":         {Spread},
	} {
		top := readFixture(t, name)
		cpus, err := top.Workers(nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := top.TuneStrategies(cpus); !slices.Equal(got, want) {
			t.Errorf("%s: TuneStrategies = %v; want %v", name, got, want)
		}
	}
}
