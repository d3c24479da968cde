package sandbox

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestRunVerdicts(t *testing.T) {
	in, want := sortCase(200, 1)
	quick := Limits{CPUTime: 2 * time.Second, RealTime: 5 * time.Second}
	tests := []struct {
		name    string
		limits  Limits
		args    []string
		stdin   []byte
		expect  []byte
		verdict Verdict
		check   func(*Result) bool
	}{
		{"clean exit", quick, []string{"exit", "0"}, nil, nil, Accepted, nil},
		{"right answer", quick, []string{"sort"}, in, want, Accepted, nil},
		{"wrong answer", quick, []string{"sort"}, in, []byte("1 2 3\n"), WrongAnswer, nil},
		{"exit status", quick, []string{"exit", "3"}, nil, nil, RuntimeError,
			func(r *Result) bool { return r.ExitCode == 3 && r.Signal == 0 }},
		{"segfault", quick, []string{"segv"}, nil, nil, RuntimeError,
			func(r *Result) bool { return r.Signal == int(syscall.SIGSEGV) && r.ExitCode == -1 }},
		{"abort", quick, []string{"abort"}, nil, nil, RuntimeError,
			func(r *Result) bool { return r.Signal == int(syscall.SIGABRT) }},
		{"panic", quick, []string{"panic"}, nil, nil, RuntimeError,
			func(r *Result) bool { return r.ExitCode == 2 && bytes.Contains(r.Stderr, []byte("panic")) }},
		{"runtime error beats wrong answer", quick, []string{"exit", "1"}, nil, []byte("x"), RuntimeError, nil},
		{"cpu time", Limits{CPUTime: 200 * time.Millisecond}, []string{"spin", "1000000000000"}, nil, nil,
			CPUTimeLimitExceeded, nil},
		{"real time", Limits{RealTime: 300 * time.Millisecond}, []string{"sleep", "10s"}, nil, nil,
			RealTimeLimitExceeded, nil},
		{"memory", Limits{Memory: 64 * MiB}, []string{"alloc", "128"}, nil, nil, MemoryLimitExceeded, nil},
		{"output", Limits{Output: MiB}, []string{"flood"}, nil, nil, OutputLimitExceeded,
			func(r *Result) bool { return r.OutputBytes > int64(MiB) }},
		{"output just at the limit", Limits{Output: MiB}, []string{"flood", "1048576"}, nil, nil, Accepted, nil},
	}
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		t.Run("exec again", func(t *testing.T) {
			// A program that execs another must not die of the SIGTRAP a
			// tracee gets for it.
			c := selfSh(t, quick, `exec "$0" "$@"`, "work", "exit", "4")
			if r := s.Run(t.Context(), c); r.Verdict != RuntimeError || r.ExitCode != 4 {
				t.Errorf("sh -c exec (work exit 4) = %s; want RUNTIME_ERROR with exit 4", describe(r))
			}
		})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := work(t, tt.limits, tt.args[0], tt.args[1:]...)
				if tt.stdin != nil {
					c.Stdin = bytes.NewReader(tt.stdin)
				}
				if tt.expect != nil {
					c.Expect = bytes.NewReader(tt.expect)
				}
				r := s.Run(t.Context(), c)
				if r.Verdict != tt.verdict || (tt.check != nil && !tt.check(r)) {
					t.Errorf("work %v = %s; want %v", tt.args, describe(r), tt.verdict)
				}
			})
		}
	})
}

func TestSystemError(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(plain, []byte("#!/bin/sh\nexit 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Executable but no program: its exec fails in the child (in a box, after
	// the program was copied there).
	badELF := filepath.Join(dir, "bad-elf")
	if err := os.WriteFile(badELF, []byte("\x7fELF and nothing an ELF needs"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, cause string
	}{
		{filepath.Join(dir, "missing"), "no such file"},
		{badELF, "exec format error"},
		{plain, "permission denied"},
		{"no-such-program-in-path", "not found"},
		{dir, "permission denied"},
	}
	s := newSandbox(t, CgroupAuto)
	for _, tt := range tests {
		r := s.Run(t.Context(), &Command{Path: tt.path})
		if r.Verdict != SystemError || !strings.Contains(r.Error, tt.cause) || strings.Count(r.Error, "start "+tt.path) != 1 {
			t.Errorf("Run(%s) = %s; want SYSTEM_ERROR naming the start of the program once, and %q", tt.path, describe(r), tt.cause)
		}
		if r.MemorySource != MemoryNone {
			t.Errorf("Run(%s) memory source = %q; want none for a program that never ran", tt.path, r.MemorySource)
		}
	}
}

func TestStdinFileAndCheckers(t *testing.T) {
	in, want := sortCase(1000, 7)
	dir := t.TempDir()
	inFile := filepath.Join(dir, "1.in")
	if err := os.WriteFile(inFile, in, 0o644); err != nil {
		t.Fatal(err)
	}
	body := strings.TrimRight(string(want), "\n")
	loose := strings.ReplaceAll(body, " ", "\n") + "\n\n"
	tests := []struct {
		checker Checker
		expect  string
		verdict Verdict
	}{
		{CheckExact, string(want), Accepted},
		{CheckLines, body + " \n\n", Accepted},
		{CheckExact, body + " \n", WrongAnswer},
		{CheckTokens, loose, Accepted},
		{CheckLines, loose, WrongAnswer},
	}
	s := newSandbox(t, CgroupAuto)
	for _, tt := range tests {
		f, err := os.Open(inFile)
		if err != nil {
			t.Fatal(err)
		}
		c := work(t, Limits{}, "sort")
		c.Stdin, c.Expect, c.Checker = f, strings.NewReader(tt.expect), tt.checker
		r, out := runOut(t, s, c)
		f.Close()
		if r.Verdict != tt.verdict || out != string(want) {
			t.Errorf("sort under %v = %s, %d bytes out; want %v and the sorted numbers", tt.checker, describe(r), len(out), tt.verdict)
		}
	}
}

func TestCancel(t *testing.T) {
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		r := s.Run(ctx, work(t, Limits{RealTime: time.Minute}, "hang"))
		if took := time.Since(start); r.Verdict != SystemError || !strings.Contains(r.Error, "interrupted") || took > 2*time.Second {
			t.Errorf("cancelled hang = %s after %v; want SYSTEM_ERROR interrupted within 2s", describe(r), took)
		}
	})
}

func TestConcurrentRuns(t *testing.T) {
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		const n = 8
		results := make([]*Result, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { results[i] = s.Run(context.Background(), work(t, Limits{}, "burn", "20ms")) })
		}
		wg.Wait()
		for i, r := range results {
			if r.Verdict != Accepted || r.CPUTime < 20*time.Millisecond {
				t.Errorf("run %d of %d at once = %s; want ACCEPTED with at least 20ms of CPU", i, n, describe(r))
			}
		}
	})
}

