package harness

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
	"golang.org/x/sys/unix"
)

// BenchmarkLaunch is what one trivial case costs, side by side in one run:
// a C loop of vfork+exec+wait (the floor; where a C compiler exists), a
// plain os/exec loop (stdin from a file, stdout a pipe read to EOF), the
// serial model at every isolation level with and without a cgroup, and the
// pool at the default isolation one at a time and as many at once as there
// are CPUs. Each reports cases/s, its rate over os/exec's (vs-os-exec) and
// the harness's own CPU per case (its process's user+system time over the
// cases, which excludes the children's).
//
//	go test -run '^$' -bench BenchmarkLaunch -benchtime 500x ./harness
func BenchmarkLaunch(b *testing.B) {
	if why := emulated(); why != "" {
		b.Skip(why + ": timing cannot be judged under emulation")
	}
	in := filepath.Join(b.TempDir(), "in")
	if err := os.WriteFile(in, []byte("1 2\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	var osExec float64 // cases/s of the os/exec loop
	b.Run("c-vfork", func(b *testing.B) {
		loop := vforkLoop(b)
		b.ResetTimer()
		if out, err := exec.Command(loop, strconv.Itoa(b.N), "/bin/true").CombinedOutput(); err != nil {
			b.Fatalf("%s: %v: %s", loop, err, out)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
	})
	b.Run("os-exec", func(b *testing.B) {
		for b.Loop() {
			osExecOnce(b, in)
		}
		osExec = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(osExec, "cases/s")
	})
	report := func(b *testing.B, cpu float64) {
		rate := float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "cases/s")
		if osExec > 0 {
			b.ReportMetric(rate/osExec, "vs-os-exec")
		}
		b.ReportMetric(cpu, "harness-cpu-ms/case")
	}
	for _, mode := range []sandbox.CgroupMode{sandbox.CgroupAuto, sandbox.CgroupOff} {
		for _, level := range sandbox.Isolations() {
			b.Run("serial-"+string(level)+"-cgroup-"+string(mode), func(b *testing.B) {
				report(b, launchCases(b, results.Serial, 1, level, mode, in))
			})
		}
	}
	for _, par := range slices.Compact([]int{1, runtime.NumCPU()}) {
		b.Run("pool-"+strconv.Itoa(par), func(b *testing.B) {
			report(b, launchCases(b, results.Pool, par, "", sandbox.CgroupAuto, in))
		})
	}
}

// BenchmarkPoolCeiling runs 50ms CPU-bound cases in the pool at parallelism
// 2 against the ceiling of two bare burners side by side, in one run: each
// iteration is a pair. vs-ceiling is the pool's pairs per second over the
// bare burners'.
//
//	go test -run '^$' -bench BenchmarkPoolCeiling -benchtime 40x ./harness
func BenchmarkPoolCeiling(b *testing.B) {
	if why := emulated(); why != "" {
		b.Skip(why + ": timing cannot be judged under emulation")
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var bare float64 // pairs/s of two bare burners
	b.Run("bare", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					if err := exec.Command(exe, "work", "burn", "50ms").Run(); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
		bare = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(bare, "pairs/s")
	})
	b.Run("pool", func(b *testing.B) {
		cases := make([]scenarios.Case, 2*b.N)
		for i := range cases {
			cases[i] = scenarios.Case{Name: "b" + strconv.Itoa(i), Workload: "burn", Args: []string{"50ms"}}
		}
		runCases(b, &Plan{Cases: cases, Models: []results.Model{results.Pool}, Parallel: []int{2}})
		rate := float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "pairs/s")
		if bare > 0 {
			b.ReportMetric(rate/bare, "vs-ceiling")
		}
	})
}

// osExecOnce runs /bin/true the plain way: stdin from the file in, stdout a
// pipe read to its end.
func osExecOnce(b *testing.B, in string) {
	f, err := os.Open(in)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command("/bin/true")
	cmd.Stdin = f
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
}

// launchCases runs b.N trivial cases (stdin from in) under model at par, at
// the isolation level and cgroup mode given, and returns the harness's own
// CPU per case in ms.
func launchCases(b *testing.B, model results.Model, par int, level sandbox.Isolation, mode sandbox.CgroupMode, in string) float64 {
	cases := make([]scenarios.Case, b.N)
	for i := range cases {
		cases[i] = scenarios.Case{Name: "c" + strconv.Itoa(i), Program: []string{"/bin/true"}, StdinFile: in}
	}
	return runCases(b, &Plan{Cases: cases, Models: []results.Model{model}, Parallel: []int{par}, Isolation: level, Cgroup: mode})
}

// runCases runs p (measured exact, unpinned, once) with the benchmark's
// timer on the run alone, and returns the harness's own CPU per case in ms.
func runCases(b *testing.B, p *Plan) float64 {
	p.Measures, p.GOMAXPROCS, p.Pin, p.Repeat = []results.Measure{results.Exact}, []int{0}, results.PinOff, 1
	h, err := New(p)
	if err != nil {
		b.Skip(err)
	}
	defer h.Close()
	var before, after unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &before)
	b.ResetTimer()
	if _, err := h.Run(context.Background(), &nullSink{}); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	unix.Getrusage(unix.RUSAGE_SELF, &after)
	used := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	return results.Millis(used) / float64(len(p.Cases))
}

// vforkLoop builds the C loop `LOOP N PROG`: N times vfork, exec PROG and
// wait. It skips b where there is no C compiler.
func vforkLoop(b *testing.B) string {
	cc, err := exec.LookPath("cc")
	if err != nil {
		b.Skip("no C compiler: ", err)
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "loop.c")
	err = os.WriteFile(src, []byte(`#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
	int n = atoi(argv[1]);
	for (int i = 0; i < n; i++) {
		pid_t pid = vfork();
		if (pid == 0) { execv(argv[2], argv + 2); _exit(127); }
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || st != 0) return 1;
	}
	return 0;
}
`), 0o644)
	if err != nil {
		b.Fatal(err)
	}
	loop := filepath.Join(dir, "loop")
	if out, err := exec.Command(cc, "-O2", "-o", loop, src).CombinedOutput(); err != nil {
		b.Skipf("cc: %v: %s", err, out)
	}
	return loop
}
