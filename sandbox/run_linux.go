package sandbox

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Why a run was killed; the first reason wins.
const (
	killNone int32 = iota
	killCPU
	killReal
	killMemory
	killOutput
	killCanceled
)

// run is the state of one Sandbox.Run.
type run struct {
	s      *Sandbox
	c      *Command
	limits Limits
	res    *Result

	cg     caseGroup
	io     *pipes
	pid    int
	group  atomic.Int64 // pid as the process group to kill, once started
	traced bool         // still attached after exec, for VmHWM at the exit stop
	began  time.Time
	killed atomic.Int32
	hwm    atomic.Int64 // highest VmHWM seen, when traced: exec resets it
}

// Run runs c once and returns what it did. It never returns nil and never
// panics on what the program does: a program that could not be started is a
// SYSTEM_ERROR with the cause in Result.Error. When ctx is cancelled the program
// is killed and the result is a SYSTEM_ERROR saying so.
func (s *Sandbox) Run(ctx context.Context, c *Command) *Result {
	r := &run{s: s, c: c, limits: c.Limits.WithDefaults(), res: &Result{ExitCode: -1}}
	r.res.Warnings = append(r.res.Warnings, s.warnings...)
	if err := r.limits.Validate(); err != nil {
		return r.fail(fmt.Errorf("sandbox: %w", err))
	}
	if err := r.setup(); err != nil {
		r.teardown()
		return r.fail(err)
	}
	files := r.io.childFiles()
	err := r.start(files)
	r.io.closeChildEnds()
	if err != nil {
		r.teardown()
		return r.fail(err)
	}
	wd := r.watch(ctx)
	ws, ru, err := r.wait()
	ended := time.Now()
	wd.stop() // no kill of this run may land on the cgroup once it is reused
	r.teardown()
	if err != nil {
		return r.fail(err)
	}
	r.measure(ws, ru, ended.Sub(r.began))
	r.judge(ws)
	return r.res
}

// setup makes the run's cgroup and its stdin, stdout and stderr.
func (r *run) setup() error {
	if r.s.cgroups != nil {
		cg, err := r.s.caseGroup(r.limits)
		if err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		r.cg = cg
	}
	r.traced = r.cg == nil || !r.cg.hasMemory()
	p, err := newPipes(r.c, r.limits.Output, func() { r.kill(killOutput) })
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	r.io = p
	return nil
}

// wait reaps the program, handling its ptrace stops when it is still traced.
func (r *run) wait() (unix.WaitStatus, unix.Rusage, error) {
	if r.traced {
		defer runtime.UnlockOSThread()
	}
	var ws unix.WaitStatus
	var ru unix.Rusage
	for {
		if _, err := wait4(r.pid, &ws, &ru); err != nil {
			return ws, ru, fmt.Errorf("sandbox: wait: %w", err)
		}
		if ws.Exited() || ws.Signaled() {
			removeLive(r.pid)
			return ws, ru, nil
		}
		if !ws.Stopped() {
			continue
		}
		sig := ws.StopSignal()
		if sig == unix.SIGTRAP && ws.TrapCause() == unix.PTRACE_EVENT_EXIT {
			r.noteHWM()
			sig = 0
		}
		if sig == unix.SIGTRAP && ws.TrapCause() == unix.PTRACE_EVENT_EXEC {
			sig = 0
		}
		switch sig {
		case unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
			sig = 0 // a judged program does not get to stop itself
		}
		unix.PtraceCont(r.pid, int(sig))
	}
}

// reap collects a program that never got released.
func (r *run) reap() {
	var ws unix.WaitStatus
	for {
		if _, err := wait4(r.pid, &ws, nil); err != nil || ws.Exited() || ws.Signaled() {
			break
		}
	}
	removeLive(r.pid)
}

// kill ends every task of the run; the first reason given is kept.
func (r *run) kill(reason int32) {
	r.killed.CompareAndSwap(killNone, reason)
	// Output can exceed its limit from the reader goroutine at any time, even
	// before start has recorded the pid: hence the atomic.
	if pid := int(r.group.Load()); pid > 0 {
		unix.Kill(-pid, unix.SIGKILL)
		unix.Kill(pid, unix.SIGKILL)
	}
	if r.cg != nil {
		r.cg.kill(time.Now()) // one pass; teardown waits for the rest
	}
}

