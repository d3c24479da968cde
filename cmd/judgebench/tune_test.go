package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
)

// TestTuneCPUBound: on a CPU-bound problem tune never recommends more cases
// at once than the machine has CPUs, and writes its table and plot. On a busy
// machine the noise can exceed the tolerance even one case at a time: then it
// must say so (exit 1, safe false, 0), not guess.
func TestTuneCPUBound(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "cpu.yaml", "name: cpu\nworkload: burn\nargs: [30ms]\ncases: [{name: b, count: 4}]\n")
	out := filepath.Join(dir, "run")
	r := runCLI(t, "tune", file, "--max-parallel", "4", "--repeat", "2", "--budget", "5s", "--json", "--out", out)
	if r.code != 0 && r.code != 1 {
		t.Fatalf("tune = %d, stderr %q", r.code, r.stderr)
	}
	var got struct {
		Plot string `json:"plot"`
		results.Tuning
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("tune --json printed %q: %v", r.stdout, err)
	}
	safe := r.code == 0
	if got.Safe != safe || (safe && got.Recommended < 1) || (!safe && got.Recommended != 0) ||
		got.Recommended > runtime.NumCPU() || !sweptLevels(got.Levels) || got.Reason == "" {
		t.Errorf("tune = exit %d, safe %v, recommended %d, %d levels, reason %q; want at most %d CPUs (0 when exit 1), levels 1, 2 and 4 pinned and not, a reason",
			r.code, got.Safe, got.Recommended, len(got.Levels), got.Reason, runtime.NumCPU())
	}
	if fi, err := os.Stat(got.Plot); err != nil || fi.Size() == 0 {
		t.Errorf("tune plot %q: %v", got.Plot, err)
	}
	// A safe recommendation comes with its CPUs and the configuration of
	// each judge, the go-judge one naming both.
	if safe {
		want := fmt.Sprintf("go-judge -parallelism %d -cpuset %s", got.Recommended, results.FormatCPUList(got.CPUList))
		if len(got.CPUList) == 0 || len(got.Configurations) != 4 || got.Configurations[0].Config != want {
			t.Errorf("tune: cpu_list %v, configurations %+v; want the CPUs and 4 judges, go-judge %q", got.CPUList, got.Configurations, want)
		}
	}
	// tune.json keeps the decision, and the limits it applied, in the run.
	data, err := os.ReadFile(filepath.Join(out, "tune.json"))
	var saved results.Tuning
	if err == nil {
		err = json.Unmarshal(data, &saved)
	}
	if err != nil || saved.Recommended != got.Recommended || saved.CPULimit < 1.05 || saved.InflationLimit < results.MaxInflation ||
		len(saved.Levels) != len(got.Levels) || saved.Passes < 1 {
		t.Errorf("tune.json = %s, %v; want the recommendation %d, the limits applied, %d levels, the passes", data, err, got.Recommended, len(got.Levels))
	}
}

// sweptLevels reports whether a sweep up to 4 sampled 1, 2 and 4, pinned and
// not (the first pass), and nothing but what bisecting adds below 4.
func sweptLevels(levels []results.Level) bool {
	seen := map[results.Level]bool{}
	for _, l := range levels {
		if l.Parallelism < 1 || l.Parallelism > 4 {
			return false
		}
		seen[results.Level{Parallelism: l.Parallelism, Pinned: l.Pinned}] = true
	}
	for _, p := range []int{1, 2, 4} {
		for _, pinned := range []bool{false, true} {
			if !seen[results.Level{Parallelism: p, Pinned: pinned}] {
				return false
			}
		}
	}
	return true
}

