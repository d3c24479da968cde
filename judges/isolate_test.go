package judges

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/judgebench/judgebench/sandbox"
)

// openIsolateT opens the built isolate with options opts (",cg"), closed
// when t ends.
func openIsolateT(t *testing.T, opts string) *isolateExec {
	t.Helper()
	path := peer(t, "isolate")
	ex, err := Open(t.Context(), "isolate:"+path+opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ex.Close(); err != nil {
			t.Error(err)
		}
	})
	return ex.(*isolateExec)
}

// processCPU is the process_cpu_ns a burn workload printed.
func processCPU(t *testing.T, out string) time.Duration {
	t.Helper()
	for f := range strings.FieldsSeq(out) {
		if v, ok := strings.CutPrefix(f, "process_cpu_ns="); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return time.Duration(n)
		}
	}
	t.Fatalf("no process_cpu_ns in %q", out)
	return 0
}

func TestIsolateBurn(t *testing.T) {
	skipIfRace(t)
	e := openIsolateT(t, "")
	for i := range 3 {
		var out bytes.Buffer
		cmd := work(t, sandbox.Limits{}, "burn", "300ms")
		cmd.Stdout = &out
		r := e.Run(t.Context(), cmd)
		if r.Verdict != sandbox.Accepted {
			t.Fatalf("burn 300ms: %v (%s); want ACCEPTED", r.Verdict, r.Error)
		}
		own := processCPU(t, out.String())
		t.Logf("burn 300ms #%d: isolate time %v, the program's own process clock %v (%+.1f ms), real %v, memory %v (%s), latency %v",
			i, r.CPUTime, own, float64(r.CPUTime-own)/1e6, r.RealTime, r.Memory, r.MemorySource, r.Judge.Latency)
		if d := r.CPUTime - own; d < -5*time.Millisecond || d > 10*time.Millisecond {
			t.Errorf("burn 300ms: cpu_time %v, its own process clock %v: want within -5..+10 ms", r.CPUTime, own)
		}
		if r.Judge.Status != "OK" || r.Judge.Verdict != 0 || r.MemorySource != "isolate:max-rss" || r.Memory == 0 || r.Isolation != isolation {
			t.Errorf("burn 300ms: status %q, own verdict %v, memory %v from %q, isolation %q; want OK, none, some from isolate:max-rss, judge",
				r.Judge.Status, r.Judge.Verdict, r.Memory, r.MemorySource, r.Isolation)
		}
	}
}

