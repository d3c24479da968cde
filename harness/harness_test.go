package harness

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// TestModels runs a small problem under every correct model: each reports
// every case, with the right verdicts, and every fault.
func TestModels(t *testing.T) {
	in, out := scenarios.SortCase(500, 1)
	cases := append(burnCases(3, "20ms", fault("exit", "exit", "3"), fault("panic", "panic")),
		scenarios.Case{Name: "sort", Workload: "sort", Stdin: in, Expect: out},
		scenarios.Case{Name: "wrong", Workload: "sort", Stdin: in, Expect: []byte("1 2 3\n"), ExpectVerdict: sandbox.WrongAnswer})
	for _, model := range []results.Model{results.Serial, results.Pool, results.Process, results.InProc} {
		t.Run(model.String(), func(t *testing.T) {
			samples, groups := runPlan(t, &Plan{Cases: cases, Models: []results.Model{model}})
			if len(samples) != len(cases) || len(groups) != 1 {
				t.Fatalf("%s: %d samples in %d groups; want %d in 1", model, len(samples), len(groups), len(cases))
			}
			for _, s := range samples {
				want := results.Accepted
				switch s.Case {
				case "exit", "panic":
					want = results.RuntimeError
				case "wrong":
					want = results.WrongAnswer
				}
				if s.Verdict != want || (strings.HasPrefix(s.Case, "burn") && s.CPUTimeMS < 20) {
					t.Errorf("%s: case %s = %s, cpu %.1fms, error %q; want %s", model, s.Case, s.Verdict, s.CPUTimeMS, s.Error, want)
				}
			}
			if g := groups[0]; g.FaultsInjected != 3 || g.FaultsReported != 3 || g.FaultsLost != 0 {
				t.Errorf("%s: faults %d injected, %d reported, %d lost; want 3, 3, 0", model, g.FaultsInjected, g.FaultsReported, g.FaultsLost)
			}
		})
	}
}

// TestPitfalls checks that each pitfall variant really loses what its pitfall
// loses, and that the group says how many.
func TestPitfalls(t *testing.T) {
	cases := burnCases(3, "5ms", fault("exit-3", "exit", "3"), fault("exit-4", "exit", "4"), fault("segv", "segv"))
	tests := []struct {
		model         results.Model
		samples, lost int
	}{
		{results.FireForget, 3, 3}, // every failure dropped
		{results.FirstErr, 4, 2},   // one failure kept
		{results.ExitBlind, 6, 3},  // every failure passes as ACCEPTED
	}
	for _, tt := range tests {
		t.Run(tt.model.String(), func(t *testing.T) {
			samples, groups := runPlan(t, &Plan{Cases: cases, Models: []results.Model{tt.model}})
			g := groups[0]
			if len(samples) != tt.samples || g.FaultsInjected != 3 || g.FaultsLost != tt.lost {
				t.Errorf("%s: %d samples, faults %d injected %d reported %d lost; want %d samples, 3 injected, %d lost",
					tt.model, len(samples), g.FaultsInjected, g.FaultsReported, g.FaultsLost, tt.samples, tt.lost)
			}
		})
	}
}

// TestProcessWorkerFailures: a worker that dies, answers garbage or hangs is
// a SYSTEM_ERROR carrying its stderr, never a hang or a dropped case.
func TestProcessWorkerFailures(t *testing.T) {
	old, oldGrace := WorkerArgs, workerGrace
	t.Cleanup(func() { WorkerArgs, workerGrace = old, oldGrace })
	workerGrace = 500 * time.Millisecond
	tests := []struct {
		worker []string
		cause  string
	}{
		{[]string{"work", "exit", "7"}, "exit status 7"},
		{[]string{"work", "flood", "100"}, "no outcome"},
		{[]string{"work", "panic"}, "deliberate"},
		{[]string{"work", "hang"}, "deadline exceeded"},
	}
	for _, tt := range tests {
		WorkerArgs = tt.worker
		start := time.Now()
		samples, _ := runPlan(t, &Plan{Cases: burnCases(1, "1ms"), Models: []results.Model{results.Process},
			Parallel: []int{1}, Limits: sandbox.Limits{CPUTime: 300 * time.Millisecond}})
		took := time.Since(start)
		if len(samples) != 1 || samples[0].Verdict != "SYSTEM_ERROR" || !strings.Contains(samples[0].Error, tt.cause) || took > 8*time.Second {
			t.Errorf("worker %v: %+v after %v; want one SYSTEM_ERROR naming %q", tt.worker, samples, took, tt.cause)
		}
	}
}