func TestCalibrate(t *testing.T) {
	dir := t.TempDir()
	args := []string{"calibrate", "--durations", "10ms,50ms", "--repeat", "2"}
	t.Run("this machine", func(t *testing.T) {
		if why := emulated(); why != "" {
			t.Skip(why + ": timing precision cannot be judged under emulation")
		}
		// A shared machine only ever adds error: the better of two attempts.
		r := runCLI(t, append(args, "--out", filepath.Join(dir, "a"))...)
		if r.code != 0 {
			r = runCLI(t, append(args, "--out", filepath.Join(dir, "a2"))...)
		}
		// Race-instrumented children spend longer exiting than the floor allows.
		if r.code != 0 && !raceEnabled {
			t.Errorf("calibrate = %d, stdout %q, stderr %q; want 0 on this machine", r.code, r.stdout, r.stderr)
		}
		if raceEnabled {
			return // a race-instrumented program's time and memory are not its own
		}
		// The sandbox enforces every limit as stated: the checks pass.
		for _, want := range []string{"100ms kernel", "limits (the judge's own figures):", "cpu 250ms", "real 1s", "memory 2x"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("calibrate printed %q; want %q in it", r.stdout, want)
			}
		}
		if strings.Contains(r.stdout, " OFF") {
			t.Errorf("calibrate printed %q; want every limit check of the sandbox ok", r.stdout)
		}
	})
	r := runCLI(t, append(args, "--no-limits", "--tolerance", "0.0001%", "--floor", "1ns", "--out", filepath.Join(dir, "b"))...)
	if r.code != 1 {
		t.Errorf("calibrate with an impossible tolerance = %d, stdout %q; want 1", r.code, r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "b", "run.json")); err != nil {
		t.Errorf("calibrate wrote no run.json: %v", err)
	}
}

func TestTuneAndCalibrateBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"tune", "nosuch"},
		{"tune", "--max-parallel", "0"},
		{"tune", "--cpus", ""},
		{"tune", "--cpus", "4095"},
		{"tune", "--tolerance", "abc"},
		{"tune", "--budget", "0"},
		{"tune", "--floor", "abc"},
		{"tune", "judge", "gil"},
		{"calibrate", "extra"},
		{"calibrate", "--tolerance", "-1%"},
		{"calibrate", "--durations", "0s"},
		{"calibrate", "--repeat", "0"},
		{"calibrate", "--kernel", "0s"},
		{"calibrate", "--executor", "nosuch:x"},
		{"calibrate", "--executor", "judger:/nonexistent/libjudger.so"},
		{"calibrate", "--executor", "isolate:/nonexistent", "--isolation", "none"},
		{"case", "--executor", "judger:", "--", "true"},
		{"case", "--executor", "isolate:/nonexistent/isolate", "--", "true"},
		{"case", "--executor", "go-judge:http://127.0.0.1:1", "--cgroup", "off", "--", "true"},
		{"run", "--executor", "go-judge:ftp://nowhere", "--", "true"},
		{"run", "--executor", "command:/nonexistent.yaml", "--", "true"},
		{"tune", "--executor", "judger:/nonexistent", "--pin", "on"},
	} {
		r := runCLI(t, args...)
		if r.code != 2 {
			t.Errorf("judgebench %q = %d, stderr %q; want 2", args, r.code, r.stderr)
		}
		checkOneLineError(t, args, r)
	}
}

// TestTuneCPUs: tune --cpus sweeps up to twice the CPUs named and recommends
// at most their number; the run records them and the placement.
func TestTuneCPUs(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "cpu.yaml", "name: cpu\nworkload: burn\nargs: [10ms]\ncases: [{name: b, count: 2}]\n")
	out := filepath.Join(dir, "run")
	cpus, err := host.WorkerCPUs(nil)
	if err != nil {
		t.Fatal(err)
	}
	cpu := strconv.Itoa(slices.Max(cpus))
	r := runCLI(t, "tune", file, "--cpus", cpu, "--repeat", "2", "--budget", "1s", "--json", "--out", out)
	if r.code != 0 && r.code != 1 {
		t.Fatalf("tune --cpus %s = %d, stderr %q", cpu, r.code, r.stderr)
	}
	var got results.Tuning
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("tune --json printed %q: %v", r.stdout, err)
	}
	if got.CPUs != 1 || got.Recommended > 1 || len(got.Levels) != 4 {
		t.Errorf("tune --cpus %s: cpus %d, recommended %d, %d levels; want 1, at most 1, 4 (parallelism 1 and 2, pinned and not)",
			cpu, got.CPUs, got.Recommended, len(got.Levels))
	}
	run, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if run.Settings.CPUs != cpu || len(run.Machine.Placement) != 1 || strconv.Itoa(run.Machine.Placement[0]) != cpu {
		t.Errorf("run.json settings.cpus %q, machine.placement %v; want %s and [%s]", run.Settings.CPUs, run.Machine.Placement, cpu, cpu)
	}
}
