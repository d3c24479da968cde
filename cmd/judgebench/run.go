package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/judges"
	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
	"github.com/spf13/pflag"
)

// runOptions are the flags of `judgebench run`.
type runOptions struct {
	limits     sandbox.Limits
	checker    sandbox.Checker
	models     []results.Model
	measures   []results.Measure
	parallel   []int
	gomaxprocs []int
	pin        results.Pin
	cpus       []int
	repeat     int
	shuffle    bool
	noShuffle  bool
	seed       int64
	out        string
	json       bool
	quiet      bool
	cgroup     sandbox.CgroupMode
	iso        isolationOptions
	exec       string // --executor
}

func (o *runOptions) addFlags(fs *pflag.FlagSet) {
	fs.Var(wordsFlag[results.Model]{&o.models, results.ParseModel}, "models",
		"models, comma-separated: "+join(results.Models())+" (default: the scenario's, else serial,pool)")
	fs.Var(wordsFlag[results.Measure]{&o.measures, results.ParseMeasure}, "measure",
		"measure modes: "+join(results.Measures())+" (default: the scenario's, else exact)")
	fs.Var(&intsFlag{v: &o.parallel, min: 1}, "parallel", "cases at once, comma-separated (default: the scenario's, else 1 and the CPU count)")
	fs.Var(&intsFlag{v: &o.gomaxprocs, min: 0}, "gomaxprocs", "GOMAXPROCS values of the harness, 0 for the default (default: the scenario's, else 0)")
	fs.Var((*pinFlag)(&o.pin), "pin", "pin each worker slot to a CPU: off, on or both (default: the scenario's, else off)")
	addCPUsFlag(fs, &o.cpus)
	fs.Var(&intFlag{v: &o.repeat, min: 1}, "repeat", "repetitions of every case, interleaved (default: the scenario's, else 1)")
	fs.BoolVar(&o.shuffle, "shuffle", true, "shuffle the order of the cases, with a recorded seed")
	fs.BoolVar(&o.noShuffle, "no-shuffle", false, "run the cases in their order")
	fs.Int64Var(&o.seed, "seed", 0, "seed of the shuffle (default: from the clock, recorded in run.json)")
	fs.StringVar(&o.out, "out", "", "run directory (default judgebench-results/<UTC time>-<target>/)")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	fs.BoolVar(&o.quiet, "quiet", false, "print no summary and no progress")
	addCgroupFlag(fs, &o.cgroup)
	addCheckerFlag(fs, &o.checker)
	addIsolationFlags(fs, &o.iso)
	addLimitFlags(fs, &o.limits)
	addExecutorFlag(fs, &o.exec)
}

const runUsage = "run [TARGET] [flags] [-- PROG [ARGS]]"

func runRunCommand(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	var o runOptions
	fs := newFlagSet("run", runUsage, stdout)
	o.addFlags(fs)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	target, program, err := targetArgs("run", fs)
	if err != nil {
		return err
	}
	sc, cases, err := scenarios.Resolve(target, program)
	if err != nil {
		return usageErrorf("run: %v", err)
	}
	if err := useChecker(fs, o.checker, cases); err != nil {
		return usageErrorf("run: %v", err)
	}
	ex, err := openExecutor(ctx, fs, "run", o.exec)
	if err != nil {
		return err
	}
	defer closeExecutor(stderr, "run", ex)
	plan, err := o.plan(sc, cases, ex)
	if err != nil {
		return usageErrorf("run: %v", err)
	}
	warnQueue(stderr, ex, plan.Parallel)
	bar := newProgress(stderr, o.quiet)
	plan.Progress = bar.update
	path, err := record(ctx, plan, harness.Recording{Dir: o.out, Target: target}, o.settings)
	bar.stop()
	if path == "" {
		return runError("run", err)
	}
	run, rerr := results.Read(path)
	if rerr != nil {
		return fmt.Errorf("run: %w", rerr)
	}
	perr := printSummary(stdout, path, run, &o)
	switch {
	case err != nil: // interrupted (a closed terminal fails the summary too) or failed
		return runError("run", err)
	case perr != nil:
		return perr
	}
	return verdictOf(run)
}

// verdictOf is the exit status of a run: 2 when nothing could be measured,
// 1 when a case of a correct model did not get its expected verdict.
func verdictOf(run *results.Run) error {
	if cause := results.Unmeasured(run.Samples); cause != "" {
		return usageErrorf("run: nothing could be measured: %s", cause)
	}
	if f := results.Failures(run.Samples); len(f) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("run: %d %s did not get the expected verdict", len(f), plural(len(f), "case"))}
	}
	return nil
}

