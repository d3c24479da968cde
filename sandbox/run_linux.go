package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
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

	cg      caseGroup
	cgEmpty bool  // teardown killed every task of cg
	jail    *jail // at the process isolation level
	io      *pipes
	files   *checkFiles // a checker program's, when it judges the output
	path    string      // the program, found
	pid     int
	group   atomic.Int64 // pid, for kills from other goroutines
	traced  bool         // still attached after exec, for VmHWM at the exit stop
	cloned  bool         // started into its cgroup by clone3: no attach at exec
	exited  bool         // the program exited: a zombie until reap
	bornIn  bool         // in its cgroups before its exec: forked by a thread that had joined them (see joinThread), or joined them itself (vforkExec)
	// startCPU is the CPU time the cgroups of a program born in them were
	// charged before its exec, besides LaunchCPU: that of the thread that
	// forked it there, or, taken off, that of its own process before it
	// joined them (vforkExec).
	startCPU time.Duration
	began    time.Time
	killed   atomic.Int32
	oom      bool         // the kernel OOM-killed a task of the run's cgroup
	hwm      atomic.Int64 // highest VmHWM seen, when traced: exec resets it
	cgCPU    cgroupCPU    // the cgroup's CPU time, read at teardown
	pinErr   error        // the program could not be given its CPUs
}

// cgroupCPU is the CPU time of every task of a run, as its cgroup counted it:
// total, and the user and system shares sampled at the tick (see splitCPU).
type cgroupCPU struct {
	ok, split        bool
	total, user, sys time.Duration
}

// Run runs c once and returns what it did. It never returns nil and never
// panics on what the program does: a program that could not be started, or a
// failure of the harness's own reading and writing, is a SYSTEM_ERROR with the
// cause in Result.Error. When ctx is cancelled the program is killed and the
// result is a SYSTEM_ERROR saying so. Neither ctx nor c may be nil.
func (s *Sandbox) Run(ctx context.Context, c *Command) *Result {
	r := &run{s: s, c: c, limits: c.Limits.WithDefaults(), res: &Result{ExitCode: -1}}
	r.res.Warnings = slices.Clone(s.warnings)
	r.res.Isolation = s.isolation
	if c.trusted {
		r.res.Isolation = IsolationNone
	}
	if err := r.check(); err != nil {
		return r.fail(err)
	}
	defer r.removeFiles()
	defer r.releaseJail()
	defer r.releaseCgroup()
	if err := r.setup(); err != nil {
		r.teardown()
		return r.fail(err)
	}
	switch {
	case r.startsInBox():
		// The box's start thread is the program's parent (see startInBox),
		// and the program is untraced from its exec: any thread may wait
		// for it. Unlocked, the hand-over of each start wakes one thread
		// each way; a locked goroutine's wake-up takes two (an idle thread
		// for the processor, then this one).
		r.live(ctx)
	case r.jail == nil && !r.startJoins():
		// This goroutine's OS thread is the program's parent (and, when it
		// is traced, its tracer), from fork to reap; the program's
		// parent-death signal is tied to it too.
		runtime.LockOSThread()
		r.live(ctx)
		runtime.UnlockOSThread()
	default:
		// The same on a thread of its own, which gets no_new_privs for the
		// program to inherit, or joins the run's cgroups to fork it there
		// (see startJoins), and so must die with its goroutine.
		done := make(chan struct{})
		goOnDoomedThread(func() {
			r.live(ctx)
			close(done)
		})
		<-done
	}
	if r.res.Verdict != SystemError && r.files != nil && (r.res.Verdict == Accepted || r.res.Verdict == WrongAnswer) {
		r.checkOutput(ctx)
	}
	return r.res
}

// live starts the program, watches it, and measures and judges it once it
// has ended, on the calling thread, which the caller has locked unless the
// program starts in its box.
func (r *run) live(ctx context.Context) {
	err := r.start(r.io.childFiles())
	r.io.closeChildEnds()
	if err != nil {
		r.teardown()
		r.fail(err)
		return
	}
	wd := r.watch(ctx)
	err = r.waitExit()
	ended := time.Now()
	r.exited = err == nil
	wd.stop()
	// The program is a zombie now: its pid and process group stay reserved,
	// so no kill of teardown can reach a process that reused them.
	r.teardown()
	ws, ru, rerr := r.reap()
	if err := errors.Join(err, rerr); err != nil {
		r.fail(err)
		return
	}
	r.measure(ws, ru, ended.Sub(r.began))
	r.judge()
}

// releaseJail removes what the run's isolation made, once it has ended.
func (r *run) releaseJail() {
	if r.jail != nil {
		if err := r.jail.release(); err != nil {
			r.warn(err)
		}
	}
}

