package teach

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// Lesson is one concurrency pitfall, shown live by `judgebench teach`: what
// the post this project grew from saw, the Go analogue, a compact run, what
// its numbers say, and the fix.
type Lesson struct {
	Name   string
	Title  string
	Post   string // what the original post saw
	Analog string // the Go analogue, to follow "In Go: "
	Fix    string
	// Demo, if set, is shown before the runs: a live demonstration that is
	// not a run (a func that cannot be encoded, say).
	Demo func() string
	// Plans are the compact runs of the lesson.
	Plans func() []*harness.Plan
	// Explain says in one sentence what the runs show, and whether they
	// show the lesson's effect at all (a busy machine can hide it).
	Explain func(groups []results.Group, samples []results.Sample) (string, bool)
}

// Lessons returns every lesson, in the order teach shows them.
func Lessons() []Lesson {
	return []Lesson{gilLesson(), oversubscribeLesson(), contentionLesson(), lostErrorsLesson(),
		rusageLesson(), parentRSSLesson(), serializationLesson(), panicLesson()}
}

// plan is a compact plan: one repetition, cases in order, exact measurement.
func plan(cases []scenarios.Case, models []results.Model, parallel ...int) *harness.Plan {
	return &harness.Plan{Cases: cases, Models: models, Measures: []results.Measure{results.Exact}, Parallel: parallel,
		GOMAXPROCS: []int{0}, Pin: results.PinOff, Repeat: 1, Limits: sandbox.Limits{CPUTime: 2 * time.Second}}
}

// cases returns n cases of workload with args.
func cases(n int, workload string, args ...string) []scenarios.Case {
	cs := make([]scenarios.Case, n)
	for i := range cs {
		cs[i] = scenarios.Case{Name: fmt.Sprintf("%s-%d", workload, i+1), Workload: workload, Args: args}
	}
	return cs
}

// group finds the group of model, measure and parallelism (0: any).
func group(gs []results.Group, model results.Model, measure results.Measure, par int) results.Group {
	for _, g := range gs {
		if g.Model == model && g.Measure == measure && (par == 0 || g.Parallelism == par) {
			return g
		}
	}
	return results.Group{}
}

func gilLesson() Lesson {
	return Lesson{
		Name:  "gil",
		Title: "the interpreter lock (GOMAXPROCS=1)",
		Post: "A Python judge ran test cases in threads. Each case kept its CPU time (about 3.5 s), but its real " +
			"time went from 6.9 s alone to 13.4 s with two at once: CPU-bound threads share one interpreter lock.",
		Analog: "there is no interpreter lock, but goroutines share GOMAXPROCS threads: at GOMAXPROCS=1, cases run " +
			"as goroutines take turns on one thread, just as the post's threads did.",
		Fix: "Run cases as child processes (pool or process), or at least as many Ps as cases at once; " +
			"judge by CPU time, never by wall time alone.",
		Plans: func() []*harness.Plan {
			p := plan(cases(2, "burn", "100ms"), []results.Model{results.InProc, results.Pool}, 1, 2)
			p.GOMAXPROCS = []int{1}
			return []*harness.Plan{p}
		},
		Explain: func(gs []results.Group, _ []results.Sample) (string, bool) {
			in, pool := group(gs, results.InProc, results.Exact, 2).Inflation, group(gs, results.Pool, results.Exact, 2).Inflation
			return fmt.Sprintf("Two at once at GOMAXPROCS=1: real time is %.2fx the CPU time as goroutines (inproc), %.2fx as child processes (pool).",
				in, pool), in >= 1.5 && pool < 1.3
		},
	}
}

func oversubscribeLesson() Lesson {
	n := runtime.NumCPU()
	return Lesson{
		Name:  "oversubscribe",
		Title: "more cases at once than cores",
		Post: "With processes, two cases at once gave CPU 4.1 s and real 4.3 s: real time tracked CPU time, " +
			"because two cases fitted the machine's cores.",
		Analog: "a pool of goroutine workers starting child processes is right while the workers are at most " +
			"the cores; past that, cases wait for a CPU and real time grows while CPU time stays flat.",
		Fix: "Run at most as many cases at once as there are cores (judgebench run with --parallel 1,2,4,... shows where it breaks), " +
			"and give real-time limits room above CPU-time limits.",
		Plans: func() []*harness.Plan {
			p := plan(cases(2*n, "burn", "100ms"), []results.Model{results.Pool}, 1, n, 2*n)
			// 2 x CPUs cases at once: a limit a burn needs, so that the
			// machine can hold them (see harness.Plan.Validate).
			p.Limits.Memory = 64 * sandbox.MiB
			return []*harness.Plan{p}
		},
		Explain: func(gs []results.Group, _ []results.Sample) (string, bool) {
			at, over := group(gs, results.Pool, results.Exact, n), group(gs, results.Pool, results.Exact, 2*n)
			return fmt.Sprintf("With %d at once (the CPUs) real time is %.2fx CPU time; with %d it is %.2fx, while CPU time stays %.0f ms -> %.0f ms.",
				n, at.Inflation, 2*n, over.Inflation, at.CPUTimeMS.Median, over.CPUTimeMS.Median), over.Inflation >= 1.5 && at.Inflation < 1.3
		},
	}
}

