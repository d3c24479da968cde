package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
	"github.com/spf13/pflag"
)

// runOptions are the flags of `judgebench run`.
type runOptions struct {
	limits     sandbox.Limits
	models     []string
	measures   []string
	parallel   []int
	gomaxprocs []int
	pin        string
	repeat     int
	shuffle    bool
	noShuffle  bool
	seed       int64
	out        string
	json       bool
	quiet      bool
	cgroup     string
}

func (o *runOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&o.models, "models", nil, "models, comma-separated: "+strings.Join(harness.Models(), ", ")+" (default: the scenario's, else serial,pool)")
	fs.StringSliceVar(&o.measures, "measure", nil, "measure modes: exact, rusage-children, ru-maxrss (default: the scenario's, else exact)")
	fs.IntSliceVar(&o.parallel, "parallel", nil, "cases at once, comma-separated (default: the scenario's, else 1 and the CPU count)")
	fs.IntSliceVar(&o.gomaxprocs, "gomaxprocs", nil, "GOMAXPROCS values of the harness, 0 for the default (default: the scenario's, else 0)")
	fs.StringVar(&o.pin, "pin", "", "pin each worker slot to a CPU: off, on or both (default: the scenario's, else off)")
	fs.IntVar(&o.repeat, "repeat", 0, "repetitions of every case, interleaved (default: the scenario's, else 1)")
	fs.BoolVar(&o.shuffle, "shuffle", true, "shuffle the order of the cases, with a recorded seed")
	fs.BoolVar(&o.noShuffle, "no-shuffle", false, "run the cases in their order")
	fs.Int64Var(&o.seed, "seed", 0, "seed of the shuffle (default: from the clock, recorded in run.json)")
	fs.StringVar(&o.out, "out", "", "run directory (default judgebench-results/<UTC time>-<target>/)")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	fs.BoolVar(&o.quiet, "quiet", false, "print no summary and no progress")
	fs.StringVar(&o.cgroup, "cgroup", "auto", "cgroup use: auto, v1, v2 or off")
	addLimitFlags(fs, &o.limits)
}

const runUsage = "run [TARGET] [flags] [-- PROG [ARGS]]"

