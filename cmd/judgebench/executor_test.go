package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/judgebench/judgebench/judges"
	"github.com/judgebench/judgebench/results"
)

// peerJudge returns the spec of the real judge name built from ../shared/peers
// (kind:path of its binary), or skips t saying why it cannot run here. The
// judges are where .ci/run builds them: $JUDGEBENCH_PEERS, else
// ${JUDGEBENCH_CACHE:-~/.cache/judgebench}/peers.
func peerJudge(t *testing.T, kind, binary string) string {
	t.Helper()
	spec := peerBinary(t, kind, binary)
	if raceEnabled && kind != "go-judge" {
		t.Skip("race detector: its shadow memory does not fit under the judge's address-space limit")
	}
	return spec
}

// peerBinary is peerJudge under the race detector too.
func peerBinary(t *testing.T, kind, binary string) string {
	t.Helper()
	dir := os.Getenv("JUDGEBENCH_PEERS")
	if dir == "" {
		cache := os.Getenv("JUDGEBENCH_CACHE")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache", "judgebench")
		}
		dir = filepath.Join(cache, "peers")
	}
	path := filepath.Join(dir, "bin", binary)
	if _, err := os.Stat(path); err != nil {
		missing := t.Skipf
		if os.Getenv("JUDGEBENCH_REQUIRE_PEERS") != "" { // .ci/run built them: a test that cannot find them fails
			missing = t.Fatalf
		}
		missing("no %s: build the peers with `bash ../shared/peers/build.sh %s`: %v", binary, dir, err)
	}
	if os.Geteuid() != 0 {
		t.Skipf("%s runs as root only", binary)
	}
	return kind + ":" + path
}

// caseJSONOf runs `case --json` and decodes what it printed.
func caseJSONOf(t *testing.T, args ...string) (caseJSON, result) {
	t.Helper()
	r := runCLI(t, append([]string{"case", "--json"}, args...)...)
	var got caseJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("case %q printed %q (stderr %q): %v", args, r.stdout, r.stderr, err)
	}
	return got, r
}

// TestCaseThroughJudges: `case --executor` gives the judge's verdict and
// figures, with its raw result, for a burner, a spinner over its CPU limit,
// a memory hog and a crash; the memory hog shows how each limits memory.
func TestCaseThroughJudges(t *testing.T) {
	for _, judge := range []struct {
		kind, binary string
		hog          string // the judge's verdict for touching twice the memory limit
	}{
		{"judger", "libjudger.so", "RUNTIME_ERROR"},       // address space, 2x the limit
		{"isolate", "isolate", "RUNTIME_ERROR"},           // address space
		{"go-judge", "go-judge", "MEMORY_LIMIT_EXCEEDED"}, // its cgroup; judgebench starts it
	} {
		t.Run(judge.kind, func(t *testing.T) {
			spec := peerJudge(t, judge.kind, judge.binary)
			self := judgebench(t)
			// 2047MiB: the address space a Go program's runtime needs to start
			// every time under Judger's and isolate's limits (see calibrate).
			roomy := []string{"--executor", spec, "--memory", "2047MiB", "--stack", "8MiB", "--real-time", "1m"}
			for _, c := range []struct {
				args    []string
				verdict string
				code    int
			}{
				{[]string{"--cpu-time", "10s", "--", self, "work", "burn", "300ms"}, "ACCEPTED", 0},
				{[]string{"--cpu-time", "250ms", "--", self, "work", "burn", "1m"}, "CPU_TIME_LIMIT_EXCEEDED", 1},
				// Under 1GiB: the runtime's allocation fails in the address space,
				// or now and then its start does; a RUNTIME_ERROR either way.
				{[]string{"--cpu-time", "10s", "--memory", "1GiB", "--", self, "work", "alloc", "2048"}, judge.hog, 1},
				{[]string{"--cpu-time", "10s", "--", self, "work", "segv"}, "RUNTIME_ERROR", 1},
			} {
				got, r := caseJSONOf(t, append(roomy, c.args...)...)
				if string(got.Verdict.String()) != c.verdict || r.code != c.code || got.Executor != judge.kind || got.Judge == nil || len(got.Judge.Raw) == 0 {
					t.Errorf("case %s = %d, %s; want %s (exit %d) with the judge's raw result", strings.Join(c.args[2:], " "), r.code, r.stdout, c.verdict, c.code)
				}
				switch c.verdict {
				case "ACCEPTED":
					// The process's start-up counts too: a race-instrumented
					// one's alone takes 80 to 100ms of CPU on the slower
					// development machine (the other, some 30).
					hi := 400.0
					if raceEnabled {
						hi = 550
					}
					if got.CPUTimeMS < 250 || got.CPUTimeMS > hi {
						t.Errorf("burn 300ms through %s: cpu_time %.1fms; want about 300 (at most %.0f)", judge.kind, got.CPUTimeMS, hi)
					}
				case "CPU_TIME_LIMIT_EXCEEDED":
					if got.CPUTimeMS < 250 {
						t.Errorf("spinner through %s stopped at %.1fms of CPU; want at least the 250ms limit", judge.kind, got.CPUTimeMS)
					}
				}
				if c.args[len(c.args)-1] == "segv" && got.Signal != 11 {
					t.Errorf("segv through %s: signal %d; want 11", judge.kind, got.Signal)
				}
			}
		})
	}
}