// teardown kills what is left of the run (the process group, the cgroup,
// escaped orphans), reads the peak memory, removes the cgroup and joins the
// output readers. It runs on every path.
func (r *run) teardown() {
	if r.pid > 0 {
		unix.Kill(-r.pid, unix.SIGKILL)
	}
	var killErr error
	if r.cg != nil {
		if killErr = r.cg.kill(time.Now().Add(2 * time.Second)); killErr != nil {
			r.warn(killErr)
		}
	}
	if r.pid > 0 {
		reapOrphans()
	}
	if r.io != nil {
		r.io.finish()
	}
	if r.cg != nil && !r.began.IsZero() {
		if peak, oom, ok := r.cg.memory(); ok {
			r.res.Memory, r.res.MemorySource = peak, r.s.memorySource()
			if oom {
				r.killed.CompareAndSwap(killNone, killMemory)
			}
		}
	}
	if r.cg != nil {
		r.s.release(r.cg, killErr == nil)
	}
}

func (r *run) warn(err error) { r.res.Warnings = append(r.res.Warnings, err.Error()) }

func (r *run) fail(err error) *Result {
	r.res.Verdict = SystemError
	r.res.Error = err.Error()
	return r.res
}

// measure fills in the times, memory and output of a reaped program.
func (r *run) measure(ws unix.WaitStatus, ru unix.Rusage, real time.Duration) {
	res := r.res
	res.User = time.Duration(ru.Utime.Nano())
	res.System = time.Duration(ru.Stime.Nano())
	res.CPUTime = res.User + res.System
	res.RealTime = real
	res.VoluntarySwitches, res.InvoluntarySwitches = ru.Nvcsw, ru.Nivcsw
	if r.traced {
		res.Memory, res.MemorySource = Size(r.hwm.Load()), MemoryVmHWM
	}
	if ws.Exited() {
		res.ExitCode = ws.ExitStatus()
	} else {
		res.Signal = int(ws.Signal())
	}
	res.OutputBytes = r.io.stdoutBytes()
	res.Stderr = r.io.stderr.Bytes()
	if r.io.stdoutErr != nil {
		r.warn(r.io.stdoutErr)
	}
}

// judge gives the verdict, in the contract's precedence: CPU TLE, real TLE,
// MLE, OLE, RE, WA.
func (r *run) judge(ws unix.WaitStatus) {
	res, l, why := r.res, r.limits, r.killed.Load()
	sig := unix.Signal(res.Signal)
	switch {
	case why == killCanceled:
		res.Verdict, res.Error = SystemError, "sandbox: interrupted"
	case why == killCPU || res.CPUTime > l.CPUTime || sig == unix.SIGXCPU:
		res.Verdict = CPUTimeLimitExceeded
	case why == killReal || res.RealTime > l.RealTime:
		res.Verdict = RealTimeLimitExceeded
	case why == killMemory || (res.MemorySource == MemoryVmHWM && res.Memory > l.Memory):
		res.Verdict = MemoryLimitExceeded
	case why == killOutput || sig == unix.SIGXFSZ || res.OutputBytes > int64(l.Output):
		res.Verdict = OutputLimitExceeded
	case res.ExitCode != 0 || res.Signal != 0:
		res.Verdict = RuntimeError
	case r.io.expect && !r.io.match:
		res.Verdict = WrongAnswer
	default:
		res.Verdict = Accepted
	}
}

// noteHWM records the program's VmHWM if it is the highest seen. An execve
// starts a new image whose VmHWM starts again, so the watchdog notes it too.
func (r *run) noteHWM() Size {
	hwm := vmHWM(r.pid)
	for {
		old := r.hwm.Load()
		if int64(hwm) <= old || r.hwm.CompareAndSwap(old, int64(hwm)) {
			return hwm
		}
	}
}

// vmHWM reads the peak RSS of a live (or exit-stopped) process.
func vmHWM(pid int) Size {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return Size(kb) * KiB
		}
	}
	return 0
}

func signalName(sig int) string {
	if name := unix.SignalName(unix.Signal(sig)); name != "" {
		return name
	}
	return "signal " + strconv.Itoa(sig)
}
