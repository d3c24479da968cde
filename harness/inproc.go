package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
	"golang.org/x/sys/unix"
)

var (
	errCPULimit  = errors.New("cpu time limit")
	errRealLimit = errors.New("real time limit")
	errOutput    = errors.New("output limit exceeded")
)

// runInProc runs c's built-in workload as Go code in this goroutine, locked to
// its OS thread: the analogue of a Python judge running cases in threads. CPU
// time is that thread's clock, real time the monotonic clock; there is no
// memory figure (a goroutine has none of its own). Limits cancel the
// workload's context: CPU by a watchdog on the thread's clock, real time by a
// deadline. A panic is recovered into a RUNTIME_ERROR.
func runInProc(ctx context.Context, c *scenarios.Case, l sandbox.Limits) outcome {
	l = l.WithDefaults()
	w, ok := scenarios.Lookup(c.Workload)
	if !ok || !w.InProcess {
		return systemError(fmt.Errorf("harness: workload %q cannot run in-process", c.Workload))
	}
	stdin, expect, closeAll, err := inputs(c)
	if err != nil {
		return systemError(err)
	}
	defer closeAll()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	out := &cappedBuffer{limit: int(l.Output)}
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	clock := threadClock(unix.Gettid())
	var ru0 unix.Rusage
	unix.Getrusage(unix.RUSAGE_THREAD, &ru0)
	cpu0, start := readClock(clock), time.Now()
	stop := inprocWatch(cctx, cancel, clock, cpu0, l)
	if stdin == nil {
		stdin = bytes.NewReader(nil)
	}
	err = recovered(func() error {
		return w.Run(cctx, scenarios.Env{Args: c.Args, Stdin: stdin, Stdout: out, Stderr: io.Discard})
	})
	o := outcome{Real: time.Since(start), CPU: readClock(clock) - cpu0, ExitCode: 0, Expected: expect != nil}
	stop()
	var ru1 unix.Rusage
	unix.Getrusage(unix.RUSAGE_THREAD, &ru1)
	o.User = time.Duration(ru1.Utime.Nano() - ru0.Utime.Nano())
	o.System = time.Duration(ru1.Stime.Nano() - ru0.Stime.Nano())
	judgeInProc(&o, err, context.Cause(cctx), ctx.Err(), out, expect, c.Checker, l)
	return o
}

// judgeInProc gives an in-process run its verdict, in the contract's order.
func judgeInProc(o *outcome, err, cause, outer error, out *cappedBuffer, expect io.Reader, checker sandbox.Checker, l sandbox.Limits) {
	var exit *scenarios.ExitError
	var usage *scenarios.UsageError
	if expect != nil && !out.over {
		o.Match, o.CheckerMessage, _ = checker.Compare(expect, bytes.NewReader(out.Bytes()))
	}
	switch {
	case outer != nil:
		o.Verdict, o.Error = sandbox.SystemError, "harness: interrupted"
	case errors.Is(cause, errCPULimit) || o.CPU > l.CPUTime:
		o.Verdict = sandbox.CPUTimeLimitExceeded
	case errors.Is(cause, errRealLimit) || o.Real > l.RealTime:
		o.Verdict = sandbox.RealTimeLimitExceeded
	case out.over:
		o.Verdict = sandbox.OutputLimitExceeded
	case errors.As(err, &usage):
		o.Verdict, o.Error = sandbox.SystemError, "harness: "+err.Error()
	case errors.As(err, &exit):
		o.Verdict, o.ExitCode = verdictOfExit(exit.Code), exit.Code
	case err != nil:
		o.Verdict, o.ExitCode, o.Error = sandbox.RuntimeError, -1, err.Error()
	case expect != nil && !o.Match:
		o.Verdict = sandbox.WrongAnswer
	default:
		o.Verdict = sandbox.Accepted
	}
}

func verdictOfExit(code int) sandbox.Verdict {
	if code == 0 {
		return sandbox.Accepted
	}
	return sandbox.RuntimeError
}

// recovered runs f, turning a panic into an error: in-process, one case's
// panic must not kill every case.
func recovered(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return f()
}

// inprocWatch cancels ctx when the thread's CPU clock passes the limit or the
// real-time limit passes. stop ends it and waits until it has.
func inprocWatch(ctx context.Context, cancel context.CancelCauseFunc, clock int32, cpu0 time.Duration, l sandbox.Limits) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		deadline := time.NewTimer(l.RealTime)
		defer deadline.Stop()
		tick := time.NewTimer(pollDelay(l.CPUTime, 1))
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-deadline.C:
				cancel(errRealLimit)
				return
			case <-tick.C:
			}
			used := readClock(clock) - cpu0
			if used >= l.CPUTime {
				cancel(errCPULimit)
				return
			}
			tick.Reset(pollDelay(l.CPUTime-used, 1))
		}
	})
	return func() { close(done); wg.Wait() }
}

// pollDelay is half the time left, between 1ms and 50ms.
func pollDelay(left time.Duration, rate float64) time.Duration {
	return min(max(time.Duration(float64(left)/max(rate, 1)/2), time.Millisecond), 50*time.Millisecond)
}

// threadClock is the CPU clock id of thread tid of this process
// (MAKE_THREAD_CPUCLOCK: ^tid << 3 | CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED).
func threadClock(tid int) int32 { return int32(^tid<<3 | 4 | 2) }

func readClock(clock int32) time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(clock, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// inputs opens a case's stdin and expected output; nil for none.
func inputs(c *scenarios.Case) (stdin, expect io.Reader, closeAll func(), err error) {
	var files []*os.File
	closeAll = func() {
		for _, f := range files {
			f.Close()
		}
	}
	open := func(data []byte, path string) (io.Reader, error) {
		if path == "" {
			if data == nil {
				return nil, nil
			}
			return bytes.NewReader(data), nil
		}
		f, err := sandbox.OpenInput(path) // never waits on a named pipe
		if err != nil {
			return nil, fmt.Errorf("harness: case %s: %w", c.Name, err)
		}
		files = append(files, f)
		return f, nil
	}
	if stdin, err = open(c.Stdin, c.StdinFile); err == nil {
		expect, err = open(c.Expect, c.ExpectFile)
	}
	if err != nil {
		closeAll()
	}
	return stdin, expect, closeAll, err
}

// cappedBuffer keeps what is written up to limit; past it, writes fail.
type cappedBuffer struct {
	bytes.Buffer
	limit int
	over  bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.limit {
		b.over = true
		return 0, errOutput
	}
	return b.Buffer.Write(p)
}
