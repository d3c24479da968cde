package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

const calibrateUsage = "calibrate [--tolerance 1%] [--floor 2ms] [--durations LIST] [--repeat N] [--out DIR] [--json]"

// calibrateOptions are the flags of `judgebench calibrate`.
type calibrateOptions struct {
	durations []time.Duration
	tolerance fractionFlag
	floor     time.Duration
	repeat    int
	out       string
	json      bool
	cgroup    string
}

func runCalibrate(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	o := calibrateOptions{tolerance: 0.01}
	fs := newFlagSet("calibrate", calibrateUsage, stdout)
	fs.DurationSliceVar(&o.durations, "durations", nil, "CPU times of the burns (default 10ms,100ms,1s)")
	fs.Var(&o.tolerance, "tolerance", "allowed cpu_time error, relative to the program's own clock")
	fs.Var((*durationFlag)(&o.floor), "floor", "error always allowed: a process's exit comes after its last clock read (default 2ms)")
	fs.IntVar(&o.repeat, "repeat", 5, "runs of each burn at each parallelism")
	fs.StringVar(&o.out, "out", "", "run directory (default judgebench-results/<UTC time>-calibrate/)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	fs.StringVar(&o.cgroup, "cgroup", "auto", "cgroup use: auto, v1, v2 or off")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("calibrate: takes no arguments, got %q", fs.Args())
	}
	if _, err := sandbox.ParseCgroupMode(o.cgroup); err != nil {
		return usageErrorf("calibrate: %v", err)
	}
	for _, d := range o.durations {
		if d <= 0 {
			return usageErrorf("calibrate: --durations %v: each must be positive", d)
		}
	}
	if o.repeat < 1 {
		return usageErrorf("calibrate: --repeat %d: must be at least 1", o.repeat)
	}
	return calibrate(ctx, &o, stdout)
}

// calibrate runs the calibration into a run directory and prints it; exit
// status 1 when a point is outside the tolerance.
func calibrate(ctx context.Context, o *calibrateOptions, stdout io.Writer) error {
	dir := o.out
	if dir == "" {
		dir = filepath.Join("judgebench-results", time.Now().UTC().Format("20060102T150405Z")+"-calibrate")
	}
	w, err := results.Create(dir)
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	c := harness.Calibration{Durations: o.durations, Repeat: o.repeat, Tolerance: float64(o.tolerance), Floor: o.floor, Cgroup: sandbox.CgroupMode(o.cgroup)}
	header := results.Run{Schema: results.Schema, Target: "calibrate", StartedAt: time.Now().UTC(),
		Settings: results.Settings{Repeat: o.repeat, Cgroup: o.cgroup, Out: dir, JSON: o.json}}
	res, runErr := harness.Calibrate(ctx, c, w)
	if res == nil {
		w.Abort()
		return fmt.Errorf("calibrate: %w", runErr)
	}
	header.FinishedAt, header.Interrupted = time.Now().UTC(), ctx.Err() != nil
	header.Machine = res.Machine
	path, err := w.Finish(header, res.Info)
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	if ctx.Err() != nil {
		return errInterrupted
	}
	if runErr != nil {
		return fmt.Errorf("calibrate: %w", runErr)
	}
	if err := printCalibration(stdout, path, res.Points, res.OK(), o.json); err != nil {
		return err
	}
	if !res.OK() {
		return &exitError{code: 1}
	}
	return nil
}

func printCalibration(w io.Writer, path string, points []harness.Point, ok, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Run    string          `json:"run"`
			OK     bool            `json:"ok"`
			Points []harness.Point `json:"points"`
		}{path, ok, points})
	}
	fmt.Fprintf(w, "calibration: %s\n", path)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "burn\tpar\tn\town cpu ms\tmeasured ms\terror ms\tworst ms\tallowed ms\treal-cpu ms\t\t")
	for _, p := range points {
		verdict := "ok"
		if !p.OK {
			verdict = "OUT"
		}
		fmt.Fprintf(tw, "%v\t%d\t%d\t%.3f\t%.3f\t%+.3f\t%+.3f\t%.3f\t%+.3f\t%s\t\n", p.Burn, p.Parallelism, p.N,
			msOf(p.Own), msOf(p.Measured), msOf(p.Error), msOf(p.WorstError), msOf(p.Allowed), msOf(p.Overhead), verdict)
	}
	tw.Flush()
	if ok {
		_, err := fmt.Fprintln(w, "verdict: cpu_time within tolerance of every program's own clock")
		return err
	}
	_, err := fmt.Fprintln(w, "verdict: cpu_time outside tolerance (OUT rows)")
	return err
}

func msOf(d time.Duration) float64 { return float64(d) / 1e6 }