// TestInterrupt cancels a run once two cases have finished: it stops at once,
// keeps what finished, and leaves no child behind.
func TestInterrupt(t *testing.T) {
	p := &Plan{Cases: burnCases(6, "300ms"), Models: []results.Model{results.Pool}, Measures: []results.Measure{results.Exact},
		Parallel: []int{2}, GOMAXPROCS: []int{0}, Pin: results.PinOff, Repeat: 3}
	h, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sink := &cancelingSink{after: 2, cancel: cancel}
	start := time.Now()
	_, err = h.Run(ctx, sink)
	n := len(sink.samples)
	if err == nil || n < 2 || n >= 18 || time.Since(start) > 5*time.Second {
		t.Fatalf("interrupted run = %v with %d samples after %v; want the context's error and only what finished", err, n, time.Since(start))
	}
	for _, s := range sink.samples {
		if s.Verdict != "ACCEPTED" {
			t.Errorf("interrupted run recorded %+v; want only finished cases", s)
		}
	}
	// The sandbox's box holders live until it closes.
	if err := h.Close(); err != nil {
		t.Error(err)
	}
	if kids := childPIDs(); len(kids) > 0 {
		t.Errorf("children left after the interrupted run: %v", kids)
	}
}

// cancelingSink cancels once it has received after samples.
type cancelingSink struct {
	memSink
	after  int
	cancel func()
}

func (s *cancelingSink) Add(x results.Sample) error {
	s.memSink.Add(x)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) >= s.after {
		s.cancel()
	}
	return nil
}

func childPIDs() []string {
	pid := os.Getpid()
	data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid) + "/children")
	return strings.Fields(string(data))
}

func TestPlanValidate(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	good := Plan{Cases: burnCases(1, "1ms"), Models: []results.Model{results.Pool}, Measures: []results.Measure{results.Exact},
		Parallel: []int{1}, GOMAXPROCS: []int{0}, Pin: results.PinOff}
	tests := []struct {
		name  string
		edit  func(*Plan)
		cause string
	}{
		{"unknown model", func(p *Plan) { p.Models = []results.Model{"threads"} }, `unknown model "threads"`},
		{"unknown measure", func(p *Plan) { p.Measures = []results.Measure{"guess"} }, `unknown measure mode "guess"`},
		{"parallel 0", func(p *Plan) { p.Parallel = []int{0} }, "parallelism 0"},
		{"negative gomaxprocs", func(p *Plan) { p.GOMAXPROCS = []int{-1} }, "GOMAXPROCS -1"},
		{"no cases", func(p *Plan) { p.Cases = nil }, "no cases"},
		{"inproc program", func(p *Plan) {
			p.Models = []results.Model{results.InProc}
			p.Cases = []scenarios.Case{{Name: "1", Program: []string{"/bin/true"}}}
		}, "built-in workloads only"},
		{"nothing to run", func(p *Plan) {
			p.Models, p.Measures = []results.Model{results.InProc}, []results.Measure{results.RUMaxRSS}
		}, "nothing to run"},
		{"inproc segv", func(p *Plan) {
			p.Models = []results.Model{results.InProc}
			p.Cases = []scenarios.Case{{Name: "1", Workload: "segv"}}
		}, "cannot run in-process"},
		{"stdin a named pipe", func(p *Plan) {
			p.Cases = []scenarios.Case{{Name: "7", Workload: "sort", StdinFile: fifo}}
		}, "case 7: " + fifo + ": not a regular file (a named pipe)"},
		{"expected output a directory", func(p *Plan) {
			p.Cases = []scenarios.Case{{Name: "7", Workload: "sort", ExpectFile: t.TempDir()}}
		}, "not a regular file (a directory)"},
		{"a CPU outside the cpuset", func(p *Plan) { p.CPUs = []int{0, host.MaxCPUs - 1} }, "cpus: CPU 8191 is not one this process may use"},
		{"more memory than the machine has", func(p *Plan) {
			p.Cases, p.Parallel, p.Limits.Memory = burnCases(4, "1ms"), []int{4}, 1024*sandbox.GiB
		}, "parallelism 4: 4 cases at once under a memory limit of 1024GiB need 4096.0GiB"},
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate(good plan) = %v", err)
	}
	for _, tt := range tests {
		p := good
		tt.edit(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), tt.cause) {
			t.Errorf("%s: Validate = %v; want an error naming %q", tt.name, err, tt.cause)
		}
	}
}