func contentionLesson() Lesson {
	return Lesson{
		Name:  "contention",
		Title: "CPU time itself grows",
		Post:  "With processes, CPU time per case grew about 6% with two cases at once (3.86 s to 4.1 s).",
		Analog: "memory-bound cases side by side fight for the memory bus and the shared cache: their CPU time, " +
			"not only their real time, grows. CPU-bound ones stay within about 1%.",
		Fix: "Calibrate limits at the parallelism the judge really runs, or run fewer memory-heavy cases at once; " +
			"pin cases to separate cores if the machine has them.",
		Plans: func() []*harness.Plan {
			p := plan(cases(2, "memwalk", "512", "3"), []results.Model{results.Serial, results.Pool}, 1, 2)
			p.Limits = sandbox.Limits{CPUTime: 5 * time.Second, Memory: 768 * sandbox.MiB}
			return []*harness.Plan{p}
		},
		Explain: func(gs []results.Group, _ []results.Sample) (string, bool) {
			g := group(gs, results.Pool, results.Exact, 2)
			return fmt.Sprintf("Two memory-bound cases at once: CPU time %+.0f%% against serial (cpu_vs_serial %.2f).", (g.CPUVsSerial-1)*100, g.CPUVsSerial),
				g.CPUVsSerial >= 1.1
		},
	}
}

func lostErrorsLesson() Lesson {
	return Lesson{
		Name:  "lost-errors",
		Title: "errors that get lost",
		Post: "In a multiprocessing pool, an exception raised in a worker vanished unless the result was fetched " +
			"with get(): the case simply never reported.",
		Analog: "a pool loses errors its own ways: fire-and-forget goroutines whose errors are dropped, an " +
			"errgroup whose Wait keeps only the first error, a harness that compares output and ignores the exit status.",
		Fix: "Every case writes its own result slot, errors included; count faults reported against faults " +
			"injected; judge exit status and signal, not only output.",
		Plans: func() []*harness.Plan {
			sc, _ := scenarios.Builtin("lost-errors")
			cs, _ := sc.Expand()
			return []*harness.Plan{plan(cs, []results.Model{results.Serial, results.Pool, results.FireForget, results.FirstErr, results.ExitBlind}, 2)}
		},
		Explain: func(gs []results.Group, _ []results.Sample) (string, bool) {
			var lost []string
			shown := true
			for _, m := range []results.Model{results.FireForget, results.FirstErr, results.ExitBlind} {
				g := group(gs, m, results.Exact, 0)
				lost = append(lost, fmt.Sprintf("%s lost %d of %d", m, g.FaultsLost, g.FaultsInjected))
				shown = shown && g.FaultsLost > 0
			}
			g := group(gs, results.Pool, results.Exact, 0)
			return fmt.Sprintf("The pool reported %d of %d faults; %s.", g.FaultsReported, g.FaultsInjected, strings.Join(lost, ", ")),
				shown && g.FaultsLost == 0
		},
	}
}

func rusageLesson() Lesson {
	return Lesson{
		Name:  string(results.RusageChildren),
		Title: "CPU time from RUSAGE_CHILDREN",
		Post:  "A judge took each case's CPU time as the growth of getrusage(RUSAGE_CHILDREN) around it.",
		Analog: "RUSAGE_CHILDREN is process-wide: it grows with every child reaped meanwhile, so once cases " +
			"overlap each one is charged for its neighbours.",
		Fix: "Take each case's CPU time from its own cgroup (or wait4 of that child), never from a process-wide delta.",
		Plans: func() []*harness.Plan {
			p := plan(cases(4, "burn", "100ms"), []results.Model{results.Serial, results.Pool}, 2)
			p.Measures = []results.Measure{results.Exact, results.RusageChildren}
			return []*harness.Plan{p}
		},
		Explain: func(gs []results.Group, _ []results.Sample) (string, bool) {
			rusage, exact := group(gs, results.Pool, results.RusageChildren, 2).CPUVsSerial, group(gs, results.Pool, results.Exact, 2).CPUVsSerial
			return fmt.Sprintf("Two at once: RUSAGE_CHILDREN deltas report %.2fx the serial CPU time; each case's own measure reports %.2fx.",
				rusage, exact), rusage >= 1.5 && exact < 1.2
		},
	}
}

