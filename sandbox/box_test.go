package sandbox

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDoomedThread: goOnDoomedThread never runs on the main thread, whatever
// thread its goroutine lands on, and the thread it ran on is gone after.
func TestDoomedThread(t *testing.T) {
	for range 200 {
		tids := make(chan int)
		goOnDoomedThread(func() { tids <- unix.Gettid() })
		tid := <-tids
		if tid == unix.Getpid() {
			t.Fatal("goOnDoomedThread ran on the main thread")
		}
		task := "/proc/self/task/" + strconv.Itoa(tid)
		for i := 0; ; i++ {
			if _, err := os.Stat(task); err != nil {
				break
			}
			if i == 1000 {
				t.Fatalf("thread %d outlived its goroutine", tid)
			}
			unix.Nanosleep(&unix.Timespec{Nsec: 1e6}, nil)
		}
	}
}

// TestBoxedRunsLeaveHarnessAlone: after boxed runs, this process (its main
// thread, which /proc/self shows) is in its own namespaces, without
// no_new_privs or a seccomp filter: what a run's start thread took died
// with it.
func TestBoxedRunsLeaveHarnessAlone(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: no box")
	}
	before := ownState(t)
	s, err := New(Options{Isolation: IsolationNamespaces})
	if err != nil {
		t.Skip(err)
	}
	defer s.Close()
	for range 40 {
		if r := s.Run(t.Context(), work(t, roomy(Limits{}), "exit", "0")); r.Verdict != Accepted {
			t.Fatalf("boxed run = %s", describe(r))
		}
	}
	if after := ownState(t); after != before {
		t.Errorf("this process after boxed runs:\n%s\nwas:\n%s", after, before)
	}
}

// ownState describes this process's namespaces, no_new_privs and seccomp
// mode, as /proc/self shows them.
func ownState(t *testing.T) string {
	var b strings.Builder
	for _, ns := range []string{"mnt", "pid", "net", "uts", "ipc"} {
		link, err := os.Readlink("/proc/self/ns/" + ns)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(link + "\n")
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "NoNewPrivs:") || strings.HasPrefix(line, "Seccomp:") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// TestBoxLeavesNothingForTheNext: a run in a box finds nothing of the last
// run of its slot (same uid): no file, no changed mode or timestamp of its
// directories, whether the last run changed its tmpfs or not.
func TestBoxLeavesNothingForTheNext(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: no box")
	}
	for _, mode := range []CgroupMode{CgroupAuto, CgroupOff} {
		t.Run(string(mode), func(t *testing.T) { boxLeavesNothing(t, mode) })
	}
}

func boxLeavesNothing(t *testing.T, mode CgroupMode) {
	s, err := New(Options{Isolation: IsolationNamespaces, Cgroup: mode})
	if err != nil {
		t.Skip(err)
	}
	defer s.Close()
	sh := func(script string) string {
		t.Helper()
		r, out := runOut(t, s, &Command{Path: "/bin/sh", Args: []string{"-c", script}, Limits: roomy(Limits{})})
		if r.Verdict != Accepted {
			t.Fatalf("%q: %s", script, describe(r))
		}
		return out
	}
	look := `ls -A /box /tmp /dev/shm; stat -c '%a %Y' /box /tmp /dev/shm`
	clean := sh(look)
	for _, change := range []string{
		"true", // nothing: the same tmpfs may serve again
		"echo a > /box/f",
		"echo a > /tmp/f; mkdir /dev/shm/d",
		"touch -d 2001-01-01 /box",
		"chmod 755 /box",
		"echo a > /tmp/f; rm /tmp/f",
	} {
		sh(change)
		// With a cgroup, which killed every process of the run, a box
		// left untouched is ready for the next without an order to its
		// holder. A box is kept only then, and only the box that is kept
		// stays open to the harness.
		kept := readyAsItIs(s)
		switch {
		case change == "true" && s.cgroups != nil && !kept:
			t.Errorf("a run that left its box untouched did not leave it ready as it is")
		case (change != "true" || s.cgroups == nil) && kept:
			t.Errorf("after a run of %q the box is ready as it is; want a prepare", change)
		case !kept && viewOpen(s):
			t.Errorf("after a run of %q the harness still holds the tmpfs its holder may drop", change)
		}
		if got := sh(look); got != clean && !sameButTimes(got, clean) {
			t.Errorf("after a run of %q the next finds\n%s\nwant, as the first found,\n%s", change, got, clean)
		}
	}
}