// TestPlanFits: a parallelism whose cases' memory or task limits the machine
// cannot hold is refused, naming what bounds it; oversubscribing the CPUs and
// one case at a time are not.
func TestPlanFits(t *testing.T) {
	c := host.Capacity{Memory: 4 * sandbox.GiB, MemoryFrom: "MemAvailable", Tasks: 2000, TasksFrom: "kernel.pid_max 2100, 100 tasks in use"}
	tests := []struct {
		parallel, cases int
		limits          sandbox.Limits
		hold            sandbox.Size
		want            string
	}{
		{16, 16, sandbox.Limits{}, 0, ""}, // 16 x 256MiB = 4GiB: fits, on 2 CPUs or not
		{17, 17, sandbox.Limits{}, 0, "parallelism 17: 17 cases at once under a memory limit of 256MiB need 4.2GiB, more than the 4.0GiB that can be had (MemAvailable)"},
		{17, 16, sandbox.Limits{}, 0, ""}, // only 16 cases to run at once
		{16, 16, sandbox.Limits{}, 256 * sandbox.MiB, "need 4.2GiB"},
		{1, 1, sandbox.Limits{Memory: 64 * sandbox.GiB}, 0, ""}, // one at a time: a bound, not a need
		{2, 2, sandbox.Limits{Processes: 1001}, 0, "parallelism 2: 2 cases at once of up to 1001 tasks each need 2002 tasks, more than the 2000 that can be made (kernel.pid_max 2100, 100 tasks in use)"},
		{1024, 1024, sandbox.Limits{Memory: sandbox.MiB, Processes: 2}, 0, "2048 tasks, more than the 2000"},
	}
	for _, tt := range tests {
		p := Plan{Cases: burnCases(tt.cases, "1ms"), Models: []results.Model{results.Serial, results.Pool}, Measures: []results.Measure{results.Exact},
			Parallel: []int{1, tt.parallel}, GOMAXPROCS: []int{0}, Limits: tt.limits, HarnessHold: tt.hold,
			UIDs: sandbox.UIDRange{First: 1000, Count: 5000}}
		err := p.fits(c)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("parallel %d of %d cases under %+v, holding %v: fits = %v; want %q", tt.parallel, tt.cases, tt.limits, tt.hold, err, tt.want)
		}
	}
	if err := (&Plan{Cases: burnCases(2, "1ms"), Models: []results.Model{results.Pool}, Measures: []results.Measure{results.Exact},
		Parallel: []int{2}, GOMAXPROCS: []int{0}}).fits(host.Capacity{}); err != nil {
		t.Errorf("fits with an unknown capacity = %v; want nil", err)
	}
	// A uid per worker slot: no more slots than the range has uids.
	uids := &Plan{Cases: burnCases(4, "1ms"), Models: []results.Model{results.Pool}, Measures: []results.Measure{results.Exact},
		Parallel: []int{4}, GOMAXPROCS: []int{0}, UIDs: sandbox.UIDRange{First: 63000, Count: 3}}
	if err := uids.fits(host.Capacity{}); err == nil || !strings.Contains(err.Error(), "more than the 3 of the range 63000-63002") {
		t.Errorf("4 at once with 3 uids: fits = %v; want the uid range named", err)
	}
	if uids.Isolation = sandbox.IsolationNone; uids.fits(host.Capacity{}) != nil {
		t.Errorf("4 at once with 3 uids at isolation none: fits = %v; want nil (no uid is used)", uids.fits(host.Capacity{}))
	}
}

