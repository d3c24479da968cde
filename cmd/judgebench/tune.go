package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

const tuneUsage = "tune [TARGET] [-- PROG ARGS] [--max-parallel N] [--tolerance 5%] [--floor 1ms] [--budget 5m] [--cpus LIST] [--json]"

// tuneOptions are the flags of `judgebench tune`.
type tuneOptions struct {
	limits      sandbox.Limits
	checker     sandbox.Checker
	maxParallel int
	cpus        []int
	tolerance   fractionFlag
	floor       time.Duration
	budget      time.Duration
	repeat      int
	out         string
	json        bool
	cgroup      sandbox.CgroupMode
	iso         isolationOptions
	exec        string // --executor
}

func runTune(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	o := tuneOptions{tolerance: 0.05, floor: time.Millisecond, budget: 5 * time.Minute, maxParallel: 2 * runtime.NumCPU(), repeat: 3}
	fs := newFlagSet("tune", tuneUsage, stdout)
	fs.Var(&intFlag{v: &o.maxParallel, min: 1}, "max-parallel", "highest parallelism to sweep (default 2 x CPUs, fewer when that many cases' memory or task limits would not fit)")
	fs.Var(&o.tolerance, "tolerance", "how much more CPU time than serial a safe parallelism may cost")
	fs.Var((*durationFlag)(&o.floor), "floor", "more CPU time per case than serial that no judge could notice, whatever the tolerance")
	fs.Var((*durationFlag)(&o.budget), "budget", "time to sample undecided levels again, from the start")
	fs.Var(&intFlag{v: &o.repeat, min: 1}, "repeat", "repetitions of every case at every level, at first")
	fs.StringVar(&o.out, "out", "", "run directory (default judgebench-results/<UTC time>-tune-<target>/)")
	fs.BoolVar(&o.json, "json", false, "print the recommendation and the table as JSON")
	addCPUsFlag(fs, &o.cpus)
	addCgroupFlag(fs, &o.cgroup)
	addCheckerFlag(fs, &o.checker)
	addIsolationFlags(fs, &o.iso)
	addLimitFlags(fs, &o.limits)
	addExecutorFlag(fs, &o.exec)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	target, program, err := targetArgs("tune", fs)
	if err != nil {
		return err
	}
	sc, cases, err := scenarios.Resolve(target, program)
	if err != nil {
		return usageErrorf("tune: %v", err)
	}
	if err := useChecker(fs, o.checker, cases); err != nil {
		return usageErrorf("tune: %v", err)
	}
	limits := mergeLimits(o.limits, sc.Limits)
	ex, err := openExecutor(ctx, fs, "tune", o.exec)
	if err != nil {
		return err
	}
	defer closeExecutor(stderr, "tune", ex)
	switch {
	case fs.Changed("max-parallel"):
	case ex != nil:
		o.maxParallel = executorParallel(ex)
	default:
		if len(o.cpus) > 0 {
			o.maxParallel = 2 * len(o.cpus)
		}
		o.maxParallel = harness.Fitting(limits, o.maxParallel) // what the machine can hold
	}
	plan := harness.TunePlan(cases, limits, o.maxParallel, o.repeat)
	plan.Seed, plan.Cgroup, plan.CPUs = time.Now().UnixNano(), o.cgroup, o.cpus
	// Placements that differ here (SMT, classes of core) are candidates of
	// their own; a bad --cpus is reported by the plan's check below.
	plan.Placements, _ = host.TuneStrategies(o.cpus)
	if err := o.iso.check(); err != nil {
		return usageErrorf("tune: %v", err)
	}
	o.iso.apply(plan)
	if ex != nil { // the judge's own placement: one unpinned candidate
		plan.Executor, plan.Pin, plan.Placements = ex, results.PinOff, nil
		warnQueue(stderr, ex, plan.Parallel)
	}
	bar := newProgress(stderr, false)
	plan.Progress = bar.update
	tuner, err := harness.NewTuner(plan, results.TuneOptions{Tolerance: float64(o.tolerance), Floor: results.Millis(o.floor)}, o.budget)
	if err != nil {
		return usageErrorf("tune: %v", err)
	}
	defer tuner.Close()
	warnBusy(stderr, host.Doctor())
	path, err := harness.Record(ctx, tuner, harness.Recording{Dir: o.out, Name: "tune-" + target, Target: target, Settings: plan.Settings()})
	bar.stop()
	if err != nil {
		return runError("tune", err)
	}
	return tune(stdout, path, tuner, &o)
}

// warnBusy warns, before a sweep, of what makes the host too busy or too
// unsteady to tune on: other load, a CPU quota, a governor that changes the
// clock.
func warnBusy(stderr io.Writer, findings []results.Finding) {
	for _, f := range findings {
		if f.Status == results.FindingWarn && slices.Contains([]string{"load", "cpu-quota", "governor"}, f.Check) {
			fmt.Fprintf(stderr, "judgebench: warning: %s: %s: %s tune recommends only what it can show is safe here, and an idle machine may allow more\n",
				f.Check, f.Value, f.Why)
		}
	}
}

// tune reads the sweep back, writes tune.json and the plot, and prints the
// recommendation; exit status 1 when not even one case at a time is safe.
func tune(stdout io.Writer, path string, tuner *harness.Tuner, o *tuneOptions) error {
	run, err := results.Read(path)
	if err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	if cause := results.Unmeasured(run.Samples); cause != "" {
		return usageErrorf("tune: nothing could be measured: %s", cause)
	}
	t := tuner.Tuning
	dir := filepath.Dir(path)
	fig, err := report.TunePlot(t)
	if err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	plot := filepath.Join(dir, "tune.png")
	for name, data := range map[string][]byte{"tune.png": fig.PNG, "tune.svg": fig.SVG} {
		if err := results.WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return fmt.Errorf("tune: %w", err)
		}
	}
	err = results.WriteFileAtomic(filepath.Join(dir, "tune.json"), func(w io.Writer) error {
		return report.WriteTuningJSON(w, path, plot, t)
	})
	if err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	if o.json {
		err = report.WriteTuningJSON(stdout, path, plot, t)
	} else if err = report.WriteTuning(stdout, path, plot, t); err == nil {
		err = report.WriteFailures(stdout, run) // tuning measured the cases that passed
	}
	if err == nil && !t.Safe {
		return &exitError{code: 1} // the check said no: not even one case at a time
	}
	return err
}
