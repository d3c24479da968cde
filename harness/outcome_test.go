package harness

import (
	"slices"
	"testing"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// TestVerdictsAgree: the sandbox's verdicts and the record's are the same
// list, name for name, in the same order.
func TestVerdictsAgree(t *testing.T) {
	var got []results.Verdict
	for _, v := range sandbox.Verdicts() {
		got = append(got, verdictOf(v))
	}
	if want := results.Verdicts(); !slices.Equal(got, want) {
		t.Errorf("sandbox verdicts as recorded = %v; results.Verdicts() = %v", got, want)
	}
}
