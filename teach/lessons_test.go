package teach

import (
	"testing"

	"github.com/judgebench/judgebench/results"
)

func mk(model results.Model, measure results.Measure, par int, set func(*results.Group)) results.Group {
	g := results.Group{Key: results.Key{Model: model, Measure: measure, Parallelism: par}, Inflation: 1, CPUVsSerial: 1}
	set(&g)
	return g
}

// TestExplainShown: a lesson says whether its runs show its effect, so that
// teach does not present numbers that show nothing as if they did.
func TestExplainShown(t *testing.T) {
	inflation := func(x float64) func(*results.Group) { return func(g *results.Group) { g.Inflation = x } }
	vsSerial := func(x float64) func(*results.Group) { return func(g *results.Group) { g.CPUVsSerial = x } }
	tests := []struct {
		lesson string
		groups []results.Group
		shown  bool
	}{
		{"gil", []results.Group{mk(results.InProc, results.Exact, 2, inflation(1.98)), mk(results.Pool, results.Exact, 2, inflation(1.02))}, true},
		{"gil", []results.Group{mk(results.InProc, results.Exact, 2, inflation(1.98)), mk(results.Pool, results.Exact, 2, inflation(1.66))}, false},
		{"contention", []results.Group{mk(results.Pool, results.Exact, 2, vsSerial(1.58))}, true},
		{"contention", []results.Group{mk(results.Pool, results.Exact, 2, vsSerial(0.9))}, false},
		{"rusage-children", []results.Group{mk(results.Pool, results.RusageChildren, 2, vsSerial(2)), mk(results.Pool, results.Exact, 2, vsSerial(1))}, true},
		{"rusage-children", []results.Group{mk(results.Pool, results.RusageChildren, 2, vsSerial(1.1)), mk(results.Pool, results.Exact, 2, vsSerial(1))}, false},
	}
	for _, tt := range tests {
		l, err := Find(tt.lesson)
		if err != nil {
			t.Fatal(err)
		}
		if text, shown := l.Explain(tt.groups, nil); shown != tt.shown {
			t.Errorf("%s: Explain = %q, shown %v; want shown %v", tt.lesson, text, shown, tt.shown)
		}
	}
}

func TestFind(t *testing.T) {
	if _, err := Find("gli"); err == nil || err.Error() != `no pitfall "gli" (did you mean "gil"?): use one of gil, oversubscribe, contention, lost-errors, rusage-children, parent-rss, serialization, panic` {
		t.Errorf("Find(gli) = %v; want a did-you-mean and the list", err)
	}
	for _, l := range Lessons() {
		if got, err := Find(l.Name); err != nil || got.Name != l.Name {
			t.Errorf("Find(%q) = %q, %v", l.Name, got.Name, err)
		}
	}
}
