package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// hold is a judgebench process that another test kills: it makes a Sandbox in
// mode, prints its cgroup version and warnings on one line, then runs a case
// that leaves a grandchild behind, prints the grandchild's pid, and waits for
// it. TestMain runs it for `hold MODE`.
func hold(mode string) int {
	iso := IsolationProcess // the grandchild's pid is the host's
	if m, level, ok := strings.Cut(mode, ","); ok {
		mode, iso = m, Isolation(level)
	}
	s, err := New(Options{Cgroup: CgroupMode(mode), Isolation: iso})
	if err != nil {
		fmt.Println("error", err)
		return 2
	}
	fmt.Printf("cgroup=%s warnings=%d\n", s.Cgroup(), len(s.Warnings()))
	s.Run(context.Background(), &Command{Path: "/bin/sh", Args: []string{"-c", "sleep 1000 & echo $! $(readlink /proc/self/ns/pid); wait"}, Stdout: os.Stdout,
		Limits: Limits{CPUTime: 10 * time.Minute, RealTime: 10 * time.Minute}})
	return 0
}

// TestRemoveLeftovers kills a judgebench process (a process-model worker,
// say) with SIGKILL while its case runs: its cgroups are left behind with the
// case's grandchild in them. RemoveLeftovers, called by its parent, must kill
// that grandchild and remove them. The child gets the same cgroups as this
// process, wherever it was born: on a delegated cgroup v2 host this process
// moved itself into a leaf to enable controllers for its runs, and the child
// is born in that leaf.
func TestRemoveLeftovers(t *testing.T) {
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		pid, grandchild := killHolder(t, s)
		if err := RemoveLeftovers(pid); err != nil {
			t.Errorf("RemoveLeftovers(%d) = %v", pid, err)
		}
		checkRemoved(t, pid, grandchild)
	})
}

// TestDeadOwnerRemoved: a judgebench process killed with SIGKILL while its
// case runs forever leaves its cgroups and its case's processes behind; the
// next judgebench process to start a Sandbox, any Sandbox, removes both.
func TestDeadOwnerRemoved(t *testing.T) {
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		pid, grandchild := killHolder(t, s)
		for _, mode := range []CgroupMode{CgroupOff, CgroupMode(path.Base(t.Name()))} {
			s, err := New(Options{Cgroup: mode})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}
		checkRemoved(t, pid, grandchild)
	})
}

// killHolder starts `hold MODE` (the subtest's mode), waits until its case
// runs and its grandchild is up, kills it with SIGKILL and reaps it. It
// returns the killed process's pid and its case's grandchild's.
func killHolder(t *testing.T, s *Sandbox) (pid, grandchild int) {
	t.Helper()
	pid, grandchild, _ = killHolderAt(t, s, IsolationProcess)
	return pid, grandchild
}

// killHolderAt is killHolder at isolation level iso; it also returns the link
// of the grandchild's PID namespace.
func killHolderAt(t *testing.T, s *Sandbox, iso Isolation) (pid, grandchild int, pidNS string) {
	t.Helper()
	if s.Cgroup() == "none" {
		t.Skip("no cgroup: nothing is left behind in one")
	}
	cmd := exec.CommandContext(t.Context(), self(t), "hold", path.Base(t.Name())+","+string(iso)) // the subtest's mode
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	var got []string
	for len(got) < 2 && lines.Scan() {
		got = append(got, lines.Text())
	}
	if len(got) < 2 {
		t.Fatalf("hold printed %q; want its cgroup and a pid", got)
	}
	if want := fmt.Sprintf("cgroup=%s warnings=%d", s.Cgroup(), len(s.Warnings())); got[0] != want {
		t.Errorf("a child of this process has a sandbox with %q; want %q, as this process has", got[0], want)
	}
	fields := strings.Fields(got[1] + " x")
	grandchild, err = strconv.Atoi(fields[0])
	pidNS = fields[1]
	if err != nil {
		t.Fatalf("hold printed %q; want a pid", got[1])
	}
	if len(cgroupsOf(cmd.Process.Pid)) == 0 {
		t.Errorf("no cgroup of the child %d found while its case runs", cmd.Process.Pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	return cmd.Process.Pid, grandchild, pidNS
}

// TestKilledHarnessLeavesNoBox: a judgebench process killed with SIGKILL
// while its case runs at IsolationNamespaces leaves no process of the case
// alive a second later (the box's init dies with it, and the kernel kills
// its namespace), and the next Sandbox removes its cgroups.
func TestKilledHarnessLeavesNoBox(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("isolation namespaces needs root")
	}
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		pid, _, ns := killHolderAt(t, s, IsolationNamespaces)
		killed := time.Now()
		var left []int
		for {
			sweepOnce(0, false) // the zombies that come back to this process, as judgebench reaps them
			if left = inNamespaces(map[string]int{ns: -1}); len(left) == 0 || time.Since(killed) > time.Second {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if len(left) > 0 {
			t.Errorf("processes %v of the box %s still alive %v after its judgebench was killed", left, ns, time.Since(killed))
			for _, p := range left {
				unix.Kill(p, unix.SIGKILL)
			}
		}
		next, err := New(Options{Cgroup: CgroupOff, Isolation: IsolationNone})
		if err != nil {
			t.Fatal(err)
		}
		next.Close()
		if left := cgroupsOf(pid); len(left) > 0 {
			t.Errorf("cgroups of the killed process %d left after the next judgebench started: %v", pid, left)
		}
	})
}

// checkRemoved checks that the cgroups of the killed judgebench process pid
// are gone, and its case's grandchild with them.
func checkRemoved(t *testing.T, pid, grandchild int) {
	t.Helper()
	if left := cgroupsOf(pid); len(left) > 0 {
		t.Errorf("cgroups of the killed process %d left: %v", pid, left)
	}
	// Killed, it came back to this process (a subreaper) to be reaped.
	if state, _ := procStat(grandchild); state == 'Z' {
		wait4(grandchild, new(unix.WaitStatus), nil)
	}
	if err := unix.Kill(grandchild, 0); err != unix.ESRCH {
		unix.Kill(grandchild, unix.SIGKILL)
		t.Errorf("grandchild %d of the killed process %d: kill(0) = %v; want ESRCH", grandchild, pid, err)
	}
}

// TestOwnerByStartTime: a cgroup named after a pid that now runs another
// process (one that started at another time) is a dead owner's, and New
// removes it; one named after a live owner, or not after an owner at all, it
// leaves alone.
func TestOwnerByStartTime(t *testing.T) {
	s := newSandbox(t, CgroupAuto)
	if s.Cgroup() == "none" {
		t.Skip("no cgroup")
	}
	tops, err := cgroupTops()
	if err != nil || len(tops) == 0 {
		t.Fatalf("cgroupTops() = %q, %v; want where this process's cgroups are", tops, err)
	}
	start, _ := procStart(os.Getpid())
	me := strconv.Itoa(os.Getpid())
	reused := me + "-" + strconv.FormatUint(start+1, 10) + "-1" // this pid, another start: dead
	live := owner() + "-9999"
	other := "not-an-owner"
	for _, top := range tops {
		for _, name := range []string{reused, live, other} {
			dir := filepath.Join(top, parentName, name)
			if err := mkdirParent(dir); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unix.Rmdir(dir) })
		}
	}
	s2, err := New(Options{Cgroup: CgroupOff})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	for _, top := range tops {
		for name, want := range map[string]bool{reused: false, live: true, other: true} {
			if got := fileExists(filepath.Join(top, parentName, name)); got != want {
				t.Errorf("after New, %s/%s/%s exists = %v; want %v", top, parentName, name, got, want)
			}
		}
	}
}

