package judges

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// openJudgerT opens the judger executor on the built Judger, closed when
// the test ends, or skips.
func openJudgerT(t *testing.T) Executor {
	t.Helper()
	path := peer(t, "libjudger.so")
	e, err := Open(t.Context(), "judger:"+path)
	if err != nil {
		t.Fatalf("Open(judger:%s) = %v", path, err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return e
}

// wantVerdict fails t unless r's verdict is want, showing r.
func wantVerdict(t *testing.T, r *sandbox.Result, want sandbox.Verdict) {
	t.Helper()
	if r.Verdict != want {
		t.Fatalf("verdict = %v; want %v\nresult: %+v\njudge: %+v\nstderr: %s", r.Verdict, want, r, r.Judge, r.Stderr)
	}
}

func TestJudgerOpenErrors(t *testing.T) {
	for _, spec := range []string{"judger:/nonexistent", "judger:" + t.TempDir()} {
		_, err := Open(t.Context(), spec)
		if err == nil {
			t.Errorf("Open(%q) = nil error; want one", spec)
			continue
		}
		msg := err.Error()
		path := strings.TrimPrefix(spec, "judger:")
		if !strings.HasPrefix(msg, "judges: judger: ") || strings.Contains(msg, "judges: judges:") ||
			!strings.Contains(msg, path) || strings.Contains(msg, "\n") {
			t.Errorf("Open(%q) = %q; want one line \"judges: judger: ...\" naming %s", spec, msg, path)
		}
	}
}

func TestJudgerDescribe(t *testing.T) {
	e := openJudgerT(t)
	d := e.Describe()
	if d.Executor != "judger" || !strings.HasPrefix(d.Spec, "judger:/") || d.Version == "" || len(d.Config) == 0 {
		t.Errorf("Describe() = %+v; want executor judger, its spec, a version and its config", d)
	}
	if !slices.ContainsFunc(d.Notes, func(n string) bool { return strings.Contains(n, "user time") }) {
		t.Errorf("Describe().Notes = %q; want one saying cpu_time is user time only", d.Notes)
	}
}

func TestJudgerBurn(t *testing.T) {
	skipIfRace(t)
	e := openJudgerT(t)
	var out bytes.Buffer
	cmd := work(t, sandbox.Limits{}, "burn", "300ms")
	cmd.Stdout = &out
	r := e.Run(t.Context(), cmd)
	wantVerdict(t, r, sandbox.Accepted)
	clocks, err := scenarios.ParseBurn(out.String())
	if err != nil {
		t.Fatal(err)
	}
	own := clocks.Process
	// cpu_time is user time only, in whole ms, and the process's clock
	// includes the system time of burn's clock reads: the judge's figure is
	// at most the program's own (plus its exit), and most of it.
	t.Logf("burn 300ms: judger cpu_time %v (user only), program's process clock %v, difference %v; real_time %v, memory %v",
		r.CPUTime, own, r.CPUTime-own, r.RealTime, r.Memory)
	if r.CPUTime > own+10*time.Millisecond || r.CPUTime < own*7/10 {
		t.Errorf("cpu_time = %v; want between 70%% of the program's process clock %v and 10ms past it", r.CPUTime, own)
	}
	if r.User != r.CPUTime || r.System != 0 {
		t.Errorf("user, system = %v, %v; want cpu_time %v and 0", r.User, r.System, r.CPUTime)
	}
	if r.MemorySource != "judger:ru_maxrss" || r.Memory <= 0 || r.Isolation != isolation {
		t.Errorf("memory %v from %q, isolation %q; want a peak from judger:ru_maxrss, isolation %q", r.Memory, r.MemorySource, r.Isolation, isolation)
	}
	if r.Judge == nil || r.Judge.Status != "0 ACCEPTED" || r.Judge.Latency < r.RealTime-time.Millisecond || len(r.Judge.Raw) == 0 {
		t.Errorf("judge report = %+v; want status \"0 ACCEPTED\", latency >= real_time %v, the raw result", r.Judge, r.RealTime)
	}
}

func TestJudgerCPULimit(t *testing.T) {
	// RLIMIT_CPU is whole seconds, (250+1000)/1000 = 1: the spinner runs to
	// about 1s of CPU before the kernel kills it.
	skipIfRace(t)
	e := openJudgerT(t)
	cmd := work(t, sandbox.Limits{CPUTime: 250 * time.Millisecond, RealTime: 20 * time.Second}, "spin", "1000000000000000")
	r := e.Run(t.Context(), cmd)
	wantVerdict(t, r, sandbox.CPUTimeLimitExceeded)
	t.Logf("spin under 250ms: killed at cpu_time %v (user only), real_time %v, signal %d, status %q", r.CPUTime, r.RealTime, r.Signal, r.Judge.Status)
	if r.CPUTime < 800*time.Millisecond || r.CPUTime > 1300*time.Millisecond {
		t.Errorf("cpu_time = %v; want about 1s, the whole-second RLIMIT_CPU", r.CPUTime)
	}
	if r.Signal != 9 || r.ExitCode != -1 || r.Judge.Status != "1 CPU_TIME_LIMIT_EXCEEDED" {
		t.Errorf("signal %d, exit code %d, status %q; want 9, -1, \"1 CPU_TIME_LIMIT_EXCEEDED\"", r.Signal, r.ExitCode, r.Judge.Status)
	}
}

func TestJudgerMemory(t *testing.T) {
	// Judger limits address space to twice the limit (2GiB here), and a Go
	// program holds ~1.2GiB of it before it allocates: the 2GiB block cannot
	// even be mapped, the runtime says "out of memory" and exits 2 with a
	// peak of a few MiB. Judger sees a non-zero exit: RUNTIME_ERROR, not
	// MEMORY_LIMIT_EXCEEDED (measured: under 1GiB, alloc 700 is ACCEPTED and
	// alloc 800 already RUNTIME_ERROR; under 1536MiB, alloc 1600 is MLE).
	skipIfRace(t)
	e := openJudgerT(t)
	r := e.Run(t.Context(), work(t, sandbox.Limits{Memory: sandbox.GiB}, "alloc", "2048"))
	t.Logf("alloc 2048 under 1GiB: %v, exit code %d, signal %d, memory %v, status %q, stderr %q",
		r.Verdict, r.ExitCode, r.Signal, r.Memory, r.Judge.Status, firstStderrLine(r.Stderr))
	wantVerdict(t, r, sandbox.RuntimeError)
	if r.ExitCode != 2 || !bytes.Contains(r.Stderr, []byte("out of memory")) || r.Memory > sandbox.GiB {
		t.Errorf("exit code %d, memory %v, stderr %q; want 2, under 1GiB, Go's \"out of memory\"", r.ExitCode, r.Memory, firstStderrLine(r.Stderr))
	}
}

func TestJudgerExits(t *testing.T) {
	skipIfRace(t)
	e := openJudgerT(t)
	for _, tc := range []struct {
		args     []string
		verdict  sandbox.Verdict
		exitCode int
		signal   int
	}{
		{[]string{"exit", "0"}, sandbox.Accepted, 0, 0},
		{[]string{"exit", "3"}, sandbox.RuntimeError, 3, 0},
		{[]string{"segv"}, sandbox.RuntimeError, -1, 11},
		{[]string{"abort"}, sandbox.RuntimeError, -1, 6},
	} {
		r := e.Run(t.Context(), work(t, sandbox.Limits{}, tc.args[0], tc.args[1:]...))
		if r.Verdict != tc.verdict || r.ExitCode != tc.exitCode || r.Signal != tc.signal {
			t.Errorf("work %s = %v, exit code %d, signal %d; want %v, %d, %d (%+v)",
				strings.Join(tc.args, " "), r.Verdict, r.ExitCode, r.Signal, tc.verdict, tc.exitCode, tc.signal, r)
		}
	}
}

func TestJudgerSystemError(t *testing.T) {
	// A script whose interpreter is missing: Judger's child fails execve,
	// and only its log says so.
	e := openJudgerT(t)
	script := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(script, []byte("#!/nonexistent/interpreter\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := e.Run(t.Context(), &sandbox.Command{Path: script})
	wantVerdict(t, r, sandbox.SystemError)
	if !strings.Contains(r.Error, "EXECVE_FAILED") || r.Judge.Status != "5 SYSTEM_ERROR" {
		t.Errorf("error %q, status %q; want Judger's log naming EXECVE_FAILED, \"5 SYSTEM_ERROR\"", r.Error, r.Judge.Status)
	}
}

func TestJudgerOutput(t *testing.T) {
	skipIfRace(t)
	e := openJudgerT(t)
	input, output := scenarios.SortCase(1000, 1)
	wrong := bytes.Replace(output, []byte("\n"), []byte(" 0\n"), 1)
	for _, tc := range []struct {
		name    string
		expect  []byte
		verdict sandbox.Verdict
	}{
		{"right", output, sandbox.Accepted},
		{"wrong", wrong, sandbox.WrongAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			cmd := work(t, sandbox.Limits{}, "sort")
			cmd.Stdin, cmd.Stdout, cmd.Expect = bytes.NewReader(input), &out, bytes.NewReader(tc.expect)
			r := e.Run(t.Context(), cmd)
			wantVerdict(t, r, tc.verdict)
			if !bytes.Equal(out.Bytes(), output) || r.OutputBytes != int64(len(output)) {
				t.Errorf("output %d bytes (OutputBytes %d); want the %d sorted bytes", out.Len(), r.OutputBytes, len(output))
			}
			if r.Match != (tc.verdict == sandbox.Accepted) {
				t.Errorf("Match = %v; want %v (checker %q)", r.Match, !r.Match, r.CheckerMessage)
			}
		})
	}
}

func TestJudgerSlots(t *testing.T) {
	e := openJudgerT(t)
	seen := map[int]bool{}
	stop := make(chan struct{})
	var watch sync.WaitGroup
	watch.Go(func() {
		for {
			for _, uid := range judgerUIDs() {
				seen[uid] = true
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	rs := make([]*sandbox.Result, 2)
	var runs sync.WaitGroup
	for slot := range rs {
		runs.Go(func() {
			cmd := sleeper(t, "700ms")
			cmd.Slot = slot
			rs[slot] = e.Run(t.Context(), cmd)
		})
	}
	runs.Wait()
	close(stop)
	watch.Wait()
	for slot, r := range rs {
		if r.Verdict != sandbox.Accepted {
			t.Errorf("slot %d: %v (%s); want ACCEPTED", slot, r.Verdict, r.Error)
		}
	}
	if !seen[judgerFirstUID] || !seen[judgerFirstUID+1] {
		t.Errorf("uids seen running = %v; want %d and %d, one per slot", seen, judgerFirstUID, judgerFirstUID+1)
	}
}

func TestJudgerPinned(t *testing.T) {
	e := openJudgerT(t)
	var before unix.CPUSet
	if err := unix.SchedGetaffinity(0, &before); err != nil {
		t.Fatal(err)
	}
	cpu := 0
	for n := range 1024 {
		if before.IsSet(n) {
			cpu = n // the last CPU this test may use
		}
	}
	const slot = 5
	cmd := sleeper(t, "700ms")
	cmd.Slot, cmd.CPUs = slot, []int{cpu}
	done := make(chan *sandbox.Result)
	go func() { done <- e.Run(t.Context(), cmd) }()
	var allowed string
	for deadline := time.Now().Add(5 * time.Second); allowed == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		allowed = judgerCPUs(judgerFirstUID + slot)
	}
	r := <-done
	wantVerdict(t, r, sandbox.Accepted)
	if want := strconv.Itoa(cpu); allowed != want {
		t.Errorf("the program's Cpus_allowed_list = %q; want %q", allowed, want)
	}
	var after unix.CPUSet
	if err := unix.SchedGetaffinity(0, &after); err != nil || after != before {
		t.Errorf("the test's own affinity = %v (%v); want %v back", after, err, before)
	}
}

func TestJudgerCancel(t *testing.T) {
	e := openJudgerT(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const slot = 7
	cmd := sleeper(t, "")
	cmd.Limits.CPUTime, cmd.Limits.RealTime = 30*time.Second, time.Minute
	cmd.Slot = slot
	done := make(chan *sandbox.Result)
	go func() { done <- e.Run(ctx, cmd) }()
	if !waitUID(judgerFirstUID+slot, true) {
		cancel()
		r := <-done
		t.Fatalf("no process of uid %d 5s after the start; result %v, %s, stderr %q", judgerFirstUID+slot, r.Verdict, r.Error, firstStderrLine(r.Stderr))
	}
	cancel()
	start := time.Now()
	r := <-done
	took := time.Since(start)
	wantVerdict(t, r, sandbox.SystemError)
	t.Logf("cancelled: returned %v after the cancel: %s", took, r.Error)
	if took > 2*time.Second || !strings.Contains(r.Error, "context canceled") {
		t.Errorf("Run returned %v after the cancel, error %q; want promptly, saying it was cancelled", took, r.Error)
	}
	if !waitUID(judgerFirstUID+slot, false) {
		t.Errorf("a process of uid %d is still alive 5s after the cancelled run", judgerFirstUID+slot)
	}
}

// waitUID waits up to 5s until a live process of uid exists (alive) or
// none does (!alive), and reports whether it came to that.
func waitUID(uid int, alive bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if slices.Contains(judgerUIDs(), uid) == alive {
			return true
		}
	}
	return false
}

func TestJudgerLatency(t *testing.T) {
	skipIfRace(t)
	e := openJudgerT(t)
	const n = 20
	var latency, real []time.Duration
	for range n {
		r := e.Run(t.Context(), work(t, sandbox.Limits{}, "exit", "0"))
		wantVerdict(t, r, sandbox.Accepted)
		latency, real = append(latency, r.Judge.Latency), append(real, r.RealTime)
	}
	slices.Sort(latency)
	slices.Sort(real)
	t.Logf("work exit 0, %d runs: latency around Judger median %v (min %v, max %v); Judger's real_time median %v",
		n, latency[n/2], latency[0], latency[n-1], real[n/2])
}

// sleeper is a command that sleeps d, or with d "" blocks ignoring
// SIGTERM: a workload of the test binary, or the system's sleep under the
// race detector, whose test binary cannot start under Judger's address-space
// limit (so that the race detector still sees Run at work).
func sleeper(t *testing.T, d string) *sandbox.Command {
	if !raceEnabled {
		if d == "" {
			return work(t, sandbox.Limits{}, "hang")
		}
		return work(t, sandbox.Limits{}, "sleep", d)
	}
	path, err := exec.LookPath("sleep")
	if err != nil {
		t.Skipf("race detector, and no sleep program: %v", err)
	}
	if d == "" {
		d = "1h"
	}
	dur, err := time.ParseDuration(d)
	if err != nil {
		t.Fatal(err)
	}
	return &sandbox.Command{Path: path, Args: []string{strconv.FormatFloat(dur.Seconds(), 'f', -1, 64)}}
}

// judgerUIDs are the uids in Judger's range of the live (not zombie)
// processes on the system.
func judgerUIDs() []int {
	var uids []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		f, err := os.Open(filepath.Join("/proc", d.Name(), "status"))
		if err != nil {
			continue
		}
		uid, zombie := -1, false
		s := bufio.NewScanner(f)
		for s.Scan() {
			k, v, _ := strings.Cut(s.Text(), ":")
			fields := strings.Fields(v)
			switch {
			case k == "State" && len(fields) > 0:
				zombie = fields[0] == "Z"
			case k == "Uid" && len(fields) > 0:
				uid, _ = strconv.Atoi(fields[0])
			}
		}
		f.Close()
		if !zombie && uid >= judgerFirstUID && uid < judgerFirstUID+judgerSlots {
			uids = append(uids, uid)
		}
	}
	return uids
}

// judgerCPUs is Cpus_allowed_list of a live process of uid, "" if none.
func judgerCPUs(uid int) string {
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "status"))
		if err != nil {
			continue
		}
		var u, cpus string
		for line := range strings.Lines(string(b)) {
			k, v, _ := strings.Cut(line, ":")
			if f := strings.Fields(v); len(f) > 0 && k == "Uid" {
				u = f[0]
			} else if len(f) > 0 && k == "Cpus_allowed_list" {
				cpus = f[0]
			}
		}
		if u == strconv.Itoa(uid) {
			return cpus
		}
	}
	return ""
}

// firstStderrLine is the first line of a program's stderr.
func firstStderrLine(b []byte) string {
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}

func TestJudgerFlags(t *testing.T) {
	files := judgerFiles{input: "/in", output: "/out", stderr: "/err", log: "/log"}
	for _, tc := range []struct {
		name     string
		cmd      sandbox.Command
		want     []string
		warnings int
		err      string
	}{
		{"defaults", sandbox.Command{}, []string{"--exe_path=/prog", "--env=PATH=/usr/local/bin:/usr/bin:/bin",
			"--max_cpu_time=1000", "--max_real_time=3000", "--max_memory=268435456", "--max_stack=268435456",
			"--max_process_number=64", "--max_output_size=67108865", "--input_path=/in", "--output_path=/out",
			"--error_path=/err", "--log_path=/log", "--uid=64000", "--gid=64000"}, 0, ""},
		{"slot, args, env", sandbox.Command{Slot: 3, Args: []string{"x", "-y", "a=b"}, Env: []string{"A=1"}},
			[]string{"--args=x", "--args=-y", "--args=a=b", "--env=A=1", "--uid=64003", "--gid=64003"}, 0, ""},
		{"ms rounded up", sandbox.Command{Limits: sandbox.Limits{CPUTime: 1500 * time.Microsecond, RealTime: 2 * time.Second}},
			[]string{"--max_cpu_time=2", "--max_real_time=2000"}, 0, ""},
		{"clamped", sandbox.Command{Limits: sandbox.Limits{Memory: 3 * sandbox.GiB, Output: 2 * sandbox.GiB}},
			[]string{"--max_memory=2147483647", "--max_stack=2147483647", "--max_output_size=2147483647"}, 3, ""},
		{"too many args", sandbox.Command{Args: make([]string, 255)}, nil, 0, "255 arguments"},
		{"too many env", sandbox.Command{Env: make([]string, 256)}, nil, 0, "256 environment variables"},
		{"empty argument", sandbox.Command{Args: []string{"a", ""}}, nil, 0, "empty argument"},
	} {
		flags, warnings, err := judgerFlags(&tc.cmd, "/prog", files)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: judgerFlags() error = %v; want one saying %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || len(warnings) != tc.warnings {
			t.Errorf("%s: judgerFlags() = %d warnings %q, error %v; want %d warnings, no error", tc.name, len(warnings), warnings, err, tc.warnings)
		}
		for _, f := range tc.want {
			if !slices.Contains(flags, f) {
				t.Errorf("%s: judgerFlags() = %q; want %s in it", tc.name, flags, f)
			}
		}
	}
}

func TestJudgerResult(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	os.WriteFile(log, []byte("FATAL [x] [child.c:1]Error: System errno: Permission denied; Internal errno: DUP2_FAILED\n"), 0o644)
	for _, tc := range []struct {
		json     string
		verdict  sandbox.Verdict
		status   string
		exitCode int
		err      string
	}{
		{`{"cpu_time": 12, "real_time": 20, "memory": 4096, "signal": 0, "exit_code": 0, "error": 0, "result": 0}`, sandbox.Accepted, "0 ACCEPTED", 0, ""},
		{`{"cpu_time": 998, "real_time": 1010, "memory": 4096, "signal": 9, "exit_code": 0, "error": 0, "result": 1}`, sandbox.CPUTimeLimitExceeded, "1 CPU_TIME_LIMIT_EXCEEDED", -1, ""},
		{`{"cpu_time": 0, "real_time": 1001, "memory": 4096, "signal": 9, "exit_code": 0, "error": 0, "result": 2}`, sandbox.RealTimeLimitExceeded, "2 REAL_TIME_LIMIT_EXCEEDED", -1, ""},
		{`{"cpu_time": 3, "real_time": 9, "memory": 105418752, "signal": 0, "exit_code": 0, "error": 0, "result": 3}`, sandbox.MemoryLimitExceeded, "3 MEMORY_LIMIT_EXCEEDED", 0, ""},
		{`{"cpu_time": 1, "real_time": 2, "memory": 4096, "signal": 0, "exit_code": 1, "error": 0, "result": 4}`, sandbox.RuntimeError, "4 RUNTIME_ERROR", 1, ""},
		{`{"cpu_time": 0, "real_time": 1, "memory": 0, "signal": 10, "exit_code": 0, "error": 0, "result": 5}`, sandbox.SystemError, "5 SYSTEM_ERROR", -1, "DUP2_FAILED"},
		{`{"cpu_time": 0, "real_time": 0, "memory": 0, "signal": 0, "exit_code": 0, "error": -5, "result": 0}`, sandbox.SystemError, "0 ACCEPTED, error -5 ROOT_REQUIRED", -1, "ROOT_REQUIRED"},
	} {
		report := &sandbox.JudgeReport{}
		r, err := judgerResult([]byte(tc.json), judgerFiles{log: log}, report)
		if err != nil {
			t.Errorf("judgerResult(%s) error = %v", tc.json, err)
			continue
		}
		if r.Verdict != tc.verdict || report.Status != tc.status || r.ExitCode != tc.exitCode || !strings.Contains(r.Error, tc.err) || len(report.Raw) == 0 {
			t.Errorf("judgerResult(%s) = %v, status %q, exit code %d, error %q; want %v, %q, %d, error with %q",
				tc.json, r.Verdict, report.Status, r.ExitCode, r.Error, tc.verdict, tc.status, tc.exitCode, tc.err)
		}
	}
	for _, bad := range []string{"", "Usage: libjudger.so", `{"result": 9}`} {
		if _, err := judgerResult([]byte(bad), judgerFiles{log: log}, &sandbox.JudgeReport{}); err == nil {
			t.Errorf("judgerResult(%q) error = nil; want one", bad)
		}
	}
}

func FuzzJudgerResult(f *testing.F) {
	f.Add([]byte(`{"cpu_time": 12, "real_time": 20, "memory": 4096, "signal": 0, "exit_code": 0, "error": 0, "result": 0}`))
	f.Add([]byte(`{"result": 5, "signal": 10}`))
	f.Add([]byte(`{"error": -5}`))
	log := filepath.Join(f.TempDir(), "log")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := judgerResult(b, judgerFiles{log: log}, &sandbox.JudgeReport{})
		if err == nil && (r.Verdict < sandbox.Accepted || r.Verdict > sandbox.SystemError || r.Judge == nil) {
			t.Errorf("judgerResult(%q) = %+v; want a valid verdict and the judge's report", b, r)
		}
	})
}
