package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/judgebench/judgebench/scenarios"
)

func TestCaseJSON(t *testing.T) {
	self := judgebench(t)
	r := runCLI(t, "case", "--json", "--", self, "work", "burn", "50ms")
	if r.code != 0 {
		t.Fatalf("case --json burn 50ms = %d, stderr %q", r.code, r.stderr)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &obj); err != nil {
		t.Fatalf("case --json printed %q: %v", r.stdout, err)
	}
	numbers := []string{"cpu_time_ms", "user_time_ms", "sys_time_ms", "real_time_ms", "memory_bytes",
		"exit_code", "signal", "voluntary_switches", "involuntary_switches"}
	for _, k := range numbers {
		if _, ok := obj[k].(float64); !ok {
			t.Errorf("case --json field %q = %#v; want a number", k, obj[k])
		}
	}
	for _, k := range []string{"verdict", "memory_source", "error", "checker_message"} {
		if _, ok := obj[k].(string); !ok {
			t.Errorf("case --json field %q = %#v; want a string", k, obj[k])
		}
	}
	if obj["verdict"] != "ACCEPTED" || obj["cpu_time_ms"].(float64) < 50 || obj["memory_source"] == "" {
		t.Errorf("case --json = %s; want ACCEPTED, cpu >= 50ms, a memory source", r.stdout)
	}
}

