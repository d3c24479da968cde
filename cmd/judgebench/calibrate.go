package main

import (
	"context"
	"io"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/sandbox"
)

const calibrateUsage = "calibrate [--tolerance 1%] [--floor 2ms] [--durations LIST] [--kernel LIST] [--repeat N] [--isolation LEVEL] [--executor SPEC] [--strict-limits] [--no-limits] [--out DIR] [--json]"

// calibrateOptions are the flags of `judgebench calibrate`.
type calibrateOptions struct {
	durations durationsFlag
	tolerance fractionFlag
	floor     time.Duration
	repeat    int
	out       string
	json      bool
	cgroup    sandbox.CgroupMode
	isolation sandbox.Isolation
	kernel    durationsFlag
	exec      string
	strict    bool
	noLimits  bool
}

func runCalibrate(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	o := calibrateOptions{tolerance: 0.01, repeat: 5,
		durations: durationsFlag{10 * time.Millisecond, 100 * time.Millisecond, time.Second},
		kernel:    durationsFlag{100 * time.Millisecond}}
	fs := newFlagSet("calibrate", calibrateUsage, stdout)
	fs.Var(&o.durations, "durations", "CPU times of the burns")
	fs.Var(&o.tolerance, "tolerance", "allowed cpu_time error, relative to the program's own clock")
	fs.Var((*durationFlag)(&o.floor), "floor", "error always allowed: a process's exit comes after its last clock read (default: twice the burn's exit measured here, at least 2ms)")
	fs.Var(&intFlag{v: &o.repeat, min: 1}, "repeat", "runs of each burn at each parallelism")
	fs.StringVar(&o.out, "out", "", "run directory (default judgebench-results/<UTC time>-calibrate/)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	addCgroupFlag(fs, &o.cgroup)
	fs.Var(&o.isolation, "isolation", "the isolation level of the burns: none, process or namespaces (default: the strongest this host allows)")
	fs.Var(&o.kernel, "kernel", "CPU times of the burns that spend most of it in the kernel")
	addExecutorFlag(fs, &o.exec)
	fs.BoolVar(&o.strict, "strict-limits", false, "exit 1 also when a limit check is off: a limit enforced late, or the wrong verdict")
	fs.BoolVar(&o.noLimits, "no-limits", false, "leave out the limit checks")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("calibrate: takes no arguments, got %q", fs.Args())
	}
	ex, err := openExecutor(ctx, fs, "calibrate", o.exec)
	if err != nil {
		return err
	}
	defer closeExecutor(stderr, "calibrate", ex)
	return calibrate(ctx, &o, asHarness(ex), stdout, stderr)
}

// calibrate runs the calibration into a run directory and prints it; exit
// status 1 when a point is outside the tolerance.
func calibrate(ctx context.Context, o *calibrateOptions, ex harness.Executor, stdout, stderr io.Writer) error {
	bar := newProgress(stderr, false)
	k, err := harness.NewCalibrator(harness.Calibration{Durations: o.durations, Kernel: o.kernel, Repeat: o.repeat,
		Tolerance: float64(o.tolerance), Floor: o.floor, Cgroup: o.cgroup, Isolation: o.isolation, Progress: bar.update,
		Executor: ex, NoLimits: o.noLimits})
	if err != nil {
		return runError("calibrate", err)
	}
	defer k.Close()
	settings := k.Settings()
	settings.JSON = o.json
	path, err := harness.Record(ctx, k, harness.Recording{Dir: o.out, Target: "calibrate", Settings: settings})
	bar.stop()
	if err != nil {
		return runError("calibrate", err)
	}
	cal := report.Calibration{Run: path, Points: k.Points, Limits: k.Limits, StrictLimits: o.strict, Floor: k.Floor(), ExitCost: k.ExitCost}
	if d, ok := ex.(harness.Describer); ok {
		info := d.Describe()
		cal.Judge = &info
	}
	if o.json {
		err = report.WriteCalibrationJSON(stdout, &cal)
	} else {
		err = report.WriteCalibration(stdout, &cal)
	}
	if err == nil && (!cal.OK() || (o.strict && !cal.LimitsOK())) {
		return &exitError{code: 1}
	}
	return err
}