func parentRSSLesson() Lesson {
	return Lesson{
		Name:  "parent-rss",
		Title: "the parent's ru_maxrss",
		Post:  "A judge read a case's memory from ru_maxrss of the child.",
		Analog: "Go forks with CLONE_VM, and the kernel folds the old image's high-water mark into the child's at " +
			"exec: a small program started by a harness holding 256 MiB reports 256 MiB.",
		Fix: "Measure memory with a per-case cgroup (memory.peak) or VmHWM at a ptrace exit stop, never ru_maxrss.",
		Plans: func() []*harness.Plan {
			p := plan(cases(2, "alloc", "8"), []results.Model{results.Serial}, 1)
			p.Measures = []results.Measure{results.Exact, results.RUMaxRSS}
			p.HarnessHold = 256 * sandbox.MiB
			p.Limits.Memory = 64 * sandbox.MiB
			return []*harness.Plan{p}
		},
		Explain: func(gs []results.Group, _ []results.Sample) (string, bool) {
			e, r := group(gs, results.Serial, results.Exact, 0), group(gs, results.Serial, results.RUMaxRSS, 0)
			return fmt.Sprintf("A case touching 8 MiB: %.1f MiB measured exactly, %.1f MiB by ru_maxrss; under a 64 MiB limit %d of %d cases flip to MEMORY_LIMIT_EXCEEDED.",
				e.MemoryBytes.Median/(1<<20), r.MemoryBytes.Median/(1<<20), r.VerdictFlips, r.N), r.VerdictFlips > 0 && r.MemoryBytes.Median > 2*e.MemoryBytes.Median
		},
	}
}

func serializationLesson() Lesson {
	return Lesson{
		Name:  "serialization",
		Title: "what a worker process can be sent",
		Post: "Passing a bound method (or an object holding the pool) to a multiprocessing pool failed: " +
			"\"can't pickle instancemethod\".",
		Analog: "a func or a channel cannot cross a process boundary either: a case sent to a worker process " +
			"must be data, a workload's name and its arguments.",
		Fix: "Send names and arguments, and look the code up on the other side; keep pools and clients out of what you send.",
		Demo: func() string {
			_, err := json.Marshal(struct{ Check func() bool }{func() bool { return true }})
			msg, _ := harness.CaseJSON(scenarios.Case{Name: "burn-1", Workload: "burn", Args: []string{"20ms"}})
			return fmt.Sprintf("Encoding a case that holds a func: %v\nEncoding a case as data: %s", err, msg)
		},
		Plans: func() []*harness.Plan {
			return []*harness.Plan{plan(cases(2, "burn", "20ms"), []results.Model{results.Process}, 2)}
		},
		Explain: func(_ []results.Group, ss []results.Sample) (string, bool) {
			ok, all := count(ss, results.Process, results.Accepted), count(ss, results.Process, "")
			return fmt.Sprintf("Sent as data, %d of %d cases ran in worker processes of their own and came back ACCEPTED.", ok, all),
				ok == all && all > 0
		},
	}
}

func panicLesson() Lesson {
	return Lesson{
		Name:  "panic",
		Title: "a panic in one goroutine",
		Post:  "An exception in one worker was lost, while the others went on.",
		Analog: "it is worse: a panic no one recovers, in any goroutine, ends the whole process. A judge that " +
			"runs cases as goroutines without recovering loses every case with one.",
		Fix: "Recover in every per-case goroutine, turning the panic into that case's result; better, run cases as children.",
		Plans: func() []*harness.Plan {
			naive := plan([]scenarios.Case{{Name: "4-cases-in-goroutines", Workload: "goroutines", Args: []string{"4"}}}, []results.Model{results.Serial}, 1)
			cs := append(cases(3, "burn", "20ms"), scenarios.Case{Name: "panic", Workload: "panic", ExpectVerdict: sandbox.RuntimeError})
			return []*harness.Plan{naive, plan(cs, []results.Model{results.InProc}, 4)}
		},
		Explain: func(_ []results.Group, ss []results.Sample) (string, bool) {
			exit := -1
			for _, s := range ss {
				if s.Model == results.Serial {
					exit = s.ExitCode
				}
			}
			ok, crashed := count(ss, results.InProc, results.Accepted), count(ss, results.InProc, results.RuntimeError)
			return fmt.Sprintf("Without recover, the one process running 4 cases as goroutines exited with status %d: no case reported. "+
					"Recovering per case (inproc): %d ACCEPTED, %d RUNTIME_ERROR, every case accounted for.", exit, ok, crashed),
				exit != 0 && ok == 3 && crashed == 1
		},
	}
}

// count counts the samples of model with verdict ("": any).
func count(ss []results.Sample, model results.Model, verdict results.Verdict) int {
	n := 0
	for _, s := range ss {
		if s.Model == model && (verdict == "" || s.Verdict == verdict) {
			n++
		}
	}
	return n
}