func (r *run) check() error {
	if err := r.limits.Validate(); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if err := checkCPUs(r.c.CPUs); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if !r.c.Checker.valid() {
		return fmt.Errorf("sandbox: unknown checker %v", r.c.Checker)
	}
	if r.c.Checker.Kind == KindProgram {
		if err := r.c.CheckerLimits.Validate(); err != nil {
			return fmt.Errorf("sandbox: checker limits: %w", err)
		}
	}
	if f, ok := r.c.Stdin.(*os.File); ok {
		if err := checkFileInput(f, "stdin"); err != nil {
			return err
		}
	}
	if f, ok := r.c.Expect.(*os.File); ok {
		return checkFileInput(f, "expected output")
	}
	return nil
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
	if f, ok := r.c.Stdin.(*os.File); ok && !r.traced && !r.s.coldInput {
		warmInput(f)
	}
	path, err := lookPath(r.c.Path)
	if err != nil {
		return &startError{r.c.Path, err}
	}
	r.path = path
	if r.c.Checker.Kind == KindProgram && r.c.Expect != nil {
		files, err := newCheckFiles(r.c.Stdin)
		if err != nil {
			return err
		}
		r.files = files
	}
	if r.s.iso != nil && !r.c.trusted {
		c := *r.c
		if r.files != nil {
			c.Stdin = nil // the program reads the checker's copy, which names no path it can reach
		}
		if r.jail, err = r.s.iso.prepare(&c, path); err != nil {
			return &startError{r.c.Path, err}
		}
		if r.jail.stdin != nil {
			c.Stdin = r.jail.stdin
			r.c = &c
		}
	}
	p, err := newPipes(r.c, r.files, r.limits.Output, func() { r.kill(killOutput) })
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	r.io = p
	return nil
}

// kill ends every task of the run; the first reason given is kept.
func (r *run) kill(reason int32) {
	r.killed.CompareAndSwap(killNone, reason)
	// The stdout reader can call this at any time; the atomic orders its read
	// of the pid after start's write, for the race detector as for the CPU.
	if pid := int(r.group.Load()); pid > 0 {
		unix.Kill(-pid, unix.SIGKILL)
		unix.Kill(pid, unix.SIGKILL)
	}
	if r.cg != nil {
		r.cg.kill(time.Now()) // one pass; teardown waits for the rest
	}
}

// teardown kills what is left of the run (the process group, the cgroup,
// orphans), joins the output readers and reads the peak memory and CPU time
// of the cgroup (which releaseCgroup hands back after the reap). It runs
// on every path, while the program (if it ran) is still an unreaped zombie.
func (r *run) teardown() {
	deadline := time.Now().Add(2 * time.Second)
	if r.pid > 0 {
		unix.Kill(-r.pid, unix.SIGKILL)
	}
	var killErr error
	// A program under a uid of its own cannot move itself out of its
	// cgroups, so the one task counted there is its leader.
	if r.cg != nil && !(r.exited && r.jail != nil && r.jail.uid != ownEUID() && r.cg.onlyLeader()) {
		if killErr = r.cg.kill(deadline); killErr != nil {
			r.warn(killErr)
		}
	}
	// Every task of a run its cgroup measured is in that cgroup (entered
	// before the program's first instruction; children inherit it), so its
	// kill leaves nothing in the box; else the box's holder kills what is
	// there. The holder reaps the orphans, and clears the box before the
	// next run unless the run left it as it was (see holder.keep).
	if r.jail != nil && (r.cg == nil || killErr != nil) {
		if err := r.jail.killBox(); err != nil {
			r.warn(fmt.Errorf("sandbox: the run's box: %w", err))
		}
	} else if r.jail != nil {
		r.jail.emptied = true
	}
	if r.pid > 0 {
		owner := r.pid // without a cgroup, the process group is the run
		if r.cg != nil {
			owner = 0 // the cgroup killed them all: only zombies are left
		}
		if err := sweep(owner, r.cg == nil, deadline); err != nil {
			r.warn(err)
		}
	}
	if r.io != nil {
		r.io.finish()
	}
	if r.cg != nil && !r.began.IsZero() {
		if peak, oom, ok := r.cg.memory(); ok {
			r.res.Memory, r.res.MemorySource = peak, r.s.memorySource()
			r.oom = oom
		}
		r.readCPU()
	}
	if r.cg != nil {
		r.cgEmpty = killErr == nil
	}
}

// releaseCgroup hands the run's cgroup back (see Sandbox.release) once its
// program is reaped: until then the zombie still counts in it. Only a
// cgroup whose teardown killed every task is used again.
func (r *run) releaseCgroup() {
	if r.cg != nil {
		r.s.release(r.cg, r.cgEmpty)
	}
}

// readCPU reads the CPU time of the run's cgroup once every task is gone:
// the cpu_time of the run, which counts the children the program never waited
// for, as the watchdog did.
func (r *run) readCPU() {
	total, err := r.cg.cpu()
	if err != nil {
		r.warn(fmt.Errorf("sandbox: cgroup CPU time: %w (cpu_time from wait4)", err))
		return
	}
	r.cgCPU = cgroupCPU{ok: true, total: r.sinceExec(total)}
	r.cgCPU.user, r.cgCPU.sys, r.cgCPU.split = r.cg.split()
}

// sinceExec is the part of the run's cgroup CPU time d that came after the
// program's exec. Born in the cgroup, the program was charged there for its
// fork and exec too, and so was the thread that forked it: that is taken
// out.
func (r *run) sinceExec(d time.Duration) time.Duration {
	if r.cloned || r.bornIn {
		return max(d-r.res.LaunchCPU-r.startCPU, 0)
	}
	return d
}

// removeFiles removes a checker program's files, on every path out of Run.
func (r *run) removeFiles() {
	if r.files != nil {
		if err := r.files.remove(); err != nil {
			r.warn(err)
		}
	}
}

func (r *run) warn(err error) { r.res.Warnings = append(r.res.Warnings, err.Error()) }

func (r *run) fail(err error) *Result {
	r.res.Verdict = SystemError
	r.res.Error = err.Error()
	return r.res
}

func signalName(sig int) string {
	if name := unix.SignalName(unix.Signal(sig)); name != "" {
		return name
	}
	return "signal " + strconv.Itoa(sig)
}
