package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
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
	cgroup      string
}

func runTune(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	o := tuneOptions{tolerance: 0.05}
	fs := newFlagSet("tune", tuneUsage, stdout)
	fs.IntVar(&o.maxParallel, "max-parallel", 2*runtime.NumCPU(), "highest parallelism to sweep")
	fs.Var(&o.tolerance, "tolerance", "how much more CPU time than serial a safe parallelism may cost")
	fs.IntVar(&o.repeat, "repeat", 3, "repetitions of every case at every level")
	fs.StringVar(&o.out, "out", "", "run directory (default judgebench-results/<UTC time>-tune-<target>/)")
	fs.BoolVar(&o.json, "json", false, "print the recommendation and the table as JSON")
	fs.StringVar(&o.cgroup, "cgroup", "auto", "cgroup use: auto, v1, v2 or off")
	addLimitFlags(fs, &o.limits)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	target, program, err := targetArgs("tune", fs)
	if err != nil {
		return err
	}
	if o.maxParallel < 1 || o.repeat < 1 {
		return usageErrorf("tune: --max-parallel and --repeat must be at least 1")
	}
	sc, cases, err := resolveTarget(target, program)
	if err != nil {
		return usageErrorf("tune: %v", err)
	}
	plan := harness.TunePlan(cases, mergeLimits(o.limits, sc.Limits), o.maxParallel, o.repeat)
	plan.Seed, plan.Cgroup = time.Now().UnixNano(), sandbox.CgroupMode(o.cgroup)
	return tune(ctx, &o, target, plan, stdout, stderr)
}

// tune runs the sweep, then reads it back and recommends.
func tune(ctx context.Context, o *tuneOptions, target string, plan *harness.Plan, stdout, stderr io.Writer) error {
	dir := o.out
	if dir == "" {
		dir = filepath.Join("judgebench-results", time.Now().UTC().Format("20060102T150405Z")+"-tune-"+safeName(target))
	}
	ro := &runOptions{out: dir, quiet: true, cgroup: o.cgroup}
	if err := runPlan(ctx, ro, target, plan, io.Discard, stderr); err != nil {
		return err
	}
	run, err := results.Read(dir)
	if err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	t, err := harness.Tune(run, float64(o.tolerance))
	if err != nil {
		return fmt.Errorf("tune: %w", err)
	}
	plot, err := writeTunePlot(dir, t)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(struct {
			Run  string `json:"run"`
			Plot string `json:"plot"`
			*harness.Tuning
		}{filepath.Join(dir, results.FileName), plot, t})
	} else {
		err = printTuning(stdout, dir, plot, t)
	}
	if err == nil && !t.Safe {
		return &exitError{code: 1} // the check said no: not even one case at a time
	}
	return err
}

func writeTunePlot(dir string, t *harness.Tuning) (string, error) {
	var levels []report.TuneLevel
	for _, l := range t.Levels {
		lo, hi := l.CPUVsSerial, l.CPUVsSerial
		if l.Lo != nil {
			lo, hi = *l.Lo, *l.Hi
		}
		levels = append(levels, report.TuneLevel{Parallelism: l.Parallelism, Pinned: l.Pinned,
			CPUVsSerial: l.CPUVsSerial, Lo: lo, Hi: hi, Inflation: l.Inflation})
	}
	fig, err := report.TunePlot(levels, t.Tolerance, harness.MaxInflation)
	if err != nil {
		return "", fmt.Errorf("tune: %w", err)
	}
	png := filepath.Join(dir, "tune.png")
	if err := os.WriteFile(png, fig.PNG, 0o644); err != nil {
		return "", fmt.Errorf("tune: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tune.svg"), fig.SVG, 0o644); err != nil {
		return "", fmt.Errorf("tune: %w", err)
	}
	return png, nil
}

func printTuning(w io.Writer, dir, plot string, t *harness.Tuning) error {
	fmt.Fprintf(w, "tune: %s (plot %s)\n", filepath.Join(dir, results.FileName), plot)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "par\tpinned\tcpu/serial\t95% interval\tinflation\tflips\tcases/s\tsafe\t")
	for _, l := range t.Levels {
		safe := "yes"
		if !l.OK {
			safe = "no"
		}
		interval := "?"
		if l.Lo != nil {
			interval = fmt.Sprintf("%.3f..%.3f", *l.Lo, *l.Hi)
		}
		fmt.Fprintf(tw, "%d\t%v\t%.3f\t%s\t%.2f\t%d\t%.1f\t%s\t\n", l.Parallelism, l.Pinned, l.CPUVsSerial,
			interval, l.Inflation, l.Flips, l.Throughput, safe)
	}
	tw.Flush()
	if !t.Safe {
		_, err := fmt.Fprintf(w, "recommended parallelism: none is safe (tolerance %.0f%%, inflation at most %.1fx serial's): %s\n",
			t.Tolerance*100, harness.MaxInflation, t.Reason)
		return err
	}
	pin := ""
	if t.Pinned {
		pin = ", pinned"
	}
	_, err := fmt.Fprintf(w, "recommended parallelism: %d%s (tolerance %.0f%%, inflation at most %.1fx serial's): %s\n",
		t.Recommended, pin, t.Tolerance*100, harness.MaxInflation, t.Reason)
	return err
}
