package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/scenarios"
)

// problemDir writes a sort problem of n cases into a new directory.
func problemDir(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := 1; i <= n; i++ {
		in, out := scenarios.SortCase(100*i, int64(i))
		os.WriteFile(filepath.Join(dir, strconv.Itoa(i)+".in"), in, 0o644)
		os.WriteFile(filepath.Join(dir, strconv.Itoa(i)+".out"), out, 0o644)
	}
	return dir
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunProblemDir(t *testing.T) {
	self := judgebench(t)
	out := filepath.Join(t.TempDir(), "run")
	r := runCLI(t, "run", problemDir(t, 3), "--models", "serial,pool,process", "--parallel", "2",
		"--out", out, "--json", "--", self, "work", "sort")
	if r.code != 0 {
		t.Fatalf("run DIR = %d, stderr %q", r.code, r.stderr)
	}
	var summary struct {
		Run     string          `json:"run"`
		Samples int             `json:"samples"`
		Groups  []results.Group `json:"groups"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &summary); err != nil {
		t.Fatalf("run --json printed %q: %v", r.stdout, err)
	}
	run, err := results.Read(out)
	if err != nil || summary.Samples != 9 || len(summary.Groups) != 3 || len(run.Samples) != 9 {
		t.Fatalf("run DIR: summary %+v, read %v; want 9 samples in 3 groups", summary, err)
	}
	for _, s := range run.Samples {
		if s.Verdict != "ACCEPTED" {
			t.Errorf("sample %+v; want ACCEPTED", s)
		}
	}
	if run.Settings.Seed == 0 || run.Machine.LogicalCores == 0 || run.Machine.CgroupVersion == "" {
		t.Errorf("run.json settings %+v machine %+v; want a seed, the cores, the cgroup version", run.Settings, run.Machine)
	}
}

// miniScenario writes the scenario file README shows: two burns and a crash,
// under models (a YAML list's inside), two at once.
func miniScenario(t *testing.T, dir, models string) string {
	t.Helper()
	return writeFile(t, dir, "mini.yaml", `name: mini
summary: two cases
workload: burn
args: [5ms]
cases:
  - name: ok
    count: 2
  - name: crash
    workload: exit
    args: ["3"]
    expect_verdict: RUNTIME_ERROR
models: [`+models+`]
parallel: [2]
`)
}

func TestRunScenarioFile(t *testing.T) {
	dir := t.TempDir()
	file := miniScenario(t, dir, "pool, pool-fireforget")
	out := filepath.Join(dir, "run")
	r := runCLI(t, "run", file, "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "pool-fireforget") {
		t.Fatalf("run FILE = %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	run, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range run.Groups {
		wantLost := map[results.Model]int{"pool": 0, "pool-fireforget": 1}[g.Model]
		if g.FaultsInjected != 1 || g.FaultsLost != wantLost {
			t.Errorf("group %s: faults %d injected, %d lost; want 1, %d", g.Model, g.FaultsInjected, g.FaultsLost, wantLost)
		}
	}
}

func TestRunBadInput(t *testing.T) {
	self := judgebench(t)
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", "name: x\nworkload: burn\ncases: [{name: a}]\nmodles: [pool]\n")
	empty := t.TempDir()
	lonely := t.TempDir()
	writeFile(t, lonely, "1.in", "3 1 2 3\n")
	tests := [][]string{
		{"run", "nosuch"},
		{"run", bad},
		{"run", filepath.Join(dir, "missing.yaml")},
		{"run", "gil", "--models", "threads"},
		{"run", "gil", "--measure", "guess"},
		{"run", "gil", "--parallel", "0"},
		{"run", "gil", "--parallel", "abc"},
		{"run", "gil", "--pin", "sometimes"},
		{"run", "gil", "--cpus", "0-x"},
		{"run", "gil", "--cpus", "4095"},
		{"run", "gil", "--repeat", "-1"},
		{"run", "gil", "--repeat", "0"},
		{"run", "gil", "--models", ""},
		{"run", "gil", "--models", "serail"},
		{"run", "gil", "--cgroup", "v3"},
		{"run", empty, "--", self, "work", "sort"},
		{"run", lonely, "--", self, "work", "sort"},
		{"run", problemDir(t, 1)},
		{"run", problemDir(t, 1), "--models", "inproc", "--", self, "work", "sort"},
		{"run", "gil", "--", "/bin/true"},
		{"run", "gil", "judge"},
		{"run", problemDir(t, 1), "--", filepath.Join(dir, "nosuch")},
		{"run", problemDir(t, 1), "--checker", filepath.Join(dir, "nosuch"), "--", self, "work", "sort"},
		{"run", problemDir(t, 1), "--checker", "fuzzy", "--", self, "work", "sort"},
	}
	for _, args := range tests {
		r := runCLI(t, args...)
		if r.code != 2 {
			t.Errorf("judgebench %q = %d, stderr %q; want 2", args, r.code, r.stderr)
			continue
		}
		checkOneLineError(t, args, r)
	}
}

// TestRunInterrupt sends SIGINT to a judgebench run in the middle, once its two
// quick cases have finished and two that never end are running: it writes a
// valid run.json with exactly the two that finished, exits 130, and leaves no
// process and no cgroup behind, with the process model's workers in between.
func TestRunInterrupt(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGHUP, 129}, {syscall.SIGTERM, 143}} {
		t.Run(tt.sig.String(), func(t *testing.T) { interruptRun(t, tt.sig, tt.code) })
	}
}

// interruptRun sends sig to a run once its quick cases have finished and
// its stuck ones run, and checks what it leaves.
func interruptRun(t *testing.T, sig syscall.Signal, code int) {
	self := judgebench(t)
	dir := t.TempDir()
	cgroupsBefore := cgroupDirs()
	file := writeFile(t, dir, "slow.yaml", `name: slow
workload: burn
args: [10ms]
cases:
  - {name: quick, count: 2}
  - {name: stuck, workload: hang, count: 4}
limits: {cpu_time: 30s, real_time: 60s}
models: [process]
parallel: [2]
`)
	out := filepath.Join(dir, "run")
	cmd, stdout, stderr := runProcess(t.Context(), t, "run", file, "--no-shuffle", "--out", out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); len(processesRunning(self, "hang")) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the stuck cases never started; stderr %q", stderr)
		}
	}
	cmd.Process.Signal(sig)
	cmd.Wait()
	if got := cmd.ProcessState.ExitCode(); got != code {
		t.Fatalf("run stopped by %v = %d, stdout %q, stderr %q; want %d", sig, got, stdout, stderr, code)
	}
	run, err := results.Read(out)
	if err != nil || !run.Interrupted || len(run.Samples) != 2 {
		t.Fatalf("run.json after %v: %v, interrupted %v, %d samples; want the 2 quick cases", sig, err, run != nil && run.Interrupted, len(run.Samples))
	}
	for _, s := range run.Samples {
		if !strings.HasPrefix(s.Case, "quick") || s.Verdict != "ACCEPTED" {
			t.Errorf("sample %s = %s; want only the quick cases, ACCEPTED", s.Case, s.Verdict)
		}
	}
	if left := processesRunning(self, "hang"); len(left) > 0 {
		t.Errorf("run stopped by %v left %v running", sig, left)
	}
	if after := cgroupDirs(); len(after) > len(cgroupsBefore) {
		t.Errorf("run stopped by %v left cgroups: %v (before: %v)", sig, after, cgroupsBefore)
	}
}

// cgroupDirs lists the judgebench cgroup directories on this host whose
// owner is gone: leaks. They are the children of a judgebench parent cgroup,
// named PID-START-...; other test binaries running at the same time own live
// ones.
func cgroupDirs() []string {
	return judgebenchCgroups(func(name string) bool { return !ownerAlive(name) })
}

// ownedBy lists the cgroups of the judgebench process pid, alive or not.
func ownedBy(pid int) []string {
	prefix := strconv.Itoa(pid) + "-"
	return judgebenchCgroups(func(name string) bool { return strings.HasPrefix(name, prefix) })
}

// judgebenchCgroups lists the children of judgebench parent cgroups whose
// names keep accepts.
func judgebenchCgroups(keep func(name string) bool) []string {
	var dirs []string
	filepath.WalkDir("/sys/fs/cgroup", func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil || !d.IsDir():
		case filepath.Base(filepath.Dir(path)) == "judgebench":
			if keep(d.Name()) {
				dirs = append(dirs, path)
			}
			return filepath.SkipDir
		case strings.Count(path, "/") > 9:
			return filepath.SkipDir
		}
		return nil
	})
	return dirs
}

// ownerAlive reports whether the process in a PID-START-... name runs and
// started at START (field 22 of /proc/PID/stat).
func ownerAlive(name string) bool {
	f := strings.SplitN(name, "-", 3)
	stat, err := os.ReadFile("/proc/" + f[0] + "/stat")
	if err != nil || len(f) < 2 {
		return false
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 19 && fields[19] == f[1] && fields[0] != "Z"
}

// TestInputsRefused: an input that is not a regular file, given to case or
// found in a problem directory, is one line naming it and exit status 2, at
// once: a named pipe without a writer once held the harness forever, deaf to
// SIGINT and SIGTERM.
func TestInputsRefused(t *testing.T) {
	self := judgebench(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	problem := problemDir(t, 2)
	os.Remove(filepath.Join(problem, "2.in"))
	if err := syscall.Mkfifo(filepath.Join(problem, "2.in"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		line string
	}{
		{[]string{"case", "--stdin", fifo, "--", self, "work", "sort"}, "judgebench: case: stdin: " + fifo + ": not a regular file (a named pipe)"},
		{[]string{"case", "--expect", fifo, "--", self, "work", "sort"}, "judgebench: case: expect: " + fifo + ": not a regular file (a named pipe)"},
		{[]string{"case", "--stdin", dir, "--", self, "work", "sort"}, "judgebench: case: stdin: " + dir + ": not a regular file (a directory)"},
		{[]string{"case", "--stdin", "/dev/zero", "--", self, "work", "sort"}, "judgebench: case: stdin: /dev/zero: not a regular file (a character device)"},
		{[]string{"run", problem, "--", self, "work", "sort"}, "judgebench: run: scenarios: " + problem + ": 2.in: not a regular file (a named pipe)"},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		cmd, stdout, stderr := runProcess(ctx, t, tt.args...)
		cmd.Run()
		cancel()
		if code := cmd.ProcessState.ExitCode(); code != 2 || stderr.String() != tt.line+"\n" || stdout.Len() > 0 {
			t.Errorf("judgebench %q = %d, stdout %q, stderr %q; want 2 and the line %q", tt.args, code, stdout, stderr, tt.line)
		}
	}
}

// TestParallelRefused: a parallelism beyond what the machine can hold (cases'
// memory limits beyond its memory, or beyond judgebench's bound) is one line
// and exit status 2 before anything runs, and leaves no cgroup behind.
func TestParallelRefused(t *testing.T) {
	before := cgroupDirs()
	for _, tt := range []struct {
		args []string
		line string
	}{
		{[]string{"run", "judge", "--parallel", "100000"}, "judgebench: run: parallelism 100000: must be 1 to 1024\n"},
		{[]string{"run", "judge", "--parallel", "1,4", "--memory", "1024GiB"},
			"judgebench: run: parallelism 4: 4 cases at once under a memory limit of 1024GiB need 4096.0GiB, more than the "},
		{[]string{"tune", "judge", "--max-parallel", "4", "--memory", "1024GiB"}, "judgebench: tune: parallelism 4: "},
	} {
		r := runCLI(t, append(tt.args, "--out", filepath.Join(t.TempDir(), "run"))...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, tt.line) || r.stdout != "" {
			t.Errorf("judgebench %q = %d, stdout %q, stderr %q; want 2 and a line starting %q", tt.args, r.code, r.stdout, r.stderr, tt.line)
		}
		checkOneLineError(t, tt.args, r)
	}
	if after := cgroupDirs(); len(after) > len(before) {
		t.Errorf("refused runs left cgroups: %v (before: %v)", after, before)
	}
}

func TestScenariosList(t *testing.T) {
	r := runCLI(t, "scenarios")
	for _, name := range []string{"gil", "oversubscribe", "contention", "lost-errors", "rusage-children", "parent-rss", "judge"} {
		if r.code != 0 || !strings.Contains(r.stdout, name) {
			t.Errorf("judgebench scenarios = %d, %q; want %s listed", r.code, r.stdout, name)
		}
	}
}

// TestBuiltinEffects runs the built-in scenarios whose effect is a count, not
// a timing, as README says, and checks the effect. Under emulation, where
// lost-errors' cases (two at once, beside other test binaries) once missed
// their expected verdicts, its limits are roomier than its own 1s and 3s.
func TestBuiltinEffects(t *testing.T) {
	dir := t.TempDir()
	args := []string{"run", "lost-errors", "--out", filepath.Join(dir, "lost")}
	if emulated() != "" {
		args = append(args, roomyLimits...)
	}
	r := runCLI(t, args...)
	if r.code != 0 {
		t.Fatalf("run lost-errors = %d, stderr %q, failures %s", r.code, r.stderr, failures(filepath.Join(dir, "lost")))
	}
	run, err := results.Read(filepath.Join(dir, "lost"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range run.Groups {
		pitfall := !g.Model.Correct()
		if g.FaultsInjected != 3 || (pitfall && g.FaultsLost == 0) || (!pitfall && g.FaultsLost != 0) {
			t.Errorf("lost-errors %s: %d/%d faults reported, %d lost; want every fault of a correct model, a loss for a pitfall",
				g.Model, g.FaultsReported, g.FaultsInjected, g.FaultsLost)
		}
	}
	if !strings.Contains(r.stdout, "process model: a worker process costs") {
		t.Errorf("run lost-errors printed %q; want the process model's worker cost", r.stdout)
	}
	if raceEnabled {
		return // race-instrumented children carry shadow memory: their peak is not a program's own
	}
	r = runCLI(t, "run", "parent-rss", "--out", filepath.Join(dir, "rss"))
	if run, err = results.Read(filepath.Join(dir, "rss")); r.code != 0 || err != nil {
		t.Fatalf("run parent-rss = %d, %v, stderr %q", r.code, err, r.stderr)
	}
	for _, g := range run.Groups {
		mib := g.MemoryBytes.Median / (1 << 20)
		if (g.Measure == "exact" && mib >= 16) || (g.Measure == "ru-maxrss" && mib < 200) {
			t.Errorf("parent-rss %s: memory median %.1f MiB; want under 16 exact, 200 or more from ru_maxrss", g.Measure, mib)
		}
	}
}

// TestRunOrder: without shuffling the cases run in their order; with it, the
// seed recorded in run.json replays the same order.
func TestRunOrder(t *testing.T) {
	caseOrder := func(args ...string) ([]string, int64) {
		out := filepath.Join(t.TempDir(), "run")
		args = append(append([]string{"run", "lost-errors", "--models", "serial", "--quiet", "--out", out}, roomyLimits...), args...)
		r := runCLI(t, args...)
		run, err := results.Read(out)
		if r.code != 0 || err != nil {
			t.Fatalf("run %q = %d, %v, stderr %q, failures %s", args, r.code, err, r.stderr, failures(out))
		}
		var names []string
		for _, s := range run.Samples {
			names = append(names, s.Case)
		}
		return names, run.Settings.Seed
	}
	want := "ok-1 ok-2 ok-3 ok-4 ok-5 exit-3 panic wrong"
	for _, flag := range []string{"--no-shuffle", "--shuffle=false"} {
		if got, _ := caseOrder(flag); strings.Join(got, " ") != want {
			t.Errorf("run %s: cases in order %q; want %q", flag, got, want)
		}
	}
	first, seed := caseOrder("--seed", "42")
	again, _ := caseOrder("--seed", strconv.FormatInt(seed, 10))
	if seed != 42 || strings.Join(first, " ") != strings.Join(again, " ") {
		t.Errorf("run --seed 42: order %q, seed %d; again %q; want the same order from the recorded seed", first, seed, again)
	}
}

// TestRunsAtOnce: two runs started together, in the same directory and the
// same second, both succeed, each with a run directory of its own: no run is
// lost without a word. It checks no limit, so the cases get room: the VM's
// 6.12 root shape once read one case of two emulated runs at once outside
// lost-errors' own 1s and 3s.
func TestRunsAtOnce(t *testing.T) {
	dir := t.TempDir()
	var cmds []*exec.Cmd
	var stderrs []*bytes.Buffer
	for range 2 {
		cmd, _, stderr := runProcess(t.Context(), t, append([]string{"run", "lost-errors", "--models", "serial", "--quiet"}, roomyLimits...)...)
		cmd.Dir = dir
		cmds, stderrs = append(cmds, cmd), append(stderrs, stderr)
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	failed := false
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("run %d: %v, stderr %q; want exit 0", i, err, stderrs[i])
			failed = true
		}
	}
	runs, _ := filepath.Glob(filepath.Join(dir, results.DefaultDir, "*", results.FileName))
	if len(runs) != 2 {
		t.Errorf("two runs at once left %q; want two run.json in two directories", runs)
	}
	if failed {
		for _, run := range runs {
			t.Logf("%s: failures %s", filepath.Dir(run), failures(filepath.Dir(run)))
		}
	}
}

// roomyLimits are limits for a test that checks none: far above what a
// case of the built-in scenarios takes, even emulated and beside other
// tests.
var roomyLimits = []string{"--cpu-time", "5s", "--real-time", "30s"}

// TestRunOutcomes: a solution that fails cases, crashes or cannot start is
// not an ordinary run. Failing cases are named with their verdicts and why,
// and the exit status says what happened.
func TestRunOutcomes(t *testing.T) {
	self := judgebench(t)
	dir := problemDir(t, 4)
	wrong := filepath.Join(dir, "3.out") // case 3 expects the answer of case 4
	in4, out4 := scenarios.SortCase(400, 4)
	if err := os.WriteFile(wrong, out4, 0o644); err != nil || len(in4) == 0 {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		prog   []string
		code   int
		stdout []string
		stderr string
	}{
		{"one wrong case", []string{self, "work", "sort"}, 1,
			[]string{"1 case of 4 did not get the expected verdict", "case 3: WRONG_ANSWER in 2 of 2 (expected ACCEPTED): line 1: expected", "3 AC 1 WA"},
			"1 case did not get the expected verdict"},
		{"crashes", []string{self, "work", "segv"}, 1,
			[]string{"4 cases of 4", "case 1: RUNTIME_ERROR in 2 of 2 (expected ACCEPTED): killed by signal 11", "4 RE"},
			"4 cases did not get the expected verdict"},
		{"too slow", []string{self, "work", "spin", "100000000000"}, 1,
			[]string{"CPU_TIME_LIMIT_EXCEEDED in 2 of 2", "4 TLE"}, ""},
	}
	// A Go program's start-up alone takes some 100ms of CPU on an emulated
	// CPU, and a race-instrumented one's 80 to 100ms on the slower
	// development machine (its sort of 400 numbers read 105 to 110ms): the
	// limit that the spinning cases must exceed, and no other case, is
	// wider there.
	cpuLimit := "100ms"
	if why := emulated(); why != "" {
		cpuLimit = "1s"
		t.Logf("%s: a CPU limit of %s, not 100ms", why, cpuLimit)
	} else if raceEnabled {
		cpuLimit = "1s"
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", dir, "--models", "serial,pool", "--parallel", "2", "--cpu-time", cpuLimit,
				"--real-time", "1m", "--out", filepath.Join(t.TempDir(), "run"), "--"}, tt.prog...)
			r := runCLI(t, args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("run DIR -- %v = %d, stderr %q; want %d and %q", tt.prog[1:], r.code, r.stderr, tt.code, tt.stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("run DIR -- %v printed:\n%s\nwant a line with %q", tt.prog[1:], r.stdout, want)
				}
			}
		})
	}
	// A checker program that accepts anything: the wrong case passes.
	yes := writeFile(t, t.TempDir(), "yes.sh", "#!/bin/sh\nexit 0\n")
	os.Chmod(yes, 0o755)
	if r := runCLI(t, "run", dir, "--models", "serial", "--checker", yes, "--out", filepath.Join(t.TempDir(), "run"), "--", self, "work", "sort"); r.code != 0 {
		t.Errorf("run DIR --checker ACCEPT-ALL = %d, stdout %q, stderr %q; want 0", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "run", dir, "--out", filepath.Join(t.TempDir(), "run"), "--", filepath.Join(dir, "nosuch")); r.code != 2 ||
		!strings.Contains(r.stderr, "the program cannot start") {
		t.Errorf("run DIR -- ./nosuch = %d, stderr %q; want 2 naming why", r.code, r.stderr)
	}
	// Nothing could be measured: the program starts (it exists) but is no
	// executable the kernel takes.
	script := writeFile(t, t.TempDir(), "notelf", "not a program\n")
	os.Chmod(script, 0o755)
	if r := runCLI(t, "run", dir, "--models", "serial", "--out", filepath.Join(t.TempDir(), "run"), "--", script); r.code != 2 ||
		!strings.Contains(r.stderr, "nothing could be measured") {
		t.Errorf("run DIR -- NOT-A-PROGRAM = %d, stderr %q; want 2, nothing could be measured", r.code, r.stderr)
	}
}

// failures says which cases of the run in dir failed and why, for a test's
// message.
func failures(dir string) string {
	run, err := results.Read(dir)
	if err != nil {
		return err.Error()
	}
	var lines []string
	for _, f := range results.Failures(run.Samples) {
		lines = append(lines, report.FailureText(f)+" (error "+strconv.Quote(f.First.Error)+")")
	}
	return strings.Join(lines, "; ")
}

// TestKilledRun: kill -9 of a running `judgebench run` at the default
// isolation (namespaces, as root) leaves no judged process alive a second
// later, and the next judgebench leaves no cgroup, directory or mount of the
// dead run behind.
func TestKilledRun(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the default isolation is namespaces only as root")
	}
	self := judgebench(t)
	file := writeFile(t, t.TempDir(), "stuck.yaml", `name: stuck
workload: hang
cases:
  - {name: stuck, count: 4}
limits: {cpu_time: 30s, real_time: 60s}
models: [serial, pool, process]
parallel: [2]
`)
	cmd, _, stderr := runProcess(t.Context(), t, "run", file, "--no-shuffle", "--out", filepath.Join(t.TempDir(), "run"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	for deadline := time.Now().Add(time.Minute); len(processesRunning(self, "hang")) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the stuck cases never started; stderr %q", stderr)
		}
	}
	pid, prefix := cmd.Process.Pid, strconv.Itoa(cmd.Process.Pid)+"-"
	cmd.Process.Kill()
	cmd.Wait()
	killed := time.Now()
	// The dead run's cgroups, which the next judgebench must remove.
	left := len(ownedBy(pid)) > 0
	for len(processesRunning(self, "hang")) > 0 && time.Since(killed) < time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	if left := processesRunning(self, "hang"); len(left) > 0 {
		t.Errorf("judged processes %v alive %v after judgebench run was killed", left, time.Since(killed))
	}
	if r := runCLI(t, "case", "--", self, "work", "exit", "0"); r.code != 0 {
		t.Fatalf("judgebench case after the kill = %d, stderr %q", r.code, r.stderr)
	}
	if !left {
		t.Log("the killed run left no cgroup (a host without them): nothing for the next judgebench to remove")
	}
	for _, d := range ownedBy(pid) {
		t.Errorf("after the next judgebench started, the killed run's cgroup %s is left", d)
	}
	dirs, _ := filepath.Glob(filepath.Join("/tmp", "judgebench-isolation-"+prefix+"*"))
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	if len(dirs) > 0 || strings.Contains(string(mounts), "/judgebench-isolation-"+prefix) {
		t.Errorf("after the next judgebench started, the killed run's isolation directories %q are left, or mounts in them", dirs)
	}
}