// TestSettings checks the sweep: serial once at parallelism 1, inproc only
// exact, serial first.
func TestSettings(t *testing.T) {
	p := Plan{Models: []results.Model{results.Pool, results.InProc, results.Serial}, Measures: []results.Measure{results.Exact, results.RusageChildren},
		Parallel: []int{1, 2}, GOMAXPROCS: []int{0}, Pin: results.PinOff}
	got := p.settings()
	var names []string
	for _, s := range got {
		names = append(names, s.model.String()+"/"+s.measure.String()+"/"+strconv.Itoa(s.parallel))
	}
	want := "serial/exact/1 serial/rusage-children/1 pool/exact/1 pool/exact/2 pool/rusage-children/1 pool/rusage-children/2 inproc/exact/1 inproc/exact/2"
	if strings.Join(names, " ") != want {
		t.Errorf("settings = %s; want %s", strings.Join(names, " "), want)
	}
}

// TestInProcConcurrent runs in-process cases side by side long enough for
// their watchdogs to tick: under -race this catches a racy watchdog.
func TestInProcConcurrent(t *testing.T) {
	samples, _ := runPlan(t, &Plan{Cases: burnCases(4, "150ms"), Models: []results.Model{results.InProc}, Parallel: []int{4}})
	for _, s := range samples {
		if s.Verdict != "ACCEPTED" || s.CPUTimeMS < 150 {
			t.Errorf("inproc burn 150ms, 4 at once: %s, cpu %.1fms; want ACCEPTED", s.Verdict, s.CPUTimeMS)
		}
	}
}

// TestReferenceIsNoFault: a case that fails without a fault injected is
// expected to be ACCEPTED, under serial as under every model, and is no fault.
func TestReferenceIsNoFault(t *testing.T) {
	cases := []scenarios.Case{{Name: "bad-input", Workload: "sort", Stdin: []byte("x")}}
	samples, groups := runPlan(t, &Plan{Cases: cases, Models: []results.Model{results.Serial, results.Pool}, Repeat: 2})
	for _, g := range groups {
		if g.FaultsInjected != 0 || g.FaultsReported != 0 {
			t.Errorf("%s: faults %d/%d; want none: nothing was injected", g.Model, g.FaultsReported, g.FaultsInjected)
		}
	}
	for _, s := range samples {
		if s.ExpectedVerdict != results.Accepted || s.FaultInjected || s.Verdict != results.RuntimeError {
			t.Errorf("%s repeat %d: %s, expected %q (injected %v); want RUNTIME_ERROR, expected ACCEPTED, none injected",
				s.Model, s.Repeat, s.Verdict, s.ExpectedVerdict, s.FaultInjected)
		}
	}
}

// TestInterruptCountsOnlyFinished: faults and time of cases cut short by an
// interruption are not counted.
func TestInterruptCountsOnlyFinished(t *testing.T) {
	cases := append(burnCases(4, "400ms"), fault("exit", "exit", "3"), fault("exit2", "exit", "4"))
	p := &Plan{Cases: cases, Models: []results.Model{results.Pool}, Measures: []results.Measure{results.Exact}, Parallel: []int{2},
		GOMAXPROCS: []int{0}, Pin: results.PinOff, Repeat: 1}
	h, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx, cancel := context.WithCancel(t.Context())
	sink := &cancelingSink{after: 2, cancel: cancel}
	info, _ := h.Run(ctx, sink)
	groups := results.ComputeGroups(sink.samples, info)
	g := groups[0]
	recorded := 0
	for _, s := range sink.samples {
		if s.FaultInjected {
			recorded++
		}
	}
	if g.FaultsInjected != recorded || g.FaultsLost != 0 || g.ElapsedMS < 0 {
		t.Errorf("interrupted: faults %d/%d, lost %d, elapsed %.1fms with %d injected faults recorded; want every recorded fault and nothing else",
			g.FaultsReported, g.FaultsInjected, g.FaultsLost, g.ElapsedMS, recorded)
	}
}

