package sandbox

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPinnedAtEveryLevel: a program given a CPU runs there and only there
// at every isolation level (namespaces as root), though at process and
// namespaces it is started from a thread of the sandbox's own: its
// Cpus_allowed_list is that CPU, and so is the CPU a child of it last ran
// on. Without CPUs it keeps the whole set, which shows the test can tell.
func TestPinnedAtEveryLevel(t *testing.T) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	if set.Count() < 2 {
		t.Skip("one CPU: a pinned program cannot be told from one that is not")
	}
	cpu := 0
	for c := range maxCPU {
		if set.IsSet(c) {
			cpu = c // the last: not the only one an unpinned program may run on
		}
	}
	script := "grep Cpus_allowed_list /proc/self/status; cut -d' ' -f39 /proc/self/stat"
	for _, level := range Isolations() {
		if level == IsolationNamespaces && os.Geteuid() != 0 {
			continue
		}
		t.Run(string(level), func(t *testing.T) {
			s, err := New(Options{Isolation: level})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			c := &Command{Path: "/bin/sh", Args: []string{"-c", script}, CPUs: []int{cpu}, Limits: roomy(Limits{})}
			r, out := runOut(t, s, c)
			if want := fmt.Sprintf("Cpus_allowed_list:\t%d\n%d\n", cpu, cpu); r.Verdict != Accepted || out != want {
				t.Errorf("pinned to CPU %d at %s: %s, output %q; want ACCEPTED, %q", cpu, level, describe(r), out, want)
			}
			c = &Command{Path: "/bin/sh", Args: []string{"-c", script}, Limits: roomy(Limits{})}
			r, out = runOut(t, s, c)
			if allowed, _, _ := strings.Cut(out, "\n"); r.Verdict != Accepted || allowed == "Cpus_allowed_list:\t"+strconv.Itoa(cpu) {
				t.Errorf("not pinned at %s: %s, output %q; want ACCEPTED and more CPUs than %d", level, describe(r), out, cpu)
			}
		})
	}
}

// TestPinRefused: a CPU no set holds is refused before the program starts;
// a CPU that is not online is a SYSTEM_ERROR saying why.
func TestPinRefused(t *testing.T) {
	s, err := New(Options{Isolation: IsolationNone})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, cpus := range [][]int{{-1}, {maxCPU}, {maxCPU - 1}} {
		r := s.Run(t.Context(), &Command{Path: "/bin/true", CPUs: cpus, Limits: roomy(Limits{})})
		if r.Verdict != SystemError || !strings.Contains(r.Error, "CPU") {
			t.Errorf("CPUs %v: %s; want SYSTEM_ERROR naming the CPU", cpus, describe(r))
		}
	}
}
