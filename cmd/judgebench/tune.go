package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

const tuneUsage = "tune [TARGET] [-- PROG ARGS] [--max-parallel N] [--tolerance 5%] [--repeat N] [--json]"

// tuneOptions are the flags of `judgebench tune`.
type tuneOptions struct {
	limits      sandbox.Limits
	maxParallel int
	tolerance   fractionFlag
	repeat      int
	out         string
	json        bool
	cgroup      sandbox.CgroupMode
}

func runTune(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	o := tuneOptions{tolerance: 0.05, maxParallel: 2 * runtime.NumCPU(), repeat: 3}
	fs := newFlagSet("tune", tuneUsage, stdout)
	fs.Var(&intFlag{v: &o.maxParallel, min: 1}, "max-parallel", "highest parallelism to sweep")
	fs.Var(&o.tolerance, "tolerance", "how much more CPU time than serial a safe parallelism may cost")
	fs.Var(&intFlag{v: &o.repeat, min: 1}, "repeat", "repetitions of every case at every level, at first")
	fs.StringVar(&o.out, "out", "", "run directory (default judgebench-results/<UTC time>-tune-<target>/)")
	fs.BoolVar(&o.json, "json", false, "print the recommendation and the table as JSON")
	addCgroupFlag(fs, &o.cgroup)
	addLimitFlags(fs, &o.limits)
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
	plan := harness.TunePlan(cases, mergeLimits(o.limits, sc.Limits), o.maxParallel, o.repeat)
	plan.Seed, plan.Cgroup = time.Now().UnixNano(), o.cgroup
	bar := newProgress(stderr, false)
	plan.Progress = bar.update
	path, err := record(ctx, plan, harness.Recording{Dir: o.out, Name: "tune-" + target, Target: target}, nil)
	bar.stop()
	if err != nil {
		return runError("tune", err)
	}
	return tune(stdout, path, &o)
}

// tune reads the sweep back, recommends, plots and prints; exit status 1 when
// not even one case at a time is safe.
func tune(stdout io.Writer, path string, o *tuneOptions) error {
	run, err := results.Read(path)
	if err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	t, err := results.Tune(run, float64(o.tolerance))
	if err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	fig, err := report.TunePlot(t)
	if err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	dir := filepath.Dir(path)
	plot := filepath.Join(dir, "tune.png")
	if err := os.WriteFile(plot, fig.PNG, 0o644); err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tune.svg"), fig.SVG, 0o644); err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	if o.json {
		err = report.WriteTuningJSON(stdout, path, plot, t)
	} else {
		err = report.WriteTuning(stdout, path, plot, t)
	}
	if err == nil && !t.Safe {
		return &exitError{code: 1} // the check said no: not even one case at a time
	}
	return err
}