func TestIsolateVerdicts(t *testing.T) {
	skipIfRace(t)
	e := openIsolateT(t, "")
	spin := "1000000000000"
	tests := []struct {
		name   string
		limits sandbox.Limits
		args   []string
		want   sandbox.Verdict
		status string
		check  func(t *testing.T, l sandbox.Limits, r *sandbox.Result)
	}{
		{"spin-250ms", sandbox.Limits{CPUTime: 250 * time.Millisecond, RealTime: 5 * time.Second}, []string{"spin", spin},
			sandbox.CPUTimeLimitExceeded, "TO", killedNear},
		{"spin-1s", sandbox.Limits{CPUTime: time.Second, RealTime: 10 * time.Second}, []string{"spin", spin},
			sandbox.CPUTimeLimitExceeded, "TO", killedNear},
		{"sleep", sandbox.Limits{RealTime: time.Second}, []string{"sleep", "10s"},
			sandbox.RealTimeLimitExceeded, "TO", func(t *testing.T, l sandbox.Limits, r *sandbox.Result) {
				if r.RealTime < l.RealTime || r.RealTime > l.RealTime+time.Second {
					t.Errorf("real_time %v; want %v to %v", r.RealTime, l.RealTime, l.RealTime+time.Second)
				}
			}},
		// isolate limits address space (--mem): the Go runtime's allocation
		// fails, and it dies with "fatal error: out of memory", exit status 2.
		{"alloc-2GiB-under-1GiB", sandbox.Limits{}, []string{"alloc", "2048"},
			sandbox.RuntimeError, "RE", func(t *testing.T, l sandbox.Limits, r *sandbox.Result) {
				if r.ExitCode != 2 || r.Signal != 0 || r.Memory >= l.Memory {
					t.Errorf("exit code %d, signal %d, memory %v; want 2, 0, under %v", r.ExitCode, r.Signal, r.Memory, l.Memory)
				}
			}},
		{"segv", sandbox.Limits{}, []string{"segv"}, sandbox.RuntimeError, "SG", func(t *testing.T, l sandbox.Limits, r *sandbox.Result) {
			if r.Signal != 11 || r.ExitCode != -1 {
				t.Errorf("signal %d, exit code %d; want 11, -1", r.Signal, r.ExitCode)
			}
		}},
		{"exit-3", sandbox.Limits{}, []string{"exit", "3"}, sandbox.RuntimeError, "RE", func(t *testing.T, l sandbox.Limits, r *sandbox.Result) {
			if r.ExitCode != 3 {
				t.Errorf("exit code %d; want 3", r.ExitCode)
			}
		}},
		// Go ignores SIGXFSZ: its write past --fsize fails, and it exits 1.
		{"flood-past-64KiB", sandbox.Limits{Output: 64 * sandbox.KiB}, []string{"flood", "1000000"},
			sandbox.RuntimeError, "RE", func(t *testing.T, l sandbox.Limits, r *sandbox.Result) {
				if r.OutputBytes <= int64(l.Output) || r.OutputBytes > int64(l.Output+sandbox.KiB) || r.Judge.Verdict != sandbox.OutputLimitExceeded {
					t.Errorf("output %d bytes, own verdict %v; want over %d, at most 1KiB more, OUTPUT_LIMIT_EXCEEDED", r.OutputBytes, r.Judge.Verdict, l.Output)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := work(t, tt.limits, tt.args[0], tt.args[1:]...)
			r := e.Run(t.Context(), cmd)
			t.Logf("%v, status %s, cpu %v, real %v, memory %v, exit %d, signal %d, own verdict %v (%s), raw %s, stderr %.200q",
				r.Verdict, r.Judge.Status, r.CPUTime, r.RealTime, r.Memory, r.ExitCode, r.Signal, r.Judge.Verdict, r.Judge.Why, r.Judge.Raw, r.Stderr)
			if r.Verdict != tt.want || r.Judge.Status != tt.status {
				t.Fatalf("%s: verdict %v, status %q (%s); want %v, %q", tt.name, r.Verdict, r.Judge.Status, r.Error, tt.want, tt.status)
			}
			if !json.Valid(r.Judge.Raw) {
				t.Errorf("raw %q is not JSON", r.Judge.Raw)
			}
			tt.check(t, cmd.Limits, r)
		})
	}
}

// killedNear checks that a spinner was killed past its CPU limit, and
// not long after: isolate polls every 100 ms, and a busy machine adds.
func killedNear(t *testing.T, l sandbox.Limits, r *sandbox.Result) {
	t.Helper()
	if r.CPUTime < l.CPUTime || r.CPUTime > l.CPUTime+200*time.Millisecond {
		t.Errorf("cpu_time %v under a limit of %v; want %v to %v", r.CPUTime, l.CPUTime, l.CPUTime, l.CPUTime+200*time.Millisecond)
	}
	t.Logf("killed %.0f ms past the limit of %v", float64(r.CPUTime-l.CPUTime)/1e6, l.CPUTime)
}

func TestIsolateSort(t *testing.T) {
	skipIfRace(t)
	e := openIsolateT(t, "")
	in := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(in, []byte("5\n3 1 4 1 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		stdin  string // "": the file in
		expect string
		want   sandbox.Verdict
	}{
		{"file-right", "", "1 1 3 4 5\n", sandbox.Accepted},
		{"file-wrong", "", "1 1 3 4 6\n", sandbox.WrongAnswer},
		{"reader-right", "3\n3 2 1\n", "1 2 3\n", sandbox.Accepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := work(t, sandbox.Limits{}, "sort")
			cmd.Stdin = strings.NewReader(tt.stdin)
			if tt.stdin == "" {
				f, err := os.Open(in)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				cmd.Stdin = f
			}
			var out bytes.Buffer
			cmd.Stdout, cmd.Expect = &out, strings.NewReader(tt.expect)
			r := e.Run(t.Context(), cmd)
			if r.Verdict != tt.want || r.Judge.Status != "OK" {
				t.Errorf("sort, expect %q: %v, status %q (%s; %s; stderr %.200q); want %v, OK", tt.expect, r.Verdict, r.Judge.Status, r.CheckerMessage, r.Error, r.Stderr, tt.want)
			}
			if r.OutputBytes != int64(out.Len()) || out.Len() == 0 {
				t.Errorf("output %d bytes, %d copied; want the same, not 0", r.OutputBytes, out.Len())
			}
		})
	}
}

// TestIsolateEnv checks the program's environment: isolate's own, PATH,
// and Command.Env, which may override PATH.
func TestIsolateEnv(t *testing.T) {
	e := openIsolateT(t, "")
	env, err := exec.LookPath("env")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		env  []string
		want string
	}{
		{nil, "LIBC_FATAL_STDERR_=1\n" + defaultPATH + "\n"},
		{[]string{"FOO=bar", "PATH=/x", "BARE"}, "LIBC_FATAL_STDERR_=1\nFOO=bar\nPATH=/x\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		r := e.Run(t.Context(), &sandbox.Command{Path: env, Env: tt.env, Stdout: &out})
		if r.Verdict != sandbox.Accepted || out.String() != tt.want {
			t.Errorf("env with Env %q: %v (%s), printed %q; want ACCEPTED, %q", tt.env, r.Verdict, r.Error, out.String(), tt.want)
		}
	}
}

// TestIsolateSlots runs two slots at once, in two boxes. The program is
// sleep(1), a C program, so that the test runs under the race detector too.
func TestIsolateSlots(t *testing.T) {
	e := openIsolateT(t, "")
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip(err)
	}
	var wg sync.WaitGroup
	rs := make([]*sandbox.Result, 2)
	start := time.Now()
	for slot := range rs {
		wg.Go(func() {
			cmd := &sandbox.Command{Path: sleep, Args: []string{"0.5"}, Slot: slot}
			rs[slot] = e.Run(t.Context(), cmd)
		})
	}
	e.Describe()
	wg.Wait()
	t.Logf("two slots of sleep 0.5 at once: %v in all", time.Since(start))
	for slot, r := range rs {
		// isolate's wall clock, in ms, starts after its fork: 498ms was seen.
		if r.Verdict != sandbox.Accepted || r.RealTime < 450*time.Millisecond {
			t.Errorf("slot %d: %v (%s), real_time %v; want ACCEPTED, about 500ms", slot, r.Verdict, r.Error, r.RealTime)
		}
	}
	if a, b := e.boxes[0].id, e.boxes[1].id; a == b {
		t.Errorf("slots 0 and 1 both ran in box %d", a)
	}
}