// TestProcessModelMeasuresAlike: a process-model worker measures its case
// with the same mechanism as the harness's own sandbox. On a delegated cgroup
// v2 host the harness moves itself into a leaf cgroup to enable controllers
// for its cases, and its workers are born in that leaf: a worker must still
// get a cgroup with memory and pids for its case, not fall back to VmHWM
// without a task limit.
func TestProcessModelMeasuresAlike(t *testing.T) {
	samples, _ := runPlan(t, &Plan{Cases: burnCases(2, "1ms"), Models: []results.Model{results.Serial, results.Process}})
	want := ""
	for _, s := range samples {
		if s.Model == results.Serial {
			want = s.MemorySource
		}
	}
	for _, s := range samples {
		if s.Verdict != results.Accepted || s.MemorySource != want {
			t.Errorf("%s: case %s = %s, memory from %q, error %q; want ACCEPTED from %q, as the serial model measured",
				s.Model, s.Case, s.Verdict, s.MemorySource, s.Error, want)
		}
	}
}

// TestProcessModelCannotBeForged: under the process model a judged program
// whose parent is the worker cannot write the worker's stdout, where its
// outcome travels, nor signal it; without isolation it can, which shows the
// test can tell.
func TestProcessModelCannotBeForged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: isolated programs run as this user")
	}
	cases := []scenarios.Case{{Name: "forge", Workload: "attack", Args: []string{"parentstdout"}},
		{Name: "signal", Workload: "attack", Args: []string{"signalparent"}}}
	// What is not harmless to let through is tried isolated only.
	isolated := append(slices.Clone(cases), scenarios.Case{Name: "trace", Workload: "attack", Args: []string{"traceparent"}},
		scenarios.Case{Name: "cgroup", Workload: "attack", Args: []string{"owncgroup"}},
		scenarios.Case{Name: "shadow", Workload: "attack", Args: []string{"readshadow"}})
	for _, tt := range []struct {
		isolation sandbox.Isolation
		cases     []scenarios.Case
		want      results.Verdict
	}{
		{sandbox.IsolationNamespaces, isolated, results.RuntimeError},
		{sandbox.IsolationProcess, isolated, results.RuntimeError},
		{sandbox.IsolationNone, cases, results.Accepted},
	} {
		samples, _ := runPlan(t, &Plan{Cases: tt.cases, Models: []results.Model{results.Process}, Parallel: []int{1}, Isolation: tt.isolation})
		if len(samples) != len(tt.cases) {
			t.Errorf("at %s: %d samples of %d cases", tt.isolation, len(samples), len(tt.cases))
		}
		for _, s := range samples {
			if s.Verdict != tt.want || s.Isolation != results.Isolation(tt.isolation) {
				t.Errorf("%s under the process model at %s = %s (isolation %s), error %q; want %s", s.Case, tt.isolation, s.Verdict, s.Isolation, s.Error, tt.want)
			}
		}
	}
}

// TestPlanCPUs: the CPUs named are in the record: the settings' list, and
// the machine's placement, which is theirs alone.
func TestPlanCPUs(t *testing.T) {
	all, err := host.WorkerCPUs(nil)
	if err != nil {
		t.Fatal(err)
	}
	last := slices.Max(all)
	p := &Plan{Cases: burnCases(1, "1ms"), Models: []results.Model{results.Pool}, Measures: []results.Measure{results.Exact},
		Parallel: []int{1}, GOMAXPROCS: []int{0}, Pin: results.PinOn, CPUs: []int{last}}
	h, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if got := h.Machine().Placement; !slices.Equal(got, []int{last}) {
		t.Errorf("Machine().Placement = %v; want [%d]", got, last)
	}
	if got := p.Settings().CPUs; got != strconv.Itoa(last) {
		t.Errorf("Settings().CPUs = %q; want %d", got, last)
	}
	p.CPUs = nil
	if h, err = New(p); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if got := h.Machine().Placement; !slices.Equal(got, all) || p.Settings().CPUs != "" {
		t.Errorf("without CPUs: Machine().Placement = %v, Settings().CPUs %q; want %v and none", got, p.Settings().CPUs, all)
	}
}
