package main

import (
	"context"
	"io"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/sandbox"
)

const calibrateUsage = "calibrate [--tolerance 1%] [--floor 2ms] [--durations LIST] [--repeat N] [--isolation LEVEL] [--out DIR] [--json]"

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
}

func runCalibrate(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	o := calibrateOptions{tolerance: 0.01, repeat: 5,
		durations: durationsFlag{10 * time.Millisecond, 100 * time.Millisecond, time.Second}}
	fs := newFlagSet("calibrate", calibrateUsage, stdout)
	fs.Var(&o.durations, "durations", "CPU times of the burns")
	fs.Var(&o.tolerance, "tolerance", "allowed cpu_time error, relative to the program's own clock")
	fs.Var((*durationFlag)(&o.floor), "floor", "error always allowed: a process's exit comes after its last clock read (default 2ms)")
	fs.Var(&intFlag{v: &o.repeat, min: 1}, "repeat", "runs of each burn at each parallelism")
	fs.StringVar(&o.out, "out", "", "run directory (default judgebench-results/<UTC time>-calibrate/)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	addCgroupFlag(fs, &o.cgroup)
	fs.Var(&o.isolation, "isolation", "the isolation level of the burns: none, process or namespaces (default: the strongest this host allows)")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("calibrate: takes no arguments, got %q", fs.Args())
	}
	return calibrate(ctx, &o, stdout, stderr)
}

// calibrate runs the calibration into a run directory and prints it; exit
// status 1 when a point is outside the tolerance.
func calibrate(ctx context.Context, o *calibrateOptions, stdout, stderr io.Writer) error {
	bar := newProgress(stderr, false)
	k, err := harness.NewCalibrator(harness.Calibration{Durations: o.durations, Repeat: o.repeat,
		Tolerance: float64(o.tolerance), Floor: o.floor, Cgroup: o.cgroup, Isolation: o.isolation, Progress: bar.update})
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
	if o.json {
		err = report.WriteCalibrationJSON(stdout, path, k.Points)
	} else {
		err = report.WriteCalibration(stdout, path, k.Points)
	}
	if err == nil && !k.OK() {
		return &exitError{code: 1}
	}
	return err
}
