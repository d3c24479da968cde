package sandbox

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The attacks of `work attack`, by the levels that stop them; harmless are
// those that do nothing when allowed, so that the test shows them succeed
// without isolation (the clock, a ptrace attach and a mount are left out: a
// root harness would let them through, and they touch the machine and the
// test itself).
var (
	processAttacks = []string{"readshadow", "writeetc", "signalparent", "traceparent", "parentmem", "parentstdout",
		"owncgroup", "terminal", "clock", "stdinpath", "fds"}
	// What a box stops besides: other programs copied where its own is (at
	// process, only a program that had to be copied is in an unlistable
	// directory), a move off its CPUs, a world-readable expected output, namespaces of its own,
	// IPC objects a later case could find, mounts, the host's network.
	boxAttacks = append(slices.Clone(processAttacks), "siblings", "affinity", "answer", "unshare", "clonens", "clone3", "ipc", "mount", "network")
	harmless   = []string{"readshadow", "writeetc", "signalparent", "parentmem", "parentstdout", "owncgroup", "stdinpath",
		"siblings", "affinity", "answer", "unshare", "clonens", "clone3", "ipc", "network"}
)

// attackRun runs `work attack kind` in s with a file as stdin, as a problem
// directory's N.in is given, its N.out world-readable beside it, and a TCP
// service listening on the host's loopback.
func attackRun(t *testing.T, s *Sandbox, kind string) *Result {
	t.Helper()
	problem, err := os.MkdirTemp("/tmp", "judgebench-problem-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(problem)
	in, answer := filepath.Join(problem, "1.in"), filepath.Join(problem, "1.out")
	for _, err := range []error{os.Chmod(problem, 0o755), os.WriteFile(in, []byte("3\n3 1 2\n"), 0o644),
		os.WriteFile(answer, []byte("1 2 3\n"), 0o644)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	secret := filepath.Join(t.TempDir(), "secret") // only root may read it, as /etc/shadow
	if err := os.WriteFile(secret, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	service, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer service.Close()
	port := service.Addr().(*net.TCPAddr).Port
	c := work(t, Limits{}, "attack", kind)
	c.Env = []string{"JUDGEBENCH_SECRET=" + secret, "JUDGEBENCH_ANSWER=" + answer, "JUDGEBENCH_PORT=" + strconv.Itoa(port)}
	c.Stdin = f
	return s.Run(t.Context(), c)
}

// TestIsolationStopsAttacks runs, as a hostile submission would, each attack
// at the process and namespaces isolation levels: every one is stopped, and
// the program ends with its own error (exit 2), not by the harness's hand.
// Without isolation the harmless ones succeed, which shows the test can tell;
// at process, the ones only a box stops succeed too.
func TestIsolationStopsAttacks(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: isolated programs run as this user")
	}
	// A host whose loopback is down (the VM of .ci/cgroup2) lets no one
	// through: there the network attack shows nothing unisolated.
	through := func(kinds []string) []string { return kinds }
	if !loopbackWorks(t) {
		t.Log("this host's loopback is down: the network attack is only tried in a box")
		through = func(kinds []string) []string {
			return slices.DeleteFunc(slices.Clone(kinds), func(k string) bool { return k == "network" })
		}
	}
	stopped := func(r *Result) bool {
		return r.Verdict == RuntimeError && r.ExitCode == 2 && strings.Contains(string(r.Stderr), "stopped")
	}
	for _, m := range modes() {
		for _, level := range []Isolation{IsolationProcess, IsolationNamespaces} {
			t.Run(string(m)+"/"+string(level), func(t *testing.T) {
				s, err := New(Options{Cgroup: m, Isolation: level})
				if err != nil {
					t.Skipf("cgroup mode %s: %v", m, err)
				}
				defer s.Close()
				attacks := processAttacks
				if level == IsolationNamespaces {
					attacks = boxAttacks
				}
				for _, kind := range attacks {
					if r := attackRun(t, s, kind); !stopped(r) {
						t.Errorf("attack %s at %s = %s; want it stopped (RUNTIME_ERROR, exit 2)", kind, level, describe(r))
					}
				}
				if level == IsolationProcess {
					for _, kind := range through([]string{"answer", "network"}) {
						if r := attackRun(t, s, kind); r.Verdict != Accepted {
							t.Errorf("attack %s at process = %s; want it through, as README says", kind, describe(r))
						}
					}
				}
			})
		}
	}
	s, err := New(Options{Cgroup: CgroupOff, Isolation: IsolationNone})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, kind := range through(harmless) {
		if r := attackRun(t, s, kind); r.Verdict != Accepted {
			t.Errorf("attack %s, not isolated = %s; want it through (ACCEPTED): else the isolated runs prove nothing", kind, describe(r))
		}
	}
}

// loopbackWorks reports whether this process can connect to a listener of
// its own on 127.0.0.1.
func loopbackWorks(t *testing.T) bool {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return false
	}
	defer l.Close()
	c, err := net.Dial("tcp4", l.Addr().String())
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// TestCrashAtEveryLevel: a program that crashes by a signal it raises itself
// is a RUNTIME_ERROR with that signal at every isolation level (in a box the
// program is not PID 1, which would ignore it).
func TestCrashAtEveryLevel(t *testing.T) {
	for _, level := range Isolations() {
		if level == IsolationNamespaces && os.Geteuid() != 0 {
			continue
		}
		s, err := New(Options{Isolation: level})
		if err != nil {
			t.Fatal(err)
		}
		for name, sig := range map[string]syscall.Signal{"segv": syscall.SIGSEGV, "abort": syscall.SIGABRT} {
			r := s.Run(t.Context(), work(t, Limits{RealTime: 5 * time.Second}, name))
			if r.Verdict != RuntimeError || r.Signal != int(sig) || r.Isolation != level {
				t.Errorf("%s at %s = %s; want RUNTIME_ERROR by %v", name, level, describe(r), sig)
			}
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestIsolatedRun: an isolated program runs as a uid of its own per slot,
// in a working directory of its own that it may write and that is gone
// after it, with its stdin a copy that names no path; what it leaves in
// /tmp goes too.
func TestIsolatedRun(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: isolated programs run as this user")
	}
	s, err := New(Options{Isolation: IsolationProcess, Disk: 4 * MiB})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	script := `id -u; pwd; echo x > here && cat here; echo left > /tmp/judgebench-isolated-left-$$; head -c 8388608 /dev/zero > big 2>/dev/null || echo full`
	for slot := range 2 {
		c := &Command{Path: "/bin/sh", Args: []string{"-c", script}, Slot: slot, Limits: roomy(Limits{})}
		r, out := runOut(t, s, c)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		want := strconv.Itoa(DefaultUIDs.First + slot)
		if r.Verdict != Accepted || len(lines) != 4 || lines[0] != want || lines[2] != "x" || lines[3] != "full" || r.Isolation != IsolationProcess {
			t.Fatalf("isolated sh in slot %d = %s, printed %q; want uid %s, its directory written, full at 4MiB", slot, describe(r), lines, want)
		}
		if _, err := os.Stat(lines[1]); err == nil {
			t.Errorf("slot %d: its working directory %s outlived the run", slot, lines[1])
		}
	}
	if left, _ := filepath.Glob("/tmp/judgebench-isolated-left-*"); len(left) > 0 {
		t.Errorf("isolated runs left %q in /tmp", left)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(s.iso.root, &st); err != nil || st.Mode&0o777 != 0o711 {
		t.Errorf("isolation directory %s: mode %o, %v; want 0711 (each uid reaches its own directory only)", s.iso.root, st.Mode&0o777, err)
	}
	root := s.iso.root
	s.Close()
	if _, err := os.Stat(root); err == nil {
		t.Errorf("Close left the isolation directory %s", root)
	}
}

// TestParseIsolation: the levels there are, and one that is not.
func TestParseIsolation(t *testing.T) {
	for _, l := range Isolations() {
		if got, err := ParseIsolation(string(l)); err != nil || got != l {
			t.Errorf("ParseIsolation(%q) = %q, %v", l, got, err)
		}
	}
	if _, err := ParseIsolation("namespace"); err == nil || !strings.Contains(err.Error(), "none, process, namespaces") {
		t.Errorf("ParseIsolation(namespace) = %v; want the levels named", err)
	}
	if r, err := ParseUIDRange("63000-63009"); err != nil || r != (UIDRange{63000, 10}) || r.String() != "63000-63009" {
		t.Errorf("ParseUIDRange(63000-63009) = %v, %v", r, err)
	}
	for _, bad := range []string{"", "1", "5-3", "0-10", "60000-70000", "a-b"} {
		if _, err := ParseUIDRange(bad); err == nil {
			t.Errorf("ParseUIDRange(%q) = nil error", bad)
		}
	}
	if !slices.Equal(Isolations(), []Isolation{IsolationNone, IsolationProcess, IsolationNamespaces}) {
		t.Errorf("Isolations() = %v", Isolations())
	}
}

// TestNoInheritedDescriptors: a descriptor this process inherited without
// close-on-exec (a shell's, a parent's pipe) reaches no program, isolated
// or not.
func TestNoInheritedDescriptors(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := unixFcntl(w.Fd(), 0); err != nil { // as inherited: no close-on-exec
		t.Fatal(err)
	}
	for _, level := range Isolations() {
		if level == IsolationNamespaces && os.Geteuid() != 0 {
			continue // it needs root
		}
		s, err := New(Options{Cgroup: CgroupOff, Isolation: level})
		if err != nil {
			t.Fatal(err)
		}
		if res := attackRun(t, s, "fds"); res.Verdict != RuntimeError || !strings.Contains(string(res.Stderr), "only 0, 1 and 2") {
			t.Errorf("attack fds at %s = %s; want it stopped: only 0, 1 and 2", level, describe(res))
		}
		s.Close()
	}
}
