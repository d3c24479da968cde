package results

import (
	"slices"
	"testing"
)

func TestWarnings(t *testing.T) {
	fs := []Finding{
		{Check: "swap", Status: "warn", Value: "1 swap areas", Why: "pages move."},
		{Check: "thp", Status: "ok", Value: "madvise", Why: "stalls."},
		{Check: "boost", Status: "unknown", Value: "?", Why: "clocks."},
	}
	got, want := Warnings(fs), []string{"swap: 1 swap areas: pages move."}
	if !slices.Equal(got, want) {
		t.Errorf("Warnings(%v) = %q; want %q", fs, got, want)
	}
	if got := Warnings(nil); got == nil || len(got) != 0 {
		t.Errorf("Warnings(nil) = %#v; want an empty, non-nil slice", got)
	}
}
