package harness

import (
	"bytes"
	"context"
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
// floors of what the sandbox does, where a C compiler exists: a C loop of
// vfork+exec+wait, the same traced with an exec stop (five prlimits there)
// and an exit stop (VmHWM read from /proc) as --isolation none --cgroup off
// needs, and the kernel's part of the default's launch (that exec stop, a
// new IPC namespace, and one of its three cgroups, a memory cgroup made for
// the case, joined by the forking thread, its peak read, removed); the Go
// floor of --isolation none --cgroup off (os/exec's way, traced, with both
// stops); then the serial model at every isolation level with and without
// a cgroup, and the pool at the default isolation one at a time and as many
// at once as there are CPUs. Each reports cases/s, its rate over os/exec's
// (vs-os-exec) and, for the Go ones, the harness's own CPU per case (its
// process's user+system time over the cases, which excludes the
// children's).
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
	b.Run("os-exec", func(b *testing.B) {
		cpu := processCPU()
		for b.Loop() {
			osExecOnce(b, in)
		}
		osExec = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(osExec, "cases/s")
		b.ReportMetric(results.Millis(processCPU()-cpu)/float64(b.N), "harness-cpu-ms/case")
	})
	floor := func(b *testing.B, flags string, memcg bool) {
		loop := floorLoop(b)
		args := []string{strconv.Itoa(b.N), flags}
		if memcg {
			args = append(args, floorCgroup(b))
		}
		b.ResetTimer()
		if out, err := exec.Command(loop, append(args, "/bin/true")...).CombinedOutput(); err != nil {
			b.Fatalf("%s %s: %v: %s", loop, flags, err, out)
		}
		rate := float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "cases/s")
		b.ReportMetric(rate/osExec, "vs-os-exec")
	}
	b.Run("c-vfork", func(b *testing.B) { floor(b, "-", false) })
	b.Run("c-stops", func(b *testing.B) { floor(b, "x", false) })
	b.Run("c-ipc-memcg-stop", func(b *testing.B) { floor(b, "tim", true) })
	b.Run("go-stops", func(b *testing.B) {
		cpu := processCPU()
		for b.Loop() {
			goStopsOnce(b, in)
		}
		rate := float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "cases/s")
		b.ReportMetric(rate/osExec, "vs-os-exec")
		b.ReportMetric(results.Millis(processCPU()-cpu)/float64(b.N), "harness-cpu-ms/case")
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
	before := processCPU()
	b.ResetTimer()
	if _, err := h.Run(context.Background(), &nullSink{}); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	return results.Millis(processCPU()-before) / float64(len(p.Cases))
}