func runRunCommand(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
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
	sc, cases, err := resolveTarget(target, program)
	if err != nil {
		return usageErrorf("run: %v", err)
	}
	plan, err := o.plan(sc, cases)
	if err != nil {
		return usageErrorf("run: %v", err)
	}
	return runPlan(ctx, &o, target, plan, stdout, stderr)
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

// resolveTarget finds what to run: a built-in scenario, a scenario file, or
// a problem directory solved by program.
func resolveTarget(target string, program []string) (*scenarios.Scenario, []scenarios.Case, error) {
	sc, ok := scenarios.Builtin(target)
	if !ok {
		info, err := os.Stat(target)
		switch {
		case err != nil && !strings.ContainsAny(target, "/."):
			return nil, nil, fmt.Errorf("%q is no built-in scenario (see `judgebench scenarios`) and no file", target)
		case err != nil:
			return nil, nil, err
		case info.IsDir():
			cases, err := scenarios.ProblemDir(target, program)
			return &scenarios.Scenario{Name: filepath.Base(target)}, cases, err
		}
		if sc, err = scenarios.Load(target); err != nil {
			return nil, nil, err
		}
	}
	if len(program) > 0 {
		return nil, nil, fmt.Errorf("a scenario names its own workload: -- PROG is for problem directories")
	}
	cases, err := sc.Expand()
	return sc, cases, err
}

// plan merges flags over the scenario's settings over the defaults.
func (o *runOptions) plan(sc *scenarios.Scenario, cases []scenarios.Case) (*harness.Plan, error) {
	p := &harness.Plan{
		Cases:       cases,
		Limits:      mergeLimits(o.limits, sc.Limits),
		Models:      first(o.models, sc.Models, []string{harness.Serial, harness.Pool}),
		Measures:    first(o.measures, sc.Measure, []string{harness.Exact}),
		Parallel:    first(o.parallel, sc.Parallel, []int{1, runtime.NumCPU()}),
		GOMAXPROCS:  first(o.gomaxprocs, sc.GOMAXPROCS, []int{0}),
		Repeat:      max(o.repeat, 0),
		Shuffle:     o.shuffle && !o.noShuffle,
		Seed:        o.seed,
		HarnessHold: sc.HarnessHold,
		Cgroup:      sandbox.CgroupMode(o.cgroup),
	}
	if p.Repeat == 0 {
		p.Repeat = max(sc.Repeat, 1)
	}
	if p.Seed == 0 {
		p.Seed = time.Now().UnixNano()
	}
	if _, err := sandbox.ParseCgroupMode(o.cgroup); err != nil {
		return nil, err
	}
	pin := first([]string{o.pin}, []string{sc.Pin}, []string{"off"})[0]
	switch pin {
	case "off":
		p.Pin = []bool{false}
	case "on":
		p.Pin = []bool{true}
	case "both":
		p.Pin = []bool{false, true}
	default:
		return nil, fmt.Errorf("--pin %q: use off, on or both", pin)
	}
	if o.repeat < 0 {
		return nil, fmt.Errorf("--repeat %d: must be at least 1", o.repeat)
	}
	return p, p.Validate()
}

// first returns the first of its arguments that is not empty.
func first[T any](lists ...[]T) []T {
	for _, l := range lists {
		if len(l) > 0 && !(len(l) == 1 && isZero(l[0])) {
			return l
		}
	}
	return nil
}

func isZero[T any](v T) bool {
	s, ok := any(v).(string)
	return ok && s == ""
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

// runPlan runs the plan into a new run directory, writes run.json (also when
// interrupted) and prints the summary.
func runPlan(ctx context.Context, o *runOptions, target string, plan *harness.Plan, stdout, stderr io.Writer) error {
	h, err := harness.New(plan)
	if err != nil {
		return usageErrorf("run: %v", err)
	}
	defer h.Close()
	dir := o.out
	if dir == "" {
		dir = filepath.Join("judgebench-results", time.Now().UTC().Format("20060102T150405Z")+"-"+safeName(target))
	}
	w, err := results.Create(dir)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	bar := newProgress(stderr, o.quiet)
	plan.Progress = bar.update
	o.out = dir
	header := runHeader(o, target, plan, h.Machine())
	info, runErr := h.Run(ctx, w)
	bar.finish()
	header.FinishedAt = time.Now().UTC()
	header.Interrupted = errors.Is(runErr, context.Canceled)
	path, err := w.Finish(header, info)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if err := printSummary(stdout, path, o); err != nil {
		return err
	}
	switch {
	case header.Interrupted:
		return errInterrupted
	case runErr != nil:
		return fmt.Errorf("run: %w", runErr)
	}
	return nil
}

func safeName(s string) string {
	s = strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

func runHeader(o *runOptions, target string, p *harness.Plan, m results.Machine) results.Run {
	pin := map[int]string{1: "off", 2: "both"}[len(p.Pin)]
	if len(p.Pin) == 1 && p.Pin[0] {
		pin = "on"
	}
	var program []string
	if len(p.Cases) > 0 {
		program = p.Cases[0].Program
	}
	l := p.Limits.WithDefaults()
	return results.Run{
		Schema: results.Schema, Target: target, StartedAt: time.Now().UTC(), Machine: m,
		Settings: results.Settings{
			Models: p.Models, Measure: p.Measures, Parallel: p.Parallel, GOMAXPROCS: p.GOMAXPROCS,
			Pin: pin, Repeat: p.Repeat, Shuffle: p.Shuffle, Seed: p.Seed,
			CPUTime: l.CPUTime.String(), RealTime: l.RealTime.String(), Memory: l.Memory.String(),
			Output: l.Output.String(), Stack: l.Stack.String(), Processes: l.Processes,
			Program: program, Cgroup: o.cgroup, HarnessHold: int64(p.HarnessHold),
			Out: o.out, JSON: o.json, Quiet: o.quiet,
		},
	}
}
