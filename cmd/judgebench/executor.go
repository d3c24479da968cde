package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/judges"
	"github.com/spf13/pflag"
)

// addExecutorFlag binds --executor to spec.
func addExecutorFlag(fs *pflag.FlagSet, spec *string) {
	fs.StringVar(spec, "executor", "sandbox", "what runs the cases: sandbox (judgebench's own), judger:PATH (QingdaoU Judger's\n"+
		"libjudger.so), isolate:PATH, go-judge:URL[,URL...] (served round-robin), or command:FILE (a judge\n"+
		"described in YAML)")
}

// sandboxOnly are the flags that configure judgebench's own sandbox, refused
// with another executor: the judge has its own.
var sandboxOnly = []string{"isolation", "cgroup", "uids", "disk", "env", "pin", "gomaxprocs", "cpus"}

// openExecutor opens the executor of --executor for the command name; nil for
// the sandbox. A flag only the sandbox understands is a usage error with
// another executor, as is a spec that names no judge that answers.
func openExecutor(ctx context.Context, fs *pflag.FlagSet, name, spec string) (judges.Executor, error) {
	if spec == "" || spec == "sandbox" {
		return nil, nil
	}
	for _, f := range sandboxOnly {
		if fs.Lookup(f) != nil && fs.Changed(f) {
			return nil, usageErrorf("%s: --%s configures judgebench's own sandbox; the executor %s has its own", name, f, spec)
		}
	}
	ex, err := judges.Open(ctx, spec)
	switch {
	case err != nil && ctx.Err() != nil: // Ctrl-C while a judge started
		return nil, interrupted(context.Cause(ctx))
	case err != nil:
		return nil, usageErrorf("%s: %v", name, err)
	}
	return ex, nil
}

// asHarness is ex as the harness's Executor: nil (the sandbox) when ex is.
func asHarness(ex judges.Executor) harness.Executor {
	if ex == nil {
		return nil
	}
	return ex
}

// closeExecutor closes ex, if any. What it could not release (a box, a
// server's cgroups) is a warning on stderr: the results stand, and the exit
// status stays theirs.
func closeExecutor(stderr io.Writer, name string, ex judges.Executor) {
	if ex == nil {
		return
	}
	if err := ex.Close(); err != nil {
		fmt.Fprintf(stderr, "judgebench: warning: %s: closing the executor %s: %v\n", name, ex.Describe().Executor, err)
	}
}

// warnQueue warns when a sweep goes beyond the cases the judge itself runs at
// once: beyond that it measures the judge's queue, not its cases.
func warnQueue(stderr io.Writer, ex judges.Executor, parallel []int) {
	if ex == nil {
		return
	}
	info, most := ex.Describe(), slices.Max(parallel)
	switch {
	case info.Parallelism > 0 && most > info.Parallelism:
		fmt.Fprintf(stderr, "judgebench: warning: %s runs %d cases at once; a parallelism of %d measures its queue, not its cases\n",
			info.Executor, info.Parallelism, most)
	case info.Parallelism == 0 && info.Executor == "go-judge" && most > 1:
		fmt.Fprintf(stderr, "judgebench: warning: go-judge does not report how many cases it runs at once (its -parallelism, by default its CPU count): a parallelism above that measures its queue, not its cases\n")
	}
}

// executorParallel is the highest parallelism worth sweeping through the
// judge ex when none was asked for: twice what it runs at once where it
// says, else twice this machine's CPUs. This machine's memory does not bound
// it: the judge's cases run in the judge, perhaps on other hosts, and an
// address-space limit is no memory in use.
func executorParallel(ex judges.Executor) int {
	if p := ex.Describe().Parallelism; p > 0 {
		return 2 * p
	}
	return 2 * runtime.NumCPU()
}