func TestCaseExitStatus(t *testing.T) {
	self := judgebench(t)
	dir := t.TempDir()
	in, out := scenarios.SortCase(50, 3)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inFile, outFile, wrong := write("1.in", in), write("1.out", out), write("wrong.out", []byte("1 2 3\n"))
	loose := write("loose.out", []byte(strings.ReplaceAll(string(out), " ", ".0 ")))
	chk := write("chk", []byte("#!/bin/sh\ncmp -s \"$2\" \"$3\" || { echo 'wrong answer: differs' >&2; exit 1; }\n"))
	if err := os.Chmod(chk, 0o755); err != nil {
		t.Fatal(err)
	}
	fail := write("fail", []byte("#!/bin/sh\necho 'fail: broken' >&2; exit 3\n"))
	if err := os.Chmod(fail, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args   []string
		code   int
		stdout string
	}{
		{[]string{"case", "--", self, "work", "exit", "0"}, 0, "ACCEPTED"},
		{[]string{"case", "--stdin", inFile, "--expect", outFile, "--", self, "work", "sort"}, 0, "ACCEPTED"},
		{[]string{"case", "--stdin", inFile, "--expect", wrong, "--", self, "work", "sort"}, 1, "WRONG_ANSWER"},
		{[]string{"case", "--stdin", inFile, "--expect", wrong, "--", self, "work", "sort"}, 1, "exit=0\nline 1: expected \"1 2 3\", got \"-"},
		{[]string{"case", "--stdin", inFile, "--expect", wrong, "--json", "--", self, "work", "sort"}, 1, `"checker_message": "line 1: expected \"1 2 3\"`},
		{[]string{"case", "--stdin", inFile, "--expect", loose, "--checker", "float:1e-9", "--", self, "work", "sort"}, 0, "ACCEPTED"},
		{[]string{"case", "--stdin", inFile, "--expect", loose, "--checker", "tokens", "--", self, "work", "sort"}, 1, "\ntoken 1: expected"},
		{[]string{"case", "--stdin", inFile, "--expect", outFile, "--checker", chk, "--", self, "work", "sort"}, 0, "ACCEPTED"},
		{[]string{"case", "--stdin", inFile, "--expect", wrong, "--checker", chk, "--", self, "work", "sort"}, 1, "exit=0\nwrong answer: differs\n"},
		{[]string{"case", "--stdin", inFile, "--expect", outFile, "--checker", fail, "--", self, "work", "sort"}, 2, "SYSTEM_ERROR sandbox: checker " + fail + ": exit status 3: fail: broken"},
		{[]string{"case", "--stdin", inFile, "--expect", outFile, "--checker", "tokens", self, "work", "sort"}, 0, "ACCEPTED"},
		{[]string{"case", "--", self, "work", "exit", "3"}, 1, "RUNTIME_ERROR"},
		{[]string{"case", "--", self, "work", "segv"}, 1, "signal=SIGSEGV"},
		{[]string{"case", "--cpu-time", "100ms", "--real-time", "1m", "--", self, "work", "spin", "100000000000"}, 1, "CPU_TIME_LIMIT_EXCEEDED"},
		{[]string{"case", "--real-time", "200ms", "--", self, "work", "sleep", "5s"}, 1, "REAL_TIME_LIMIT_EXCEEDED"},
		{[]string{"case", "--memory", "32MiB", "--cpu-time", "10s", "--real-time", "1m", "--", self, "work", "alloc", "64"}, 1, "MEMORY_LIMIT_EXCEEDED"},
		{[]string{"case", "--output", "1K", "--", self, "work", "flood"}, 1, "OUTPUT_LIMIT_EXCEEDED"},
		{[]string{"case", "--json", "--", filepath.Join(dir, "missing")}, 2, `"verdict": "SYSTEM_ERROR"`},
		{[]string{"case", "--", inFile}, 2, "SYSTEM_ERROR"},
		{[]string{"help"}, 0, "usage: judgebench"},
		{[]string{"case", "--help"}, 0, "--cpu-time"},
		{[]string{"work", "exit", "7"}, 7, ""},
		// Bad input: one line, exit 2.
		{[]string{}, 2, ""},
		{[]string{"bogus"}, 2, ""},
		{[]string{"case"}, 2, ""},
		{[]string{"case", "--cpu-time", "abc", "--", "true"}, 2, ""},
		{[]string{"case", "--cpu-time", "-1s", "--", "true"}, 2, ""},
		{[]string{"case", "--memory", "12MB", "--", "true"}, 2, ""},
		{[]string{"case", "--memory", "10K", "--", "true"}, 2, ""},
		{[]string{"case", "--processes", "x", "--", "true"}, 2, ""},
		{[]string{"case", "--processes", "0", "--", "true"}, 2, ""},
		{[]string{"case", "--cpu-time", "0", "--", "true"}, 2, ""},
		{[]string{"case", "--memory", "0", "--", "true"}, 2, ""},
		{[]string{"case", "--checker", "fuzzy", "--", "true"}, 2, ""},
		{[]string{"case", "--checker", "chk", "--", "true"}, 2, ""},
		{[]string{"case", "--checker", "float:-1", "--", "true"}, 2, ""},
		{[]string{"case", "--cgroup", "v3", "--", "true"}, 2, ""},
		{[]string{"case", "--no-such-flag", "--", "true"}, 2, ""},
		{[]string{"case", "--stdin", filepath.Join(dir, "nope"), "--", "true"}, 2, ""},
		{[]string{"case", "--expect", filepath.Join(dir, "nope"), "--", "true"}, 2, ""},
		{[]string{"work"}, 0, "usage: judgebench work"},
		{[]string{"work", "--help"}, 0, "usage: judgebench work"},
		{[]string{"work", "help"}, 0, "usage: judgebench work"},
		{[]string{"help", "run"}, 0, "usage: judgebench run"},
		{[]string{"help", "work"}, 0, "usage: judgebench work"},
		{[]string{"help", "bogus"}, 2, ""},
		{[]string{"work", "nosuch"}, 2, ""},
		{[]string{"work", "burn", "abc"}, 2, ""},
	}
	for _, tt := range tests {
		r := runCLI(t, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) {
			t.Errorf("judgebench %q = %d, stdout %q, stderr %q; want %d and %q", tt.args, r.code, r.stdout, r.stderr, tt.code, tt.stdout)
			continue
		}
		if tt.code == 2 && !slices.Contains(tt.args, "work") {
			checkOneLineError(t, tt.args, r)
		}
	}
}

// TestCaseInterrupt sends SIGINT to a judgebench process running a case that
// hangs: it must print what it has, exit 130, and leave no child behind.
func TestCaseInterrupt(t *testing.T) {
	self := judgebench(t)
	cmd, stdout, stderr := runProcess(t.Context(), t, "case", "--real-time", "1m", "--cpu-time", "30s", "--", self, "work", "hang")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); len(processesRunning(self, "hang")) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the case never started; stderr %q", stderr)
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if code != 130 || !strings.Contains(stdout.String(), "SYSTEM_ERROR") {
		t.Errorf("case interrupted = %d (%v), stdout %q, stderr %q; want 130 after the result", code, err, stdout, stderr)
	}
	if left := processesRunning(self, "hang"); len(left) > 0 {
		t.Errorf("interrupted case left %v running", left)
	}
}