// targetArgs splits the arguments left after flags into TARGET (default
// judge) and the PROG ARGS after "--".
func targetArgs(cmd string, fs *pflag.FlagSet) (string, []string, error) {
	positional, program := fs.Args(), []string(nil)
	if at := fs.ArgsLenAtDash(); at >= 0 {
		positional, program = fs.Args()[:at], fs.Args()[at:]
	}
	if len(positional) > 1 {
		return "", nil, usageErrorf("%s: one target at most, got %q", cmd, positional)
	}
	if len(positional) == 1 {
		return positional[0], program, nil
	}
	return "judge", program, nil
}

// plan merges flags over the scenario's settings over the defaults.
func (o *runOptions) plan(sc *scenarios.Scenario, cases []scenarios.Case, ex judges.Executor) (*harness.Plan, error) {
	limits := mergeLimits(o.limits, sc.Limits)
	p := &harness.Plan{
		Cases:    cases,
		Limits:   limits,
		Models:   first(o.models, sc.Models, []results.Model{results.Serial, results.Pool}),
		Measures: first(o.measures, sc.Measure, []results.Measure{results.Exact}),
		// The default: the CPUs, or fewer when the machine cannot hold that
		// many cases under their limits; a parallelism asked for is checked.
		Parallel:    first(o.parallel, sc.Parallel, []int{1, defaultParallel(limits, len(o.cpus), ex)}),
		GOMAXPROCS:  first(o.gomaxprocs, sc.GOMAXPROCS, []int{0}),
		Pin:         cmp.Or(o.pin, sc.Pin, results.PinOff),
		CPUs:        o.cpus,
		Repeat:      cmp.Or(o.repeat, sc.Repeat, 1),
		Shuffle:     o.shuffle && !o.noShuffle,
		Seed:        o.seed,
		HarnessHold: sc.HarnessHold,
		Cgroup:      o.cgroup,
	}
	if p.Seed == 0 {
		p.Seed = time.Now().UnixNano()
	}
	if err := o.iso.check(); err != nil {
		return nil, err
	}
	o.iso.apply(p)
	if ex != nil {
		// A scenario's pinning and held memory are the sandbox's: --pin
		// itself was refused.
		p.Executor, p.Pin, p.HarnessHold = ex, results.PinOff, 0
	}
	return p, p.Validate()
}

// settings adds the flags of run that only the record keeps.
func (o *runOptions) settings(s *results.Settings) {
	s.JSON, s.Quiet = o.json, o.quiet
}

// first returns the first of its arguments that is not empty.
func first[T any](lists ...[]T) []T {
	for _, l := range lists {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}

// mergeLimits takes each limit from flags when given, else from the scenario.
func mergeLimits(flags, sc sandbox.Limits) sandbox.Limits {
	l := sc
	override(&l.CPUTime, flags.CPUTime)
	override(&l.RealTime, flags.RealTime)
	override(&l.Memory, flags.Memory)
	override(&l.Output, flags.Output)
	override(&l.Stack, flags.Stack)
	override(&l.Processes, flags.Processes)
	return l
}

// override sets *dst to v unless v is the zero value (not given).
func override[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}

// record runs plan into the run directory of rec, with the plan's settings
// (and what more adds to them), and returns the path of run.json.
func record(ctx context.Context, plan *harness.Plan, rec harness.Recording, more func(*results.Settings)) (string, error) {
	h, err := harness.New(plan)
	if err != nil {
		return "", usageErrorf("%v", err)
	}
	defer h.Close()
	rec.Settings = plan.Settings()
	if more != nil {
		more(&rec.Settings)
	}
	return harness.Record(ctx, h, rec)
}

// runError is the error of a command that recorded a run: exit 130 when it
// was interrupted (run.json written), else err.
func runError(cmd string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, harness.ErrInterrupted):
		return interrupted(err)
	}
	var e *exitError
	if errors.As(err, &e) {
		return &exitError{code: e.code, msg: cmd + ": " + e.msg}
	}
	return fmt.Errorf("%s: %w", cmd, err)
}

// printSummary prints the run read from path: a summary, or JSON.
func printSummary(w io.Writer, path string, run *results.Run, o *runOptions) error {
	switch {
	case o.json:
		return report.WriteRunJSON(w, path, run)
	case o.quiet:
		return nil
	}
	return report.WriteRunSummary(w, path, run)
}

// join joins the names of list with ", ".
func join[T ~string](list []T) string {
	s := ""
	for i, v := range list {
		if i > 0 {
			s += ", "
		}
		s += string(v)
	}
	return s
}

// defaultParallel is the parallelism run compares with one case at a time
// when none is asked for: the CPUs (or the --cpus given), fewer when this
// machine cannot hold that many cases under their limits; through another
// judge, what it runs at once where it says, else the CPUs.
func defaultParallel(l sandbox.Limits, cpus int, ex judges.Executor) int {
	if ex != nil {
		return max(executorParallel(ex)/2, 1)
	}
	return harness.Fitting(l, cmp.Or(cpus, runtime.NumCPU()))
}