// TestCalibrateJudger: Judger counts user time only and enforces its CPU
// limit in whole seconds: calibrate exits 1 and shows both.
func TestCalibrateJudger(t *testing.T) {
	spec := peerJudge(t, "judger", "libjudger.so")
	r := runCLI(t, "calibrate", "--executor", spec, "--durations", "100ms", "--kernel", "100ms", "--repeat", "2",
		"--out", filepath.Join(t.TempDir(), "cal"))
	if r.code != 1 {
		t.Fatalf("calibrate through Judger = %d, stdout %q, stderr %q; want 1", r.code, r.stdout, r.stderr)
	}
	var kernelOut, cpuOff bool
	for line := range strings.SplitSeq(r.stdout, "\n") {
		kernelOut = kernelOut || (strings.Contains(line, "100ms kernel") && strings.HasSuffix(line, "OUT"))
		cpuOff = cpuOff || (strings.HasPrefix(line, "cpu 250ms") && strings.HasSuffix(line, "OFF"))
	}
	if !kernelOut || !cpuOff || !strings.Contains(r.stdout, "executor: judger") {
		t.Errorf("calibrate through Judger printed %q; want the kernel burn OUT, the 250ms CPU limit OFF, the executor named", r.stdout)
	}
}

// TestTuneGoJudge: tune through go-judge servers given by URL (one a
// judgebench executor started, as an operator's would be) recommends a
// parallelism for go-judge, and the run records the judge. Tolerances that
// any level meets decide the levels on a busy machine.
func TestTuneGoJudge(t *testing.T) {
	path := peerBinary(t, "go-judge", "go-judge")
	if raceEnabled {
		t.Skip("race detector: a race-instrumented program's time is not its own (it sleeps at exit)")
	}
	server, err := judges.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	var config []struct{ URL string }
	if err := json.Unmarshal(server.Describe().Config, &config); err != nil || len(config) != 1 || config[0].URL == "" {
		t.Fatalf("go-judge's config %s: %v; want its URL", server.Describe().Config, err)
	}
	dir := t.TempDir()
	problem := filepath.Join(dir, "sort")
	os.Mkdir(problem, 0o755)
	for i, c := range []struct{ in, out string }{{"3\n3 1 2\n", "1 2 3\n"}, {"2\n5 4\n", "4 5\n"}} {
		writeFile(t, problem, fmt.Sprintf("%d.in", i+1), c.in)
		writeFile(t, problem, fmt.Sprintf("%d.out", i+1), c.out)
	}
	out := filepath.Join(dir, "tune")
	r := runCLI(t, "tune", problem, "--executor", "go-judge:"+config[0].URL, "--max-parallel", "2", "--repeat", "3",
		"--tolerance", "1000%", "--floor", "1s", "--budget", "20s", "--json", "--out", out, "--", judgebench(t), "work", "sort")
	var got results.Tuning
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 || got.Recommended < 1 || len(got.Levels) != 2 {
		t.Fatalf("tune through go-judge = %d, stdout %q, stderr %q (%v); want 0, a parallelism, levels 1 and 2", r.code, r.stdout, r.stderr, err)
	}
	run, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if run.Machine.Judge == nil || run.Machine.Judge.Executor != "go-judge" || run.Samples[0].Executor != "go-judge" || run.Settings.Isolation != results.IsolationJudge {
		t.Errorf("tune's run: judge %+v, first sample's executor %q, isolation %q; want go-judge's", run.Machine.Judge, run.Samples[0].Executor, run.Settings.Isolation)
	}
}

// TestCalibrateGoJudge: go-judge measures CPU time truly: calibrate through
// it exits 0; with --strict-limits its exit status follows the limit checks
// (it polls its limits every 100 ms: a check may be off).
func TestCalibrateGoJudge(t *testing.T) {
	spec := peerBinary(t, "go-judge", "go-judge")
	if raceEnabled {
		t.Skip("race detector: a race-instrumented program's time is not its own")
	}
	args := []string{"calibrate", "--executor", spec, "--durations", "100ms", "--kernel", "100ms", "--repeat", "2"}
	// A shared machine only ever adds error: the better of two attempts.
	r := runCLI(t, append(args, "--out", filepath.Join(t.TempDir(), "a"))...)
	if r.code != 0 {
		r = runCLI(t, append(args, "--out", filepath.Join(t.TempDir(), "b"))...)
	}
	if r.code != 0 || !strings.Contains(r.stdout, "executor: go-judge") || !strings.Contains(r.stdout, "100ms kernel") {
		t.Errorf("calibrate through go-judge = %d, stdout %q, stderr %q; want 0, its kernel burn within tolerance", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, append(args, "--strict-limits", "--out", filepath.Join(t.TempDir(), "c"))...)
	accurate := !strings.Contains(r.stdout, " OUT\n")
	off := strings.Contains(r.stdout, " OFF\n")
	if want := map[bool]int{true: 1, false: 0}[off || !accurate]; r.code != want {
		t.Errorf("calibrate --strict-limits through go-judge = %d, stdout %q; want %d (checks off: %v)", r.code, r.stdout, want, off)
	}
}