// TestSandboxesAtOnce: two Sandboxes of one process, open at once and closed
// in either order, get the same cgroups, leave none behind, and leave the
// process in the cgroup it started in. On a delegated cgroup v2 host the
// first moves the process into a leaf to enable controllers for its runs; the
// second finds it there; the last to close moves it back.
func TestSandboxesAtOnce(t *testing.T) {
	home, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range modes() {
		for _, lastFirst := range []bool{false, true} {
			a, err := New(Options{Cgroup: mode})
			if err != nil {
				t.Logf("cgroup mode %s: %v", mode, err)
				continue
			}
			b, err := New(Options{Cgroup: mode})
			if err != nil {
				a.Close()
				t.Fatalf("mode %s: a second Sandbox while the first is open: %v", mode, err)
			}
			ra := a.Run(t.Context(), work(t, Limits{}, "exit", "0"))
			rb := b.Run(t.Context(), work(t, Limits{}, "exit", "0"))
			if b.Cgroup() != a.Cgroup() || len(b.Warnings()) != len(a.Warnings()) || rb.MemorySource != ra.MemorySource {
				t.Errorf("mode %s: a second Sandbox has cgroup %s, warnings %q, memory from %s; want %s, %q, %s as the first",
					mode, b.Cgroup(), b.Warnings(), rb.MemorySource, a.Cgroup(), a.Warnings(), ra.MemorySource)
			}
			first, last := a, b
			if lastFirst {
				first, last = b, a
			}
			if err := first.Close(); err != nil {
				t.Errorf("mode %s: Close of one Sandbox while another is open = %v", mode, err)
			}
			if err := last.Close(); err != nil {
				t.Errorf("mode %s: Close of the last Sandbox = %v", mode, err)
			}
			if left := cgroupsOf(os.Getpid()); len(left) > 0 {
				t.Errorf("mode %s: cgroups left after both closed: %v", mode, left)
			}
			if now, _ := os.ReadFile("/proc/self/cgroup"); string(now) != string(home) {
				t.Errorf("mode %s: after both closed this process is in\n%s\nwant where it started:\n%s", mode, now, home)
			}
		}
	}
}

// TestIsolationKeepsCgroups: a Sandbox gets the same cgroups at every
// isolation level as at none, each made while no other is open. On a
// delegated cgroup v2 host a box's holder started in the delegated cgroup
// before the Sandbox's cgroups would stay there, so the cgroup could not
// enable controllers for the runs: the Sandbox would have none.
func TestIsolationKeepsCgroups(t *testing.T) {
	home, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range modes() {
		var want string
		var wantSource MemorySource
		for _, level := range append([]Isolation{IsolationNone}, Isolations()...) {
			s, err := New(Options{Cgroup: mode, Isolation: level})
			if err != nil {
				t.Logf("cgroup mode %s, isolation %s: %v", mode, level, err)
				continue
			}
			r := s.Run(t.Context(), &Command{Path: "/bin/true", Limits: roomy(Limits{})})
			if level == IsolationNone {
				want, wantSource = s.Cgroup(), r.MemorySource
			} else if s.Cgroup() != want || r.MemorySource != wantSource {
				t.Errorf("mode %s, isolation %s: cgroup %s, memory from %s, warnings %q; want %s and %s as at none",
					mode, level, s.Cgroup(), r.MemorySource, s.Warnings(), want, wantSource)
			}
			if err := s.Close(); err != nil {
				t.Errorf("mode %s, isolation %s: Close = %v", mode, level, err)
			}
			if now, _ := os.ReadFile("/proc/self/cgroup"); string(now) != string(home) {
				t.Errorf("mode %s, isolation %s: after Close this process is in\n%s\nwant where it started:\n%s", mode, level, now, home)
			}
		}
	}
}