// TestKilledHarness: a judgebench killed with SIGKILL while its case runs
// cannot clean up: the case's grandchild lives on, in the case's cgroup. The
// next judgebench to start a sandbox, any command, kills it and removes the
// dead harness's cgroups.
//
// Any judgebench does that, and test binaries of other packages start
// sandboxes while this one runs (go test ./... runs two packages at once):
// one may clean up between the kill and the look at the grandchild. A
// grandchild gone with its cgroup gone too is such a clean-up, and the test
// tries again; gone with its cgroup left, it died with the harness.
func TestKilledHarness(t *testing.T) {
	self := reachableCopy(t) // the script, as the case's uid, runs it by path
	var pid int
	for try := 1; ; try++ {
		var cleaned bool
		if pid, cleaned = killHarness(t, self); !cleaned {
			break
		}
		if try == 5 {
			t.Fatalf("in %d tries, the killed harness's grandchild and cgroups were gone before they were looked at", try)
		}
		t.Logf("try %d: another judgebench removed the killed harness's cgroups first; trying again", try)
	}
	if r := runCLI(t, "case", "--", judgebench(t), "work", "exit", "0"); r.code != 0 {
		t.Fatalf("judgebench case after the kill = %d, stderr %q", r.code, r.stderr)
	}
	if running := processesRunning(self, "sleep"); len(running) > 0 {
		t.Errorf("after the next judgebench started, the killed harness's grandchild still runs: %v", running)
	}
	for _, d := range ownedBy(pid) {
		t.Errorf("after the next judgebench started, the killed harness's cgroup %s is left", d)
	}
}

// killHarness runs a case whose program leaves a grandchild sleeping, kills
// the harness with SIGKILL, and checks that the grandchild lives on. It
// reports the dead harness's pid and whether another judgebench cleaned up
// first.
func killHarness(t *testing.T, self string) (pid int, cleaned bool) {
	t.Helper()
	// At isolation process: a box's processes die with it (TestKilledRun).
	cmd, _, stderr := runProcess(t.Context(), t, "case", "--isolation", "process", "--real-time", "10m", "--cpu-time", "10m", "--",
		"/bin/sh", "-c", self+" work sleep 1h & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	for deadline := time.Now().Add(time.Minute); len(processesRunning(self, "sleep")) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the case never started; stderr %q", stderr)
		}
	}
	pid = cmd.Process.Pid
	if len(ownedBy(pid)) == 0 {
		t.Skip("no cgroup on this host: an escaped grandchild cannot be found (see README, Privileges)")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(processesRunning(self, "sleep")) > 0 {
		return pid, false
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if len(ownedBy(pid)) == 0 {
			return pid, true
		}
	}
	t.Fatalf("the case's grandchild died with the harness, its cgroups %v left; want it left running, to be cleaned up", ownedBy(pid))
	return pid, false
}

// reachableCopy returns a copy of the test binary that any uid can run.
func reachableCopy(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "judgebench-test-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	data, err := os.ReadFile(judgebench(t))
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "judgebench.test"), data, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "judgebench.test")
}

// processesRunning lists the live processes of exe running `work name`.
func processesRunning(exe, name string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		// An isolated program runs a copy of exe that its uid can reach, or
		// one in its box.
		copied := (strings.Contains(target, "/judgebench-isolation-") || strings.HasPrefix(target, "/.judgebench/programs/")) &&
			strings.HasSuffix(target, "-"+filepath.Base(exe))
		if err != nil || target != exe && !copied {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		// The workload itself (ARGV0 work NAME ...), not a judgebench whose
		// arguments name it.
		if args := strings.Split(string(cmdline), "\x00"); len(args) > 2 && args[1] == "work" && args[2] == name {
			found = append(found, e.Name())
		}
	}
	return found
}

// TestUsageOnce: --help prints the usage once; a bad flag prints no usage,
// only the one-line error.
func TestUsageOnce(t *testing.T) {
	r := runCLI(t, "case", "--help")
	if n := strings.Count(r.stdout, "usage: judgebench case"); r.code != 0 || n != 1 {
		t.Errorf("case --help printed the usage %d times; want once", n)
	}
	r = runCLI(t, "case", "--bogus")
	if r.code != 2 || r.stdout != "" {
		t.Errorf("case --bogus = %d, stdout %q; want 2 and nothing on stdout", r.code, r.stdout)
	}
}
