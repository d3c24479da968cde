package sandbox

import (
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// startsInBox reports whether the program starts by startInBox: boxed, and
// measured by a cgroup with a memory controller (untraced after its exec).
// A program pinned to CPUs does only if its start thread can join its
// cgroups (v1): an attach at the exec stop (v2) gives it the cpuset's CPUs
// again, and the start thread's filter forbids pinning it after; the
// launcher's start pins it from the harness after the attach.
func (r *run) startsInBox() bool {
	return r.jail != nil && r.jail.box != nil && r.cg != nil && !r.traced &&
		(len(r.c.CPUs) == 0 || r.cg.threadJoins())
}

// startInBox starts a boxed program without a launcher, when a cgroup
// measures it (the launcher stays for a traced run, which needs its tracer to
// the end). The start thread of the box's holder (see spawner), which is in
// the box's namespaces and has no_new_privs and the program's seccomp filter,
// forks the program, whose child sets its rlimits, joins its cgroups through
// files the harness opened (the thread sees the box's files) and takes its
// uid before it execs the program untraced (see vforkExec). Where there is
// no vforkExec, the thread forks the program traced, and into its cgroups
// where a thread can join them (v1; see joinThread), else attaches it at its
// exec stop; there it reads the program's clock so far (the fork's), gives
// it its rlimits as the program's own uid, and releases it.
// This goroutine only waits: one hand-over a run. A program pinned to CPUs
// is started so by a thread of its own that takes them first and then dies
// (the filter forbids a move after). The exec of a launcher (the whole
// judgebench binary, some milliseconds a case) and its own exec stop are
// saved.
func (r *run) startInBox(path string, argv []string, attr *syscall.ProcAttr) error {
	attr.Sys.Ptrace, attr.Sys.Pdeathsig = true, 0 // the holder kills what is left if the harness dies
	var s started
	if len(r.c.CPUs) == 0 {
		sp, err := r.jail.box.spawner(r.cg.cloneFD() >= 0)
		if err != nil {
			return &startError{r.c.Path, err}
		}
		done := make(chan started)
		sp.orders <- spawnOrder{r, path, argv, attr, done}
		if s = <-done; s.broken {
			r.jail.box.spawn = nil // it ended: the next run starts another
		}
	} else {
		done := make(chan started)
		goOnDoomedThread(func() {
			r.pinThread()
			if err := enterFiltered(r.jail.box, false); err != nil {
				done <- started{err: err}
				return
			}
			done <- r.startFromThread(path, argv, attr, false)
		})
		s = <-done
	}
	if s.pid == 0 {
		return &startError{r.c.Path, s.err}
	}
	r.pid = s.pid
	if s.err != nil {
		r.reap()
		r.pid = 0
		r.group.Store(0)
		return s.err
	}
	return nil
}

// started is what a start thread did: the program's pid (0: none forked),
// why it failed, and whether the thread is no longer fit to start another
// (it could not take back its own credentials, or leave a run's cgroups).
type started struct {
	pid    int
	err    error
	broken bool
}

// A spawner is the start thread of a holder's runs (those not pinned to
// CPUs): a thread of its own that entered the box's namespaces and took
// no_new_privs and the boxed program's seccomp filter once, for every run
// of the holder, and ends with it. The entering, the filter (a BPF program
// the kernel compiles at each load) and a thread are saved a run.
type spawner struct {
	orders chan spawnOrder
	clone3 bool // its filter lets clone3 through, to clone into a cgroup (see cgroupEntry)
}

type spawnOrder struct {
	r    *run
	path string
	argv []string
	attr *syscall.ProcAttr
	done chan started
}

// spawner returns the holder's spawner, starting it the first time, with
// clone3 let through its filter when clone3 (v2 cgroups, on an architecture
// with vforkExec).
func (h *holder) spawner(clone3 bool) (*spawner, error) {
	if h.spawn != nil {
		return h.spawn, nil
	}
	sp := &spawner{orders: make(chan spawnOrder), clone3: clone3 && canVfork}
	ready := make(chan error)
	goOnDoomedThread(func() {
		// The process's CPUs, whichever thread this one was cloned from.
		err := allCPUs()
		if err == nil {
			err = enterFiltered(h, sp.clone3)
		}
		ready <- err
		if err != nil {
			return
		}
		for o := range sp.orders {
			s := o.r.startFromThread(o.path, o.argv, o.attr, sp.clone3)
			o.done <- s
			if s.broken {
				return
			}
		}
	})
	if err := <-ready; err != nil {
		return nil, err
	}
	h.spawn = sp
	return sp, nil
}

// stop ends the spawner's thread.
func (sp *spawner) stop() { close(sp.orders) }

// allCPUs gives the calling thread the CPUs of the process's main thread.
func allCPUs() error {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(unix.Getpid(), &set); err != nil {
		return fmt.Errorf("sandbox: CPUs: %w", err)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("sandbox: CPUs: %w", err)
	}
	return nil
}

// enterFiltered moves the calling thread into box's namespaces and gives it
// no_new_privs and the boxed program's filter, all of which the programs it
// forks inherit (clone3 too with clone3: see noClone3Filter). The caller has
// locked the thread, which must die with them.
func enterFiltered(box *holder, clone3 bool) error {
	if err := box.enter(); err != nil {
		return err
	}
	if err := noNewPrivs(); err != nil {
		return err
	}
	// The thread forks traced, and releases its program at the exec stop,
	// only where the program cannot start by vforkExec.
	if err := loadFilter(!canVfork, clone3); err != nil {
		return fmt.Errorf("isolation: seccomp: %w", err)
	}
	return nil
}

// startFromThread starts the program from the calling thread, in the box (see
// enterFiltered) and its cgroups: by vforkExec where there is one, else
// traced, doing what the harness does at its exec stop: its process clock so
// far (the fork's), its cgroups if it was not born in them, its rlimits; then
// it lets it go.
// clone3: the thread's filter lets clone3 through.
func (r *run) startFromThread(path string, argv []string, attr *syscall.ProcAttr, clone3 bool) started {
	if canVfork {
		// Untraced: the child does all that itself (see vforkExec).
		attr.Sys.Ptrace = false
		if err := r.startAlone(path, argv, attr, clone3); err != nil {
			return started{err: err}
		}
		return started{pid: r.pid}
	}
	joined, err := r.joinCgroups()
	if err != nil {
		return started{err: err}
	}
	pid, err := forkExec(path, argv, attr)
	if joined {
		if lerr := r.leaveCgroups(); lerr != nil {
			if pid > 0 {
				unix.Kill(pid, unix.SIGKILL)
			}
			return started{pid: pid, err: lerr, broken: true}
		}
	}
	if err != nil {
		return started{err: err}
	}
	r.group.Store(int64(pid))
	err = awaitExecStop(pid)
	if err == nil {
		r.res.LaunchCPU, _ = processClock(pid)
		if !joined {
			if err = r.cg.attach(pid); err != nil {
				err = fmt.Errorf("sandbox: %w", err)
			}
		}
	}
	broken := false
	if err == nil {
		err, broken = r.release(pid)
	}
	if err != nil {
		unix.Kill(pid, unix.SIGKILL)
	}
	return started{pid, err, broken}
}

// release gives the program stopped at its exec its rlimits, from a thread
// whose real uid and gid are the program's for the moment (prlimit on
// another's process needs those, or CAP_SYS_RESOURCE, which a container's
// root may lack), and lets it go. broken: the thread kept the program's ids.
func (r *run) release(pid int) (err error, broken bool) {
	ruid, _, _ := unix.Getresuid()
	rgid, _, _ := unix.Getresgid()
	err = realIDs(r.jail.uid, r.jail.gid)
	if err == nil {
		err = r.lowerRlimits(pid)
	}
	if rerr := realIDs(ruid, rgid); rerr != nil {
		return rerr, true
	}
	if err != nil {
		return err, false
	}
	// Its real time starts here, not when the harness hears of it.
	began := time.Now()
	if err := unix.PtraceDetach(pid); err != nil {
		return fmt.Errorf("sandbox: release the program: %w", err), false
	}
	r.began = began
	return nil, false
}

// awaitExecStop waits for the traced child pid's stop at its exec.
func awaitExecStop(pid int) error {
	var ws unix.WaitStatus
	if _, err := wait4(pid, &ws, nil); err != nil {
		return fmt.Errorf("sandbox: wait for exec: %w", err)
	}
	if !ws.Stopped() || ws.StopSignal() != unix.SIGTRAP {
		return fmt.Errorf("sandbox: expected an exec stop, got wait status %#x", uint32(ws))
	}
	return nil
}

// vforks reports whether the program starts by vforkExec, whose child sets
// its own limits and gets into its cgroups before its exec, untraced: in its
// box (see startsInBox), or outside one, unpinned. Either way it takes no
// process-wide lock: it moves itself alone (v1 tasks) or is born in its
// cgroup (v2, clone3; see cgroupEntry).
func (r *run) vforks() bool {
	return canVfork && r.cg != nil && !r.traced &&
		(r.startsInBox() || r.jail == nil && (r.cg.threadJoins() || r.cg.cloneFD() >= 0) && len(r.c.CPUs) == 0)
}

// startAlone starts the program by vforkExec, as vforks says: its child
// gets into the run's cgroups (see entry), so the program is born there; the CPU time its
// process spent before its exec, there and before, is kept to be taken out
// of theirs. The program's real time starts at its exec.
// Its error is the start's cause alone.
// clone3: the calling thread's filter lets clone3 through.
func (r *run) startAlone(path string, argv []string, attr *syscall.ProcAttr, clone3 bool) error {
	sp, err := vforkExec(path, argv, attr, r.rlimits(), r.entry(clone3))
	if err != nil {
		return err
	}
	r.began = time.Now()
	r.pid = sp.pid
	r.group.Store(int64(sp.pid))
	r.bornIn = true
	r.res.LaunchCPU, r.startCPU = sp.launch, -sp.away
	return nil
}

// startJoins reports whether start, outside a box, forks the program into
// its cgroups from a thread that joined them: where a thread moves alone
// (v1), for a program not traced to its end, from a thread that dies after
// the run (see Run). A move of the program at its exec stop would take the
// process-wide lock of joinThread.
func (r *run) startJoins() bool {
	return r.cg != nil && r.cg.threadJoins() && !r.traced && (r.jail == nil || r.jail.box == nil) && !r.vforks()
}

// joinCgroups moves the calling thread into the run's cgroups where a thread
// can move alone (see caseGroup.threadJoins), and reports whether it did, so
// that the program it forks is born there; leaveCgroups moves it back: not
// to where it came from (a cgroup judgebench did not make) but to the
// Sandbox's own cgroups, so only a thread that ends before the Sandbox
// closes may join (a spawner).
func (r *run) joinCgroups() (joined bool, err error) {
	if !r.cg.threadJoins() {
		return false, nil
	}
	if err := r.cg.joinThread(); err != nil {
		return false, fmt.Errorf("sandbox: %w", err)
	}
	r.bornIn, r.startCPU = true, -threadClock()
	return true, nil
}

// leaveCgroups moves the calling thread back out of the run's cgroups after
// joinCgroups; the CPU time it spent there, which they charged to the run,
// is kept to be taken out.
func (r *run) leaveCgroups() error {
	r.startCPU += threadClock()
	if err := r.cg.leaveThread(); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// threadClock is the calling thread's CPU time so far.
func threadClock() time.Duration {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return time.Duration(ts.Nano())
}

// realIDs gives the calling thread alone (not the process, as Go's
// syscall.Setresuid would) real uid and gid; the effective and saved ones,
// and with them its capabilities, stay as they are.
func realIDs(uid, gid int) error {
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(gid), ^uintptr(0), ^uintptr(0)); e != 0 {
		return fmt.Errorf("sandbox: setresgid: %w", e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(uid), ^uintptr(0), ^uintptr(0)); e != 0 {
		return fmt.Errorf("sandbox: setresuid: %w", e)
	}
	return nil
}

// lowerRlimits gives the stopped program its rlimits from a thread with its
// credentials, which may only lower them: each is at most the hard limit
// the program already has, as the launcher's are.
func (r *run) lowerRlimits(pid int) error {
	for _, s := range r.rlimits() {
		var old unix.Rlimit
		if err := unix.Prlimit(pid, s.res, nil, &old); err != nil {
			return fmt.Errorf("sandbox: prlimit %s: %w", rlimitName(s.res), err)
		}
		lim := unix.Rlimit{Cur: min(s.cur, old.Max), Max: min(s.max, old.Max)}
		if err := unix.Prlimit(pid, s.res, &lim, nil); err != nil {
			return fmt.Errorf("sandbox: prlimit %s: %w", rlimitName(s.res), err)
		}
	}
	return nil
}

// cgroupEntry is how a child gets into its cgroups before its exec: it
// writes "0" to the control files join holds open (v1 tasks: a task moving
// itself alone takes no process-wide lock), or it is born in the cgroup
// whose directory fd is (clone3 with CLONE_INTO_CGROUP: a cgroup.procs
// write on v2 takes cgroup_threadgroup_rwsem for writing, an RCU grace
// period when moves are not frequent, 13 to 33 ms a case measured in the
// VM). denyClone3: the child first forbids itself clone3 by a filter of
// its own, for a thread whose filter let clone3 through (see
// filterProgram).
// clone3: the starting thread may clone3 (it has no filter, or one that
// lets clone3 through), so the child is cloned by clone3 even without a
// cgroup to be born in, for CLONE_CLEAR_SIGHAND (see childSpec.vfork).
type cgroupEntry struct {
	join       []int
	fd         int
	denyClone3 bool
	clone3     bool
}

// entry is how the program enters the run's cgroups (see cgroupEntry):
// born in its cgroup by clone3 where it has one to be cloned into (v2) and
// the starting thread may clone3 (outside a box, or a start thread whose
// filter lets it through, clone3), else by the child's own writes.
func (r *run) entry(clone3 bool) cgroupEntry {
	may := r.jail == nil || r.jail.box == nil || clone3
	if fd := r.cg.cloneFD(); fd >= 0 && may {
		return cgroupEntry{fd: fd, denyClone3: clone3, clone3: true}
	}
	return cgroupEntry{join: r.cg.joinFiles(), fd: -1, denyClone3: clone3, clone3: may}
}
