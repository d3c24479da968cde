package harness

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// BenchmarkMemory runs b.N trivial cases into a real run directory and
// reports how much the harness's heap grew: samples stream to disk, so it
// must stay flat however many cases run.
//
//	go test -run '^$' -bench BenchmarkMemory -benchtime 10000x ./harness
func BenchmarkMemory(b *testing.B) {
	w, err := results.Create(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	runTrivial(b, results.Serial, b.N, w)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-growth-MiB")
	if _, err := w.Finish(results.Run{}, nil); err != nil {
		b.Fatal(err)
	}
}

// runTrivial runs n cases of /bin/true under model at parallelism 1.
func runTrivial(b *testing.B, model results.Model, n int, sink Sink) {
	cases := make([]scenarios.Case, n)
	for i := range cases {
		cases[i] = scenarios.Case{Name: "c" + strconv.Itoa(i), Program: []string{"/bin/true"}}
	}
	p := &Plan{Cases: cases, Models: []results.Model{model}, Measures: []results.Measure{results.Exact}, Parallel: []int{1},
		GOMAXPROCS: []int{0}, Pin: results.PinOff, Repeat: 1, Limits: sandbox.Limits{}}
	h, err := New(p)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	b.ResetTimer()
	if _, err := h.Run(b.Context(), sink); err != nil {
		b.Fatal(err)
	}
}

type nullSink struct{}

func (nullSink) Add(results.Sample) error { return nil }