// processCPU is this process's user and system time so far, its
// children's left out.
func processCPU() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
	var outs [2]*os.File
	var readers sync.WaitGroup
	files := []uintptr{f.Fd()}
	for i := range outs {
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		readers.Go(func() {
			io.Copy(io.Discard, r)
			r.Close()
		})
		outs[i], files = w, append(files, w.Fd())
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, _, err := syscall.StartProcess("/bin/true", []string{"/bin/true"}, &syscall.ProcAttr{
		Files: files,
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
	readers.Wait()
}

// floorLoop builds the C loop `LOOP N FLAGS [MEMCG] PROG`: N times start
// PROG and wait for it. FLAGS: "-" for none; t: traced, stopped at its
// exec for five prlimits, then released; x: t, and stopped at its exit for
// its VmHWM; i: in a new IPC namespace; m: in a v1 memory cgroup made for
// it in MEMCG, joined by the forking thread for the fork, its peak read
// after, removed. It skips b where there is no C compiler.
func floorLoop(b *testing.B) string {
	cc, err := exec.LookPath("cc")
	if err != nil {
		b.Skip("no C compiler: ", err)
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "loop.c")
	if err := os.WriteFile(src, []byte(floorC), 0o644); err != nil {
		b.Fatal(err)
	}
	loop := filepath.Join(dir, "loop")
	if out, err := exec.Command(cc, "-O2", "-o", loop, src).CombinedOutput(); err != nil {
		b.Skipf("cc: %v: %s", err, out)
	}
	return loop
}

const floorC = `#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char **args;
static int traced;
static char stack[1 << 16];

static int child(void *unused) {
	if (traced && ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) _exit(126);
	execv(args[0], args);
	_exit(127);
}

static int put(const char *path, const char *s) {
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	int n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -1 : 0;
}

static long readnum(const char *path, const char *key) {
	char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	int n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) return -1;
	buf[n] = 0;
	char *p = key ? strstr(buf, key) : buf;
	return p ? atol(p + (key ? strlen(key) : 0)) : -1;
}

int main(int argc, char **argv) {
	if (argc < 4) return 2;
	int n = atoi(argv[1]);
	const char *f = argv[2];
	int exitstop = strchr(f, 'x') != 0, ipc = strchr(f, 'i') != 0, memcg = strchr(f, 'm') != 0;
	traced = exitstop || strchr(f, 't') != 0;
	if (memcg && argc < 5) return 2;
	args = argv + (memcg ? 4 : 3);
	char dir[4096], tasks[4200], home[4200], peak[4200];
	if (memcg) {
		snprintf(dir, sizeof dir, "%s/case", argv[3]);
		snprintf(tasks, sizeof tasks, "%s/tasks", dir);
		snprintf(home, sizeof home, "%s/tasks", argv[3]);
		snprintf(peak, sizeof peak, "%s/memory.max_usage_in_bytes", dir);
	}
	for (int i = 0; i < n; i++) {
		if (memcg && (mkdir(dir, 0755) < 0 || put(tasks, "0") < 0)) return 3;
		int pid = clone(child, stack + sizeof stack, CLONE_VFORK | CLONE_VM | SIGCHLD | (ipc ? CLONE_NEWIPC : 0), 0);
		if (memcg && put(home, "0") < 0) return 3;
		if (pid < 0) return 4;
		int st;
		if (traced) {
			if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) return 5;
			struct rlimit l = {RLIM_INFINITY, RLIM_INFINITY};
			int res[] = {RLIMIT_CPU, RLIMIT_STACK, RLIMIT_FSIZE, RLIMIT_CORE, RLIMIT_NPROC};
			for (int r = 0; r < 5; r++) prlimit(pid, res[r], &l, 0);
			if (exitstop) {
				ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXIT);
				ptrace(PTRACE_CONT, pid, 0, 0);
				if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) return 6;
				char path[64];
				snprintf(path, sizeof path, "/proc/%d/status", pid);
				if (readnum(path, "VmHWM:") <= 0) return 7;
				ptrace(PTRACE_CONT, pid, 0, 0);
			} else {
				ptrace(PTRACE_DETACH, pid, 0, 0);
			}
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 8;
		if (memcg && (readnum(peak, 0) < 0 || rmdir(dir) < 0)) return 9;
	}
	return 0;
}
`

// floorCgroup makes a v1 memory cgroup for the C loop, where judgebench
// makes its own (see sandbox.DelegatedCgroup), named after this process as
// judgebench names its cgroups so that a later run removes it if this one
// dies first; it is removed when b ends. It skips b without a writable v1
// memory hierarchy.
func floorCgroup(b *testing.B) string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		b.Skip(err)
	}
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		b.Skip(err)
	}
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		b.Skip(err)
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 20 {
		b.Skip("no start time in /proc/self/stat")
	}
	writable := func(dir string) bool {
		return unix.Access(dir, unix.W_OK) == nil && unix.Access(filepath.Join(dir, "cgroup.procs"), unix.W_OK) == nil
	}
	for line := range strings.Lines(string(data)) {
		m, ok := sandbox.ParseMountinfo(strings.TrimSuffix(line, "\n"))
		if !ok || m.FSType != "cgroup" || !slices.Contains(m.Options, "memory") {
			continue
		}
		top := sandbox.DelegatedCgroup(m, sandbox.ParseProcCgroup(string(own))["memory"], writable)
		if top == "" {
			break
		}
		parent := filepath.Join(top, "judgebench")
		if err := os.Mkdir(parent, 0o755); err != nil && !os.IsExist(err) {
			b.Skip(err)
		}
		dir := filepath.Join(parent, strconv.Itoa(os.Getpid())+"-"+f[19]+"-floor")
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Skip(err)
		}
		b.Cleanup(func() {
			os.Remove(filepath.Join(dir, "case")) // left by a loop that failed
			if err := os.Remove(dir); err != nil {
				b.Error(err)
			}
		})
		return dir
	}
	b.Skip("no writable v1 memory hierarchy")
	return ""
}