// TestDeadHolder: a box kept ready as it is whose holder then dies (killed
// from outside) fails one run at most, and the next get a new box.
func TestDeadHolder(t *testing.T) {
	s := boxSandbox(t)
	run := func() *Result { return s.Run(t.Context(), &Command{Path: "/bin/true", Limits: roomy(Limits{})}) }
	for range 2 {
		if r := run(); r.Verdict != Accepted {
			t.Fatal(describe(r))
		}
	}
	s.iso.mu.Lock()
	pid := s.iso.idle[0].pid
	s.iso.mu.Unlock()
	if err := unix.Kill(pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for range 3 {
		if r := run(); r.Verdict != Accepted {
			failed++
			t.Logf("a run after its holder died: %s", describe(r))
		}
	}
	if failed > 1 {
		t.Errorf("%d of 3 runs after the holder died failed; want one at most", failed)
	}
}

// viewOpen reports whether the harness holds s's idle holder's run tmpfs
// open (see rwView).
func viewOpen(s *Sandbox) bool {
	s.iso.mu.Lock()
	defer s.iso.mu.Unlock()
	return len(s.iso.idle) == 1 && len(s.iso.idle[0].seen.dirs) > 0
}

// readyAsItIs reports whether s's one idle holder is ready for the next run
// without an order (see holder.keep).
func readyAsItIs(s *Sandbox) bool {
	s.iso.mu.Lock()
	defer s.iso.mu.Unlock()
	return len(s.iso.idle) == 1 && s.iso.idle[0].ready != ""
}

// sameButTimes reports whether two outputs of the look script differ at
// most in recent timestamps (a new tmpfs is newer), not in a date of 2001.
func sameButTimes(a, b string) bool {
	strip := func(s string) string {
		var out []string
		for _, line := range strings.Split(s, "\n") {
			f := strings.Fields(line)
			if len(f) == 2 && !strings.HasPrefix(f[1], "978") {
				line = f[0]
			}
			out = append(out, line)
		}
		return strings.Join(out, "\n")
	}
	return strip(a) == strip(b)
}

// TestStartThreadLeavesTheRunsCgroups: at every isolation level, the
// thread that forks a program into its cgroups is back out of them once the
// program runs, even under a task limit of one and a small memory limit
// (lifted while the thread is there), and no thread of this process stays in
// a run's cgroup.
func TestStartThreadLeavesTheRunsCgroups(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: no cgroup to join")
	}
	forEachLevel(t, func(t *testing.T, s *Sandbox) {
		if s.Cgroup() == "none" {
			t.Skip("no cgroup")
		}
		startThreadLeaves(t, s)
	})
}

func startThreadLeaves(t *testing.T, s *Sandbox) {
	for _, l := range []Limits{roomy(Limits{}), roomy(Limits{Processes: 1, Memory: 8 * MiB})} {
		r, out := runOut(t, s, &Command{Path: "/bin/cat", Args: []string{"/proc/self/cgroup"}, Limits: l})
		if r.Verdict != Accepted || !strings.Contains(out, "/run-") {
			t.Fatalf("cat /proc/self/cgroup under %+v = %s, printed %q; want ACCEPTED, in a run's cgroups", l, describe(r), out)
		}
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, task := range tasks {
			cg, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/cgroup")
			if strings.Contains(string(cg), "/run-") {
				t.Errorf("thread %s of the harness is in a run's cgroup after the run: %s", task.Name(), cg)
			}
		}
	}
}

// TestBoxProgramFollowsItsPath: a boxed run of a path runs whatever file is
// there now: the same path pointed at another program by its symbolic
// link, or replaced by another file outside the box's system directories
// (copied into the box), runs the new one, though the box keeps what it
// found for a path while the file there stays the same.
func TestBoxProgramFollowsItsPath(t *testing.T) {
	s := boxSandbox(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	exit := func(path string) int {
		t.Helper()
		r := s.Run(t.Context(), &Command{Path: path, Limits: roomy(Limits{})})
		if r.Verdict == SystemError {
			t.Fatalf("%s: %s", path, describe(r))
		}
		return r.ExitCode
	}
	// In the system directories the box shares. (A multi-call binary,
	// busybox's, serves both as one file, by its argument zero, which is
	// the link's name here.)
	link := dir + "/link"
	if t1, err1 := os.Stat("/bin/true"); err1 == nil {
		if t2, err2 := os.Stat("/bin/false"); err2 == nil && !os.SameFile(t1, t2) {
			for i, target := range []string{"/bin/true", "/bin/false", "/bin/true"} {
				os.Remove(link)
				if err := os.Symlink(target, link); err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if got, want := exit(link), i%2; got != want {
						t.Fatalf("%s pointing at %s exited %d, want %d", link, target, got, want)
					}
				}
			}
		} else {
			t.Log("/bin/true and /bin/false are one file here: no symbolic link test")
		}
	}
	// Outside them: scripts, copied into the box.
	prog := dir + "/prog"
	for i := range 3 {
		next := prog + strconv.Itoa(i)
		if err := os.WriteFile(next, []byte("#!/bin/sh\nexit "+strconv.Itoa(i%2)+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(next, prog); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if got, want := exit(prog), i%2; got != want {
				t.Fatalf("%s, exit %d, exited %d", prog, want, got)
			}
		}
	}
}

// boxSandbox is a Sandbox at IsolationNamespaces, closed after the test;
// the test is skipped where there is no box.
func boxSandbox(t *testing.T) *Sandbox {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("not root: no box")
	}
	s, err := New(Options{Isolation: IsolationNamespaces})
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
