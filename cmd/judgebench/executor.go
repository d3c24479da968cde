package main

import (
	"context"
	"fmt"
	"io"
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
	if err != nil {
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

// closeExecutor closes ex, if any, keeping the first error.
func closeExecutor(ex judges.Executor, err *error) {
	if ex == nil {
		return
	}
	if cerr := ex.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("closing the executor: %w", cerr)
	}
}

// warnQueue warns when a sweep goes beyond the cases the judge itself runs at
// once: beyond that it measures the judge's queue, not its cases.
func warnQueue(stderr io.Writer, ex judges.Executor, parallel []int) {
	if ex == nil {
		return
	}
	info := ex.Describe()
	if info.Parallelism > 0 && slices.Max(parallel) > info.Parallelism {
		fmt.Fprintf(stderr, "judgebench: warning: %s runs %d cases at once; a parallelism of %d measures its queue, not its cases\n",
			info.Executor, info.Parallelism, slices.Max(parallel))
	}
}
