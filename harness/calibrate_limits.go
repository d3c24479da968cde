package harness

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// limitCheck is a program that goes past one limit, and the verdict a judge
// should give it.
type limitCheck struct {
	name   string
	args   []string
	limits sandbox.Limits
	want   sandbox.Verdict
}

// limitChecks are how far past a 250ms and a 1s CPU limit the judge lets a
// spinner run, what a 1s real-time limit does to a sleeper, and which
// verdict a program touching twice its memory limit, mem, gets. Each gives
// the other limits room.
func limitChecks(mem sandbox.Size) []limitCheck {
	return []limitCheck{
		{"cpu 250ms", []string{"burn", "1m"}, sandbox.Limits{CPUTime: 250 * time.Millisecond, RealTime: 30 * time.Second, Memory: burnMemory, Stack: burnStack}, sandbox.CPUTimeLimitExceeded},
		{"cpu 1s", []string{"burn", "1m"}, sandbox.Limits{CPUTime: time.Second, RealTime: 30 * time.Second, Memory: burnMemory, Stack: burnStack}, sandbox.CPUTimeLimitExceeded},
		{"real 1s", []string{"sleep", "1m"}, sandbox.Limits{CPUTime: 10 * time.Second, RealTime: time.Second, Memory: burnMemory, Stack: burnStack}, sandbox.RealTimeLimitExceeded},
		{"memory 2x", []string{"alloc", strconv.Itoa(int(2 * mem / sandbox.MiB))}, sandbox.Limits{CPUTime: 10 * time.Second, RealTime: 30 * time.Second, Memory: mem, Stack: burnStack}, sandbox.MemoryLimitExceeded},
	}
}

// checkMemory is the memory limit of the memory check: the burns' through a
// judge that may limit address space, where a Go program needs it to start;
// the default limit in judgebench's own sandbox, which limits memory in use
// (and where twice the burns' limit would touch 4GiB).
func (k *Calibrator) checkMemory() sandbox.Size {
	if k.c.Executor != nil {
		return burnMemory
	}
	return sandbox.Limits{}.WithDefaults().Memory
}

// limit runs limit check lc, the i-th, and records it as a sample (case
// limit-NAME, its expected verdict the one wanted).
func (k *Calibrator) limit(ctx context.Context, lc limitCheck, i int, sink Sink) (results.LimitCheck, error) {
	args := append(append([]string{}, scenarios.SelfArgs...), lc.args...)
	r := k.ex.Run(ctx, &sandbox.Command{Path: k.exe, Args: args, Limits: lc.limits})
	if err := ctx.Err(); err != nil {
		return results.LimitCheck{}, err
	}
	c := results.LimitCheck{Check: lc.name, Program: strings.Join(lc.args, " "), Want: verdictOf(lc.want), Verdict: verdictOf(r.Verdict), Unit: "ms"}
	var limit float64
	switch lc.want {
	case sandbox.CPUTimeLimitExceeded:
		c.Limit, c.At, limit = lc.limits.CPUTime.String(), results.Millis(r.CPUTime), results.Millis(lc.limits.CPUTime)
	case sandbox.RealTimeLimitExceeded:
		c.Limit, c.At, limit = lc.limits.RealTime.String(), results.Millis(r.RealTime), results.Millis(lc.limits.RealTime)
	default:
		c.Limit, c.At, limit, c.Unit = lc.limits.Memory.String(), float64(r.Memory), float64(lc.limits.Memory), "bytes"
	}
	c.Over = max(c.At-limit, 0)
	if c.Unit == "ms" {
		c.Allowed = max(0.1*limit, 20)
	} else {
		c.Allowed = 0.01 * limit // a judge's own margin (go-judge's cgroup limit is 16KiB past it)
	}
	c.OK = r.Verdict == lc.want && c.Over <= c.Allowed
	key := k.key(1)
	st := setting{model: key.Model, measure: key.Measure, parallel: 1, gomaxprocs: key.GOMAXPROCS, isolation: key.Isolation, executor: key.Executor}
	o := fromResult(r, false)
	s := o.sample("limit-"+strings.ReplaceAll(lc.name, " ", "-"), st, 0, 0, i, 0, lc.want)
	if err := sink.Add(s); err != nil {
		return c, err
	}
	k.done++
	if k.c.Progress != nil {
		k.c.Progress(Progress{Done: k.done, Total: k.total(), Group: s.Key()})
	}
	return c, nil
}