// TestStartFailsBeforeExec checks that a program whose start fails between
// its fork and its exec is a SYSTEM_ERROR that says where it failed, and
// leaves no child behind: here its working directory is missing. At none,
// on v1 and on v2 (where the vfork is a clone3 into the cgroup).
func TestStartFailsBeforeExec(t *testing.T) {
	if !canVfork {
		t.Skip("no vfork start on this architecture")
	}
	for _, mode := range []CgroupMode{CgroupV1, CgroupV2} { // v2: its child cloned into its cgroup by clone3
		t.Run(string(mode), func(t *testing.T) {
			s := memorySandbox(t, mode)
			c := work(t, Limits{}, "exit", "0")
			c.Dir = filepath.Join(t.TempDir(), "missing")
			r := s.Run(t.Context(), c)
			if r.Verdict != SystemError || !strings.Contains(r.Error, "chdir: no such file") {
				t.Errorf("run in a missing directory = %s; want SYSTEM_ERROR at chdir", describe(r))
			}
			var ws unix.WaitStatus
			if pid, _ := unix.Wait4(-1, &ws, unix.WALL|unix.WNOHANG, nil); pid > 0 {
				t.Errorf("wait4 after the failed start found child %d (%#x) unreaped", pid, uint32(ws))
			}
			c.Dir = ""
			if r := s.Run(t.Context(), c); r.Verdict != Accepted {
				t.Errorf("exit 0 after it = %s; want ACCEPTED", describe(r))
			}
		})
	}
}

// TestVforkLockOrder checks that the vfork start waits for the registry of
// live programs before it takes syscall.ForkLock, the order of forkExec
// (registry, then ForkLock inside StartProcess): in the other order a vfork
// holding ForkLock, a StartProcess holding the registry and a sweep waiting
// to write it deadlocked. Here the test is the sweep.
func TestVforkLockOrder(t *testing.T) {
	if !canVfork {
		t.Skip("no vfork start on this architecture")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	live.mu.Lock()
	started := make(chan spawned)
	go func() {
		sp, err := vforkExec(exe, []string{exe, "-test.run=^$"}, &syscall.ProcAttr{Env: os.Environ()}, nil, cgroupEntry{fd: -1})
		if err != nil {
			t.Error(err)
		}
		started <- sp
	}()
	time.Sleep(100 * time.Millisecond) // the start is waiting for the registry now
	free := syscall.ForkLock.TryLock()
	if free {
		syscall.ForkLock.Unlock()
	}
	live.mu.Unlock()
	sp := <-started
	if sp.pid > 0 {
		var ws unix.WaitStatus
		wait4(sp.pid, &ws, nil)
		removeLive(sp.pid)
	}
	if !free {
		t.Error("the vfork start held syscall.ForkLock while it waited for the registry of live programs")
	}
}

// TestVforkAwayClock: a child that joins its cgroups by writes keeps its
// clock from before the joins, the CPU time they did not see (taken out of
// the run's as LaunchCPU less that), whether it was cloned by clone or by
// clone3 (for CLONE_CLEAR_SIGHAND alone, which does not put it there).
func TestVforkAwayClock(t *testing.T) {
	if !canVfork {
		t.Skip("no vfork start on this architecture")
	}
	s := newSandbox(t, CgroupV1)
	cg, err := s.caseGroup(roomy(Limits{}).WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	defer s.release(cg, true)
	for _, c := range []struct {
		how  string
		into cgroupEntry
	}{{"clone", cgroupEntry{join: cg.joinFiles(), fd: -1}}, {"clone3", cgroupEntry{join: cg.joinFiles(), fd: -1, clone3: true}}} {
		sp, err := vforkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{}, nil, c.into)
		if err != nil {
			t.Fatalf("%s: %v", c.how, err)
		}
		var ws unix.WaitStatus
		wait4(sp.pid, &ws, nil)
		removeLive(sp.pid)
		if sp.away <= 0 || sp.away > sp.launch {
			t.Errorf("%s: CPU before the joins %v of %v before the exec; want some, and no more", c.how, sp.away, sp.launch)
		}
	}
}
