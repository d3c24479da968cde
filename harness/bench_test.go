package harness

import (
	"os/exec"
	"runtime"
	"strconv"
	"testing"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// BenchmarkCases compares cases per second of the serial and pool models with
// a plain os/exec loop over the same trivial program (/bin/true). The issue's
// target: 0.8x or better of the plain loop.
//
//	go test -run '^$' -bench BenchmarkCases -benchtime 2000x ./harness
func BenchmarkCases(b *testing.B) {
	if why := emulated(); why != "" {
		b.Skip(why + ": timing cannot be judged under emulation")
	}
	b.Run("os-exec", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
	})
	for _, model := range []results.Model{results.Serial, results.Pool} {
		b.Run(model.String(), func(b *testing.B) {
			runTrivial(b, model, b.N, &nullSink{})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
		})
	}
}

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
