package sandbox

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// leftovers reports cgroups of this process still around, and children.
func leftovers() error {
	found := cgroupsOf(os.Getpid())
	if kids := children(); len(kids) > 0 {
		found = append(found, fmt.Sprintf("children %v", kids))
	}
	if len(found) > 0 {
		return fmt.Errorf("%s", strings.Join(found, ", "))
	}
	return nil
}

// cgroupsOf lists the cgroup directories that judgebench process pid made:
// those named PID-... in a judgebench parent cgroup, at most a few levels
// below /sys/fs/cgroup.
func cgroupsOf(pid int) []string {
	var found []string
	prefix := strconv.Itoa(pid) + "-"
	filepath.WalkDir("/sys/fs/cgroup", func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil || !d.IsDir():
		case filepath.Base(filepath.Dir(path)) == parentName && strings.HasPrefix(d.Name(), prefix):
			found = append(found, path)
			return filepath.SkipDir
		case strings.Count(path, "/") > 9:
			return filepath.SkipDir
		}
		return nil
	})
	return found
}

// self is this test binary, the judged program of most tests.
func self(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// work returns a Command running built-in workload name. A race-instrumented
// child would sleep a second at exit without GORACE.
func work(t testing.TB, l Limits, name string, args ...string) *Command {
	return &Command{
		Path:   self(t),
		Args:   append([]string{"work", name}, args...),
		Env:    append(os.Environ(), "GORACE=atexit_sleep_ms=0"),
		Limits: roomy(l),
	}
}

// roomy gives a test's command room on the time limits it does not set: a
// test that checks one limit must not trip another on a busy machine, where
// a case may get a small share of a CPU. A CPU limit alone gets a real-time
// limit of a minute (not the default 3x), no CPU limit gets 10s.
func roomy(l Limits) Limits {
	if l.CPUTime == 0 {
		l.CPUTime = 10 * time.Second
	}
	if l.RealTime == 0 {
		l.RealTime = time.Minute
	}
	return l
}

// skipIfRace skips a test that measures the judged program itself.
func skipIfRace(t *testing.T) {
	if raceEnabled {
		t.Skip("race-instrumented children: their memory and timing are not a program's own; run without -race")
	}
}

// modes lists the cgroup modes to test here: JUDGEBENCH_TEST_CGROUP if set,
// else auto, off and (when this host has a unified hierarchy) v2.
func modes() []CgroupMode {
	if m := os.Getenv("JUDGEBENCH_TEST_CGROUP"); m != "" {
		return []CgroupMode{CgroupMode(m)}
	}
	return []CgroupMode{CgroupAuto, CgroupOff, CgroupV2}
}

// newSandbox makes a Sandbox in mode, or skips the test where the host has none.
func newSandbox(t testing.TB, mode CgroupMode) *Sandbox {
	t.Helper()
	s, err := New(Options{Cgroup: mode})
	if err != nil {
		t.Skipf("cgroup mode %s: %v", mode, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// memorySandbox makes a Sandbox at IsolationNone in mode, or skips the test
// where the host has no such cgroups or they have no memory controller (a
// program is then traced to its end, and started by Go's own start).
func memorySandbox(t *testing.T, mode CgroupMode) *Sandbox {
	t.Helper()
	s, err := New(Options{Cgroup: mode, Isolation: IsolationNone})
	if err != nil {
		t.Skipf("cgroup %s: %v", mode, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if slices.ContainsFunc(s.Warnings(), mentions("memory")) {
		t.Skip("no memory controller")
	}
	return s
}

// forEachMode runs f as a subtest per cgroup mode.
func forEachMode(t *testing.T, f func(t *testing.T, s *Sandbox)) {
	for _, m := range modes() {
		t.Run(string(m), func(t *testing.T) { f(t, newSandbox(t, m)) })
	}
}

// forEachLevel runs f as a subtest per isolation level, with a Sandbox at
// it; a level this host refuses is skipped.
func forEachLevel(t *testing.T, f func(t *testing.T, s *Sandbox)) {
	for _, level := range Isolations() {
		t.Run(string(level), func(t *testing.T) {
			s, err := New(Options{Isolation: level})
			if err != nil {
				t.Skip(err)
			}
			defer s.Close()
			f(t, s)
		})
	}
}

// runOut runs c and returns its result and stdout.
func runOut(t testing.TB, s *Sandbox, c *Command) (*Result, string) {
	t.Helper()
	var out bytes.Buffer
	c.Stdout = &out
	r := s.Run(t.Context(), c)
	return r, out.String()
}

func describe(r *Result) string {
	return fmt.Sprintf("%v cpu=%v real=%v mem=%v (%s) exit=%d signal=%d error=%q stderr=%.200q warnings=%q",
		r.Verdict, r.CPUTime, r.RealTime, r.Memory, r.MemorySource, r.ExitCode, r.Signal, r.Error, r.Stderr, r.Warnings)
}

// sortCase is a sort problem of n numbers, as the sort workload reads it
// (n, then the numbers) and its expected output. scenarios.SortCase makes the
// same, but scenarios imports this package.
func sortCase(n int, seed int64) (in, out []byte) {
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	nums := make([]int, n)
	for i := range nums {
		nums[i] = rng.IntN(2_000_000_001) - 1_000_000_000
	}
	var b bytes.Buffer
	fmt.Fprintln(&b, n)
	for _, x := range nums {
		fmt.Fprintln(&b, x)
	}
	slices.Sort(nums)
	strs := make([]string, n)
	for i, x := range nums {
		strs[i] = strconv.Itoa(x)
	}
	return b.Bytes(), []byte(strings.Join(strs, " ") + "\n")
}

// selfSh returns a Command that runs script with /bin/sh, $0 being the test
// binary where the run's isolation level shows it (a copy in a box, say), so
// that the script can start workloads as "$0" work NAME.
func selfSh(t testing.TB, l Limits, script string, args ...string) *Command {
	c := work(t, l, "")
	c.Args = append([]string{"sh", script}, args...)
	return c
}

// leftInBoxes lists the processes left in the PID namespaces of s's idle
// holders, the holders aside: what a finished run left alive in its box.
func leftInBoxes(s *Sandbox) []int {
	if s.iso == nil {
		return nil
	}
	s.iso.mu.Lock()
	ns := map[string]int{}
	for _, h := range s.iso.idle {
		link, _ := os.Readlink("/proc/" + strconv.Itoa(h.pid) + "/ns/pid")
		ns[link] = h.pid
	}
	s.iso.mu.Unlock()
	return inNamespaces(ns)
}

// inNamespaces lists the live processes in the PID namespaces whose /proc/PID/ns/pid
// links are the keys of ns, but the ones its values name.
func inNamespaces(ns map[string]int) []int {
	return processes(func(pid string) bool {
		link, err := os.Readlink("/proc/" + pid + "/ns/pid")
		n, _ := strconv.Atoi(pid)
		holder, ok := ns[link]
		state, _ := procStat(n)
		return err == nil && ok && holder != n && state != 'Z' // a zombie is dead, waiting for its parent
	})
}

// checkGone checks that the process a run printed the pid of is gone after
// the run. At IsolationNamespaces that pid is the box's own: nothing may be
// left in any box.
func checkGone(t *testing.T, s *Sandbox, pid int, what string) {
	t.Helper()
	if s.isolation == IsolationNamespaces {
		if left := leftInBoxes(s); len(left) > 0 {
			for _, p := range left {
				unix.Kill(p, unix.SIGKILL)
			}
			t.Errorf("%s: processes %v left in a box after the run", what, left)
		}
		return
	}
	if err := unix.Kill(pid, 0); err != unix.ESRCH {
		unix.Kill(pid, unix.SIGKILL)
		t.Errorf("%s %d after the run: kill(0) = %v; want ESRCH", what, pid, err)
	}
}
