package harness

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
	"golang.org/x/sys/unix"
)

// command builds the sandbox command of case c. A built-in workload runs as
// this very binary, `judgebench work NAME ARGS`. The returned func closes the
// files it opened.
func command(c *scenarios.Case, l sandbox.Limits) (*sandbox.Command, func(), error) {
	cmd := &sandbox.Command{Limits: l, Checker: c.Checker}
	if c.Workload != "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, nil, fmt.Errorf("harness: find this binary: %w", err)
		}
		cmd.Path = exe
		cmd.Args = append(append(append([]string{}, scenarios.SelfArgs...), c.Workload), c.Args...)
	} else {
		cmd.Path = c.Program[0]
		cmd.Args = append(append([]string{}, c.Program[1:]...), c.Args...)
	}
	var done func()
	var err error
	if cmd.Stdin, cmd.Expect, done, err = inputs(c); err != nil {
		return nil, nil, err
	}
	return cmd, done, nil
}

// runSandboxed runs c as a sandboxed child at p and measures it as mode
// says.
func runSandboxed(ctx context.Context, sb Executor, c *scenarios.Case, l sandbox.Limits, mode results.Measure, p place) outcome {
	cmd, done, err := command(c, l)
	if err != nil {
		return systemError(err)
	}
	cmd.Slot, cmd.CPUs = p.slot, p.cpus
	defer done()
	var before unix.Rusage
	unix.Getrusage(unix.RUSAGE_CHILDREN, &before)
	res := sb.Run(ctx, cmd)
	o := fromResult(res, cmd.Expect != nil)
	return measured(o, mode, &before, l.WithDefaults())
}

// measured applies a measure mode to o, and judges by its figure as a judge
// that used it would. rusage-children takes the CPU time as the growth of this
// process's RUSAGE_CHILDREN since before: right only when no other child was
// reaped meanwhile. ru-maxrss takes the memory as the raw ru_maxrss, which a
// Go parent inflates to its own peak.
func measured(o outcome, mode results.Measure, before *unix.Rusage, l sandbox.Limits) outcome {
	switch mode {
	case results.RusageChildren:
		var after unix.Rusage
		unix.Getrusage(unix.RUSAGE_CHILDREN, &after)
		o.User = time.Duration(after.Utime.Nano() - before.Utime.Nano())
		o.System = time.Duration(after.Stime.Nano() - before.Stime.Nano())
		o.CPU = o.User + o.System
		if o.Verdict == sandbox.Accepted && o.CPU > l.CPUTime {
			o.Verdict = sandbox.CPUTimeLimitExceeded
		}
	case results.RUMaxRSS:
		o.Memory, o.MemorySource = o.MaxRSS, "rusage:ru_maxrss"
		if o.Verdict == sandbox.Accepted && o.Memory > l.Memory {
			o.Verdict = sandbox.MemoryLimitExceeded
		}
	}
	return o
}
