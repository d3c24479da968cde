package harness

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
	"golang.org/x/sys/unix"
)

// BenchmarkLaunch is what one trivial case costs, side by side in one run:
// a plain os/exec loop (stdin from a file, stdout a pipe read to EOF); the
// floors of what the sandbox does, where a C compiler exists: C loops of
// vfork+exec+wait with nothing more, traced with an exec stop (five
// prlimits there) and an exit stop (VmHWM read from /proc) as --isolation
// none --cgroup off needs, with the default's exec stop and a new IPC
// namespace, in a memory cgroup made for each case, with all three, and
// in one memory cgroup kept, which the child joins before its exec (as
// judgebench's does); the Go floor of --isolation none --cgroup off (os/exec's way, traced,
// with both stops); then the serial model at every isolation level with
// and without a cgroup, and the pool at the default isolation one at a
// time and as many at once as there are CPUs. Each reports cases/s, its
// rate over os/exec's (vs-os-exec), the harness's own CPU per case (its
// process's user+system time over the cases, which excludes the children's;
// for a C loop, the loop's own) and how often a thread of it was preempted
// per case (see usage).
//
//	go test -run '^$' -bench BenchmarkLaunch -benchtime 1000x ./harness
func BenchmarkLaunch(b *testing.B) {
	if why := emulated(); why != "" {
		b.Skip(why + ": timing cannot be judged under emulation")
	}
	in := filepath.Join(b.TempDir(), "in")
	if err := os.WriteFile(in, []byte("1 2\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	var osExec float64 // cases/s of the os/exec loop
	b.Run("os-exec", func(b *testing.B) {
		before := usageNow()
		for b.Loop() {
			osExecOnce(b, in)
		}
		osExec = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(osExec, "cases/s")
		usageNow().since(before).perCase(b.N).report(b)
	})
	// report gives b's cases/s, its rate over os/exec's and the harness's
	// usage per case.
	report := func(b *testing.B, u caseUsage) {
		rate := float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "cases/s")
		if osExec > 0 {
			b.ReportMetric(rate/osExec, "vs-os-exec")
		}
		u.report(b)
	}
	floors(b, in, report)
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

// floors runs BenchmarkLaunch's floors (see there) as sub-benchmarks of b,
// each reported by report.
func floors(b *testing.B, in string, report func(b *testing.B, u caseUsage)) {
	floor := func(b *testing.B, flags string, memcg bool) {
		if strings.ContainsAny(flags, "imj") && os.Geteuid() != 0 {
			b.Skip("a new IPC namespace and a memory cgroup take root")
		}
		loop := floorLoop(b)
		args := []string{strconv.Itoa(b.N), flags}
		if memcg {
			args = append(args, floorCgroup(b))
		}
		b.ResetTimer()
		var stderr bytes.Buffer
		cmd := exec.Command(loop, append(args, "/bin/true")...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%s %s: %v: %s", loop, flags, err, stderr.Bytes())
		}
		var micros, preempted int64
		if _, err := fmt.Sscan(string(out), &micros, &preempted); err != nil {
			b.Fatalf("%s %s: its usage: %v", loop, flags, err)
		}
		report(b, usage{time.Duration(micros) * time.Microsecond, preempted}.perCase(b.N))
	}
	b.Run("c-vfork", func(b *testing.B) { floor(b, "-", false) })
	b.Run("c-stops", func(b *testing.B) { floor(b, "x", false) })
	b.Run("c-ipc-stop", func(b *testing.B) { floor(b, "ti", false) })
	b.Run("c-memcg", func(b *testing.B) { floor(b, "m", true) })
	b.Run("c-ipc-memcg-stop", func(b *testing.B) { floor(b, "tim", true) })
	b.Run("c-memcg-join", func(b *testing.B) { floor(b, "j", true) })
	b.Run("go-stops", func(b *testing.B) {
		before := usageNow()
		for b.Loop() {
			goStopsOnce(b, in)
		}
		report(b, usageNow().since(before).perCase(b.N))
	})
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
// usage per case.
func launchCases(b *testing.B, model results.Model, par int, level sandbox.Isolation, mode sandbox.CgroupMode, in string) caseUsage {
	cases := make([]scenarios.Case, b.N)
	for i := range cases {
		cases[i] = scenarios.Case{Name: "c" + strconv.Itoa(i), Program: []string{"/bin/true"}, StdinFile: in}
	}
	return runCases(b, &Plan{Cases: cases, Models: []results.Model{model}, Parallel: []int{par}, Isolation: level, Cgroup: mode})
}

// runCases runs p (measured exact, unpinned, once) with the benchmark's
// timer on the run alone, and returns the harness's own usage per case.
func runCases(b *testing.B, p *Plan) caseUsage {
	p.Measures, p.GOMAXPROCS, p.Pin, p.Repeat = []results.Measure{results.Exact}, []int{0}, results.PinOff, 1
	h, err := New(p)
	if err != nil {
		b.Skip(err)
	}
	defer h.Close()
	before := usageNow()
	b.ResetTimer()
	if _, err := h.Run(context.Background(), &nullSink{}); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	return usageNow().since(before).perCase(len(p.Cases))
}

// usage is what this process's threads used, its children's left out: CPU
// time (user and system), and the times one of them was switched out while
// it could still run (preempted; on a small machine mostly by a thread it
// had just woken, a cost of each hand-over between threads).
type usage struct {
	cpu       time.Duration
	preempted int64
}

// usageNow is this process's usage so far.
func usageNow() usage {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return usage{time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Nivcsw}
}

func (u usage) since(before usage) usage {
	return usage{u.cpu - before.cpu, u.preempted - before.preempted}
}

// caseUsage is a usage over a number of cases: CPU in ms, preemptions.
type caseUsage struct{ cpuMs, preempted float64 }

func (u usage) perCase(n int) caseUsage {
	return caseUsage{results.Millis(u.cpu) / float64(n), float64(u.preempted) / float64(n)}
}

// report gives u as b's harness-cpu-ms/case and preempted/case.
func (u caseUsage) report(b *testing.B) {
	b.ReportMetric(u.cpuMs, "harness-cpu-ms/case")
	b.ReportMetric(u.preempted, "preempted/case")
}

// goStopsOnce is the least the Go way costs for what --isolation none
// --cgroup off does: /bin/true started as os/exec starts it (stdin from the
// file in, stdout and stderr pipes read to their end), traced: stopped at
// its exec for five prlimits and at its exit for its VmHWM, reaped with its
// rusage.
func goStopsOnce(b *testing.B, in string) {
	f, err := os.Open(in)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	outs, drained := drainedPipes(b, 2)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, _, err := syscall.StartProcess("/bin/true", []string{"/bin/true"}, &syscall.ProcAttr{
		Files: []uintptr{f.Fd(), outs[0].Fd(), outs[1].Fd()},
		Sys:   &syscall.SysProcAttr{Ptrace: true, Setpgid: true, Pdeathsig: syscall.SIGKILL},
	})
	for _, w := range outs {
		w.Close()
	}
	if err != nil {
		b.Fatal(err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
		b.Fatalf("exec stop: %v, wait status %#x", err, uint32(ws))
	}
	for _, res := range []int{unix.RLIMIT_CPU, unix.RLIMIT_STACK, unix.RLIMIT_FSIZE, unix.RLIMIT_CORE, unix.RLIMIT_NPROC} {
		lim := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
		unix.Prlimit(pid, res, &lim, nil)
	}
	unix.PtraceSetOptions(pid, unix.PTRACE_O_TRACEEXIT|unix.PTRACE_O_EXITKILL)
	unix.PtraceCont(pid, 0)
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
		b.Fatalf("exit stop: %v, wait status %#x", err, uint32(ws))
	}
	if _, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status"); err != nil {
		b.Fatal(err)
	}
	unix.PtraceCont(pid, 0)
	var ru unix.Rusage
	if _, err := unix.Wait4(pid, &ws, unix.WALL, &ru); err != nil || !ws.Exited() || ws.ExitStatus() != 0 {
		b.Fatalf("reap: %v, wait status %#x", err, uint32(ws))
	}
	drained.Wait()
}

// drainedPipes makes n pipes, each read to its end by a goroutine that
// closes it then, and returns their write ends, for the caller to close,
// and the readers to wait for.
func drainedPipes(b *testing.B, n int) ([]*os.File, *sync.WaitGroup) {
	var readers sync.WaitGroup
	ws := make([]*os.File, n)
	for i := range ws {
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		readers.Go(func() {
			io.Copy(io.Discard, r)
			r.Close()
		})
		ws[i] = w
	}
	return ws, &readers
}

// floorLoop builds testdata/floor.c, the C loop `LOOP N FLAGS [MEMCG]
// PROG`, which starts PROG N times doing as little more than FLAGS say. It
// skips b where there is no C compiler.
func floorLoop(b *testing.B) string {
	cc, err := exec.LookPath("cc")
	if err != nil {
		b.Skip("no C compiler: ", err)
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "loop.c")
	if err := os.WriteFile(src, floorC, 0o644); err != nil {
		b.Fatal(err)
	}
	loop := filepath.Join(dir, "loop")
	if out, err := exec.Command(cc, "-O2", "-o", loop, src).CombinedOutput(); err != nil {
		b.Skipf("cc: %v: %s", err, out)
	}
	return loop
}

// floorC is the C program of floorLoop.
//
//go:embed testdata/floor.c
var floorC []byte

// floorCgroup makes a v1 memory cgroup for the C loop, where judgebench
// makes its own (see sandbox.DelegatedCgroup), named after this process as
// judgebench names its cgroups ("PID-START-..."), so that a later run
// removes it if this one dies first; it is removed when b ends. It skips b
// without a writable v1 memory hierarchy.
func floorCgroup(b *testing.B) string {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		b.Skip(err)
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 20 {
		b.Skip("no start time in /proc/self/stat")
	}
	parent := filepath.Join(memoryTop(b), "judgebench")
	if err := os.Mkdir(parent, 0o755); err != nil && !os.IsExist(err) {
		b.Skip(err)
	}
	dir := filepath.Join(parent, strconv.Itoa(os.Getpid())+"-"+f[19]+"-floor")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() {
		// The loop removes its case cgroup even when it fails, unless it
		// was killed: then its last program may still be in it.
		caseDir := filepath.Join(dir, "case")
		for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(time.Millisecond) {
			tasks, _ := os.ReadFile(filepath.Join(caseDir, "tasks"))
			for _, pid := range strings.Fields(string(tasks)) {
				if p, err := strconv.Atoi(pid); err == nil {
					unix.Kill(p, unix.SIGKILL)
				}
			}
			if err := os.Remove(caseDir); err == nil || os.IsNotExist(err) || time.Now().After(deadline) {
				break
			}
		}
		if err := os.Remove(dir); err != nil {
			b.Error(err)
		}
	})
	return dir
}

// memoryTop is the directory of the v1 memory hierarchy under which
// judgebench makes its cgroups, as sandbox.DelegatedCgroup finds it. It
// skips b when there is none.
func memoryTop(b *testing.B) string {
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		b.Skip(err)
	}
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		b.Skip(err)
	}
	writable := func(dir string) bool {
		return unix.Access(dir, unix.W_OK) == nil && unix.Access(filepath.Join(dir, "cgroup.procs"), unix.W_OK) == nil
	}
	for line := range strings.Lines(string(mounts)) {
		m, ok := sandbox.ParseMountinfo(strings.TrimSuffix(line, "\n"))
		if ok && m.FSType == "cgroup" && slices.Contains(m.Options, "memory") {
			if top := sandbox.DelegatedCgroup(m, sandbox.ParseProcCgroup(string(own))["memory"], writable); top != "" {
				return top
			}
		}
	}
	b.Skip("no writable v1 memory hierarchy")
	return ""
}