func TestIsolateExecutorsShareNoBox(t *testing.T) {
	es := []*isolateExec{openIsolateT(t, ""), openIsolateT(t, "")}
	var mu sync.Mutex
	var wg sync.WaitGroup
	seen := map[int]string{}
	for i, e := range es {
		for slot := range 3 {
			wg.Go(func() {
				b, err := e.box(t.Context(), slot)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				who := fmt.Sprintf("executor %d slot %d", i, slot)
				if other, ok := seen[b.id]; ok {
					t.Errorf("box %d taken by %s and %s", b.id, other, who)
				}
				seen[b.id] = who
			})
		}
	}
	wg.Wait()
	t.Logf("boxes: %v", seen)
}

// TestIsolateForeignBox checks that a box someone else initialized is
// left alone: the test initializes a free box under judgebench's lock,
// without naming it there, and lets the lock go.
func TestIsolateForeignBox(t *testing.T) {
	path := peer(t, "isolate")
	e := openIsolateT(t, "")
	id, lock := -1, (*os.File)(nil)
	for i := 0; i < e.conf.NumBoxes && lock == nil; i++ {
		f, err := os.OpenFile(filepath.Join(e.locks, fmt.Sprintf("uid-%d", e.conf.FirstUID+i)), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil || e.foreign(&isolateBox{id: i, dir: filepath.Join(e.conf.BoxRoot, strconv.Itoa(i)), lock: f}) {
			f.Close()
			continue
		}
		id, lock = i, f
	}
	if lock == nil {
		t.Skip("no free box")
	}
	box := strconv.Itoa(id)
	out, err := exec.Command(path, "-b", box, "--init").CombinedOutput()
	lock.Close()
	if err != nil {
		t.Fatalf("isolate --init: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command(path, "-b", box, "--cleanup").Run() })
	b, err := e.box(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.id == id {
		t.Errorf("took box %d, which another initialized", id)
	}
}

func TestIsolateCancel(t *testing.T) {
	skipIfRace(t)
	e := openIsolateT(t, "")
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := e.Run(ctx, work(t, sandbox.Limits{}, "hang"))
	took := time.Since(start)
	t.Logf("hang, cancelled after 500ms: returned after %v: %v (%s)", took, r.Verdict, r.Error)
	if r.Verdict != sandbox.SystemError || !strings.Contains(r.Error, "deadline exceeded") {
		t.Errorf("cancelled: %v (%s); want SYSTEM_ERROR, deadline exceeded", r.Verdict, r.Error)
	}
	if took > 2*time.Second {
		t.Errorf("cancelled after 500ms, returned after %v", took)
	}
	b := e.boxes[0]
	if pids := boxLeft(t, e.conf.FirstUID+b.id); len(pids) > 0 {
		t.Errorf("processes of box %d left 3s after the cancel returned: %v", b.id, pids)
	}
	if r := e.Run(t.Context(), work(t, sandbox.Limits{}, "exit", "0")); r.Verdict != sandbox.Accepted {
		t.Errorf("after the cancel: %v (%s); want ACCEPTED", r.Verdict, r.Error)
	}
}

// TestIsolateCancelStuck cancels a case whose isolate does not answer
// SIGTERM (it is stopped): it is killed with its process group, the box's
// processes die with its PID namespace, and the box is initialized again.
// The case is pinned to one CPU, which its program must have.
func TestIsolateCancelStuck(t *testing.T) {
	skipIfRace(t)
	e := openIsolateT(t, "")
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	cpu := 0
	for !set.IsSet(cpu) {
		cpu++
	}
	b, err := e.box(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan *sandbox.Result)
	go func() {
		cmd := work(t, sandbox.Limits{}, "hang")
		cmd.CPUs = []int{cpu}
		done <- e.Run(ctx, cmd)
	}()
	var pids []int
	for deadline := time.Now().Add(10 * time.Second); len(pids) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		pids = boxProcesses(t, e.conf.FirstUID+b.id)
	}
	if len(pids) == 0 {
		t.Fatal("the program never started")
	}
	if got := procStatus(t, pids[0], "Cpus_allowed_list:"); got != strconv.Itoa(cpu) {
		t.Errorf("program pinned to CPU %d runs on %q", cpu, got)
	}
	keeper := isolateChild(t)
	if err := unix.Kill(keeper, unix.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cancel()
	r := <-done
	t.Logf("isolate stopped, case cancelled: returned after %v: %v (%s)", time.Since(start), r.Verdict, r.Error)
	if r.Verdict != sandbox.SystemError || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled: %v after %v; want SYSTEM_ERROR within 5s", r.Verdict, time.Since(start))
	}
	if pids := boxLeft(t, e.conf.FirstUID+b.id); len(pids) > 0 {
		t.Errorf("processes of box %d left 3s after the cancel returned: %v", b.id, pids)
	}
	if r := e.Run(t.Context(), work(t, sandbox.Limits{}, "exit", "0")); r.Verdict != sandbox.Accepted {
		t.Errorf("after the cancel: %v (%s); want ACCEPTED", r.Verdict, r.Error)
	}
}

// TestIsolateBrokenBox checks that isolate's own failure is a SYSTEM_ERROR
// with its message, after which the box is initialized again.
func TestIsolateBrokenBox(t *testing.T) {
	skipIfRace(t)
	e := openIsolateT(t, "")
	b, err := e.box(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(b.dir); err != nil {
		t.Fatal(err)
	}
	r := e.Run(t.Context(), work(t, sandbox.Limits{}, "exit", "0"))
	if r.Verdict != sandbox.SystemError || r.Judge.Status != "XX" || !strings.Contains(r.Error, "exit status 2: ") {
		t.Errorf("box removed: %v, status %q (%s); want SYSTEM_ERROR, XX, isolate's message", r.Verdict, r.Judge.Status, r.Error)
	}
	t.Logf("box removed: %s", r.Error)
	if r := e.Run(t.Context(), work(t, sandbox.Limits{}, "exit", "0")); r.Verdict != sandbox.Accepted {
		t.Errorf("after: %v (%s); want ACCEPTED", r.Verdict, r.Error)
	}
}

// isolateChild is the pid of the isolate this process started.
func isolateChild(t *testing.T) int {
	t.Helper()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		if procStatus(t, pid, "Name:") == "isolate" && procStatus(t, pid, "PPid:") == strconv.Itoa(os.Getpid()) {
			return pid
		}
	}
	t.Fatal("no isolate running")
	return 0
}

// procStatus is the value of field (with its colon) in /proc/PID/status.
func procStatus(t *testing.T, pid int, field string) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// boxLeft returns the processes of box uid still there after a kill:
// killed processes may take a moment to be gone (and reaped) on a busy
// machine, so it waits up to 3s for none to be left.
func boxLeft(t *testing.T, uid int) []int {
	t.Helper()
	pids := boxProcesses(t, uid)
	for deadline := time.Now().Add(3 * time.Second); len(pids) > 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		pids = boxProcesses(t, uid)
	}
	return pids
}

// boxProcesses returns the processes running as uid.
func boxProcesses(t *testing.T, uid int) []int {
	t.Helper()
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*/status")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(b)) {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" && f[1] == strconv.Itoa(uid) {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// TestIsolateClose checks that Close cleans up and releases every box it
// took. Another judgebench may take a box at once: a box is checked only
// under judgebench's lock on it, and this process must hold no lock.
func TestIsolateClose(t *testing.T) {
	e := openIsolateT(t, "")
	var ids []int
	for slot := range 2 {
		b, err := e.box(t.Context(), slot)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.id)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	fds, _ := filepath.Glob("/proc/self/fd/*")
	for _, fd := range fds {
		if target, _ := os.Readlink(fd); strings.HasPrefix(target, e.locks) {
			t.Errorf("%s still open after Close", target)
		}
	}
	for _, id := range ids {
		f, err := os.Open(filepath.Join(e.locks, fmt.Sprintf("uid-%d", e.conf.FirstUID+id)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			t.Logf("box %d: taken by another judgebench since", id)
			continue
		}
		if _, err := os.Stat(filepath.Join(e.conf.BoxRoot, strconv.Itoa(id))); !os.IsNotExist(err) {
			t.Errorf("box %d: %v; want it removed", id, err)
		}
		if st, err := os.Stat(filepath.Join(e.conf.LockRoot, strconv.Itoa(id))); err == nil && st.Size() > 0 {
			t.Errorf("box %d: isolate's lock says initialized", id)
		}
	}
	if _, err := os.Stat(e.wd.dir); !os.IsNotExist(err) {
		t.Errorf("work directory: %v; want it removed", err)
	}
	if r := e.Run(t.Context(), work(t, sandbox.Limits{}, "exit", "0")); r.Verdict != sandbox.SystemError {
		t.Errorf("after Close: %v; want SYSTEM_ERROR", r.Verdict)
	}
}

func TestIsolateBadSpec(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "isolate")
	os.WriteFile(notExec, nil, 0o644)
	tests := []struct{ spec, want string }{
		{"isolate:" + filepath.Join(dir, "missing"), "no such file"},
		{"isolate:" + notExec, "not an executable file"},
		{"isolate:/bin/true", "no box_root and num_boxes"},
		{"isolate:/bin/true,bogus", `unknown option "bogus"`},
	}
	for _, tt := range tests {
		ex, err := Open(t.Context(), tt.spec)
		if err == nil {
			ex.Close()
			t.Errorf("Open(%q) = nil error; want one saying %q", tt.spec, tt.want)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "judges: isolate: ") || strings.Contains(msg, "judges: judges") || strings.Contains(msg, "\n") || !strings.Contains(msg, tt.want) {
			t.Errorf("Open(%q) = %q; want one line starting \"judges: isolate: \" saying %q", tt.spec, msg, tt.want)
		}
	}
}

func TestIsolateDescribe(t *testing.T) {
	e := openIsolateT(t, "")
	d := e.Describe()
	var c map[string]any
	if err := json.Unmarshal(d.Config, &c); err != nil {
		t.Fatal(err)
	}
	if d.Executor != "isolate" || !strings.HasPrefix(d.Version, "The process isolator") || c["num_boxes"] == nil || len(d.Notes) == 0 {
		t.Errorf("Describe() = %+v; want executor isolate, its version, num_boxes in config, notes", d)
	}
}

// TestIsolateCgroup runs isolate --cg where cgroup v2 with the memory
// controller allows it.
func TestIsolateCgroup(t *testing.T) {
	skipIfRace(t)
	peer(t, "isolate")
	conf, err := isolateConfig(t.Context(), peer(t, "isolate"))
	if err != nil {
		t.Fatal(err)
	}
	parent := filepath.Dir(conf.CgRoot)
	ctl, err := os.ReadFile(filepath.Join(parent, "cgroup.subtree_control"))
	if err != nil || !slices.Contains(strings.Fields(string(ctl)), "memory") {
		t.Skipf("isolate --cg needs cgroup v2 with the memory controller enabled in %s/cgroup.subtree_control (here %q, %v)", parent, strings.TrimSpace(string(ctl)), err)
	}
	if _, err := os.Stat(conf.CgRoot); err != nil {
		t.Skipf("isolate --cg needs its cg_root: %v", err)
	}
	e := openIsolateT(t, ",cg")
	r := e.Run(t.Context(), work(t, sandbox.Limits{Memory: 256 * sandbox.MiB}, "alloc", "512"))
	if r.Verdict != sandbox.MemoryLimitExceeded || r.MemorySource != "isolate:cg-mem" {
		t.Errorf("alloc 512 under 256MiB with --cg: %v, memory from %q (%s); want MEMORY_LIMIT_EXCEEDED, isolate:cg-mem", r.Verdict, r.MemorySource, r.Error)
	}
}

// TestIsolateLatency reports (and does not check) isolate's cost per
// trivial case: judgebench's `exit 0` (a Go program), and true(1).
func TestIsolateLatency(t *testing.T) {
	e := openIsolateT(t, "")
	progs := map[string]func() *sandbox.Command{
		"exit 0": func() *sandbox.Command { return work(t, sandbox.Limits{}, "exit", "0") },
	}
	if raceEnabled {
		delete(progs, "exit 0")
	}
	if p, err := exec.LookPath("true"); err == nil {
		progs["true"] = func() *sandbox.Command { return &sandbox.Command{Path: p} }
	}
	for name, cmd := range progs {
		e.Run(t.Context(), cmd()) // the box and the program's copy
		var lat, real []time.Duration
		for range 20 {
			r := e.Run(t.Context(), cmd())
			if r.Verdict != sandbox.Accepted {
				t.Fatalf("%s: %v (%s)", name, r.Verdict, r.Error)
			}
			lat, real = append(lat, r.Judge.Latency), append(real, r.RealTime)
		}
		slices.Sort(lat)
		slices.Sort(real)
		t.Logf("%s, 20 runs: latency around isolate min %v median %v max %v; isolate's time-wall median %v",
			name, lat[0], lat[len(lat)/2], lat[len(lat)-1], real[len(real)/2])
	}
}

func TestIsolateMeta(t *testing.T) {
	tests := []struct {
		meta   string
		want   sandbox.Verdict
		status string
	}{
		{"time:0.306\ntime-wall:0.370\nmax-rss:3996\ncsw-voluntary:321\ncsw-forced:1962\nexitcode:0\n", sandbox.Accepted, "OK"},
		{"status:TO\nmessage:Time limit exceeded\nkilled:1\ntime:0.300\n", sandbox.CPUTimeLimitExceeded, "TO"},
		{"status:TO\nmessage:Time limit exceeded (wall clock)\nkilled:1\ntime:0.003\n", sandbox.RealTimeLimitExceeded, "TO"},
		{"exitcode:1\nstatus:RE\nmessage:Exited with error status 1\n", sandbox.RuntimeError, "RE"},
		{"exitsig:11\nstatus:SG\nmessage:Caught fatal signal 11\n", sandbox.RuntimeError, "SG"},
		{"exitsig:25\nstatus:SG\nmessage:Caught fatal signal 25\n", sandbox.OutputLimitExceeded, "SG"},
		{"cg-mem:262144\ncg-oom-killed:1\nexitsig:9\nstatus:SG\n", sandbox.MemoryLimitExceeded, "SG"},
		{"status:XX\nmessage:Box not found\n", sandbox.SystemError, "XX"},
		{"status:??\n", sandbox.SystemError, "??"},
	}
	for _, tt := range tests {
		m := parseMeta([]byte(tt.meta))
		if got := m.verdict(); got != tt.want || m.status() != tt.status {
			t.Errorf("parseMeta(%q): verdict %v, status %q; want %v, %q", tt.meta, got, m.status(), tt.want, tt.status)
		}
	}
	m := parseMeta([]byte(tests[0].meta))
	r := m.result()
	want := sandbox.Result{Verdict: sandbox.Accepted, CPUTime: 306 * time.Millisecond, RealTime: 370 * time.Millisecond,
		Memory: 3996 * sandbox.KiB, MaxRSS: 3996 * sandbox.KiB, MemorySource: "isolate:max-rss", VoluntarySwitches: 321, InvoluntarySwitches: 1962}
	if r.Verdict != want.Verdict || r.CPUTime != want.CPUTime || r.RealTime != want.RealTime || r.Memory != want.Memory ||
		r.MaxRSS != want.MaxRSS || r.MemorySource != want.MemorySource || r.VoluntarySwitches != 321 || r.InvoluntarySwitches != 1962 || r.ExitCode != 0 {
		t.Errorf("result(%q) = %+v; want %+v", tests[0].meta, r, want)
	}
	if got, want := string(m.JSON()), `{"time":0.306,"time-wall":0.370,"max-rss":3996,"csw-voluntary":321,"csw-forced":1962,"exitcode":0}`; got != want {
		t.Errorf("JSON() = %s; want %s", got, want)
	}
}

func FuzzParseMeta(f *testing.F) {
	f.Add([]byte("time:0.306\ntime-wall:0.370\nmax-rss:3996\nexitcode:0\n"))
	f.Add([]byte("status:XX\nmessage:a: b: c\nstatus:TO\n"))
	f.Add([]byte("time:-1\nexitsig:x\n:\n\n\r\nk:\xff\ncg-mem:007\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := parseMeta(b)
		raw := m.JSON()
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatalf("JSON() = %q: %v", raw, err)
		}
		if len(obj) != len(m.keys) && !slices.ContainsFunc(m.keys, func(k string) bool { return !utf8.ValidString(k) }) {
			t.Errorf("JSON() has %d keys; the meta %d", len(obj), len(m.keys))
		}
		r := m.result()
		if r.CPUTime < 0 || r.RealTime < 0 {
			t.Errorf("result: cpu %v, real %v; want no negative time", r.CPUTime, r.RealTime)
		}
		for _, k := range m.keys {
			if strings.Contains(k, ":") || strings.Contains(k, "\n") {
				t.Errorf("key %q holds a separator", k)
			}
		}
	})
}
