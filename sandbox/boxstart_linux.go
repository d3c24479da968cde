package sandbox

import (
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// startsInBox reports whether the program starts by startInBox: boxed, and
// measured by a cgroup with a memory controller (untraced after its exec).
func (r *run) startsInBox() bool {
	return r.jail != nil && r.jail.box != nil && r.cg != nil && !r.traced
}

// startInBox starts a boxed program without a launcher, when a cgroup
// measures it (the launcher stays for a traced run, which needs its tracer to
// the end). A thread of its own takes the program's CPUs, enters the box's namespaces and a new IPC
// namespace, takes no_new_privs and the program's seccomp filter, and forks
// the program traced. At the exec stop
// that thread reads the program's clock so far (the fork's), attaches it to
// its cgroups (through files the harness opened: the thread sees the box's
// files), gives it its rlimits as the program's own uid, and
// releases it; then the thread dies, with its filter, namespaces and
// credentials. This goroutine only waits: one hand-over a run. The exec of a
// launcher (the whole judgebench binary, some milliseconds a case) and its
// own exec stop are saved.
func (r *run) startInBox(path string, argv []string, attr *syscall.ProcAttr) error {
	// No clone3 into the cgroup: the filter cannot read clone3's flags, and
	// refuses it.
	attr.Sys.Ptrace, attr.Sys.Pdeathsig = true, 0 // the holder kills what is left if the harness dies
	type started struct {
		pid int
		err error
	}
	done := make(chan started)
	goOnDoomedThread(func() {
		r.pinThread()
		pid, err := forkFiltered(r.jail.box, path, argv, attr)
		if err != nil {
			done <- started{0, err}
			return
		}
		r.group.Store(int64(pid))
		if err = awaitExecStop(pid); err == nil {
			err = r.atBoxedExec(pid)
		}
		if err == nil {
			err = r.release(pid)
		}
		if err != nil {
			unix.Kill(pid, unix.SIGKILL)
		}
		done <- started{pid, err}
	})
	s := <-done
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
	r.began = time.Now()
	return nil
}

// atBoxedExec does what the harness does at a program's exec stop, from the
// thread that started it in its box: the program's process clock so far (the
// fork's), its cgroups. (Its CPUs are the thread's, which forked it.)
func (r *run) atBoxedExec(pid int) error {
	r.res.LaunchCPU, _ = processClock(pid)
	if err := r.cg.attach(pid); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// release gives the program stopped at its exec its rlimits, from its own
// uid and gid (prlimit on another's process needs CAP_SYS_RESOURCE, which a
// container's root may lack), and lets it go. The calling thread keeps those
// credentials, and must die.
func (r *run) release(pid int) error {
	err := asOwner(r.jail.uid, r.jail.gid)
	if err == nil {
		err = r.lowerRlimits(pid)
	}
	if err != nil {
		return err
	}
	if err := unix.PtraceDetach(pid); err != nil {
		return fmt.Errorf("sandbox: release the program: %w", err)
	}
	return nil
}

// forkFiltered forks the program traced from the calling thread, after the
// thread has entered box's namespaces and a new IPC namespace and taken
// no_new_privs and the boxed program's filter, all of which the child
// inherits. The caller has locked the thread and lets it die.
func forkFiltered(box *holder, path string, argv []string, attr *syscall.ProcAttr) (int, error) {
	if err := box.enter(); err != nil {
		return 0, err
	}
	if err := unix.Unshare(unix.CLONE_NEWIPC); err != nil {
		return 0, fmt.Errorf("isolation: a new IPC namespace: %w", err)
	}
	if err := noNewPrivs(); err != nil {
		return 0, err
	}
	if err := loadFilter(true); err != nil {
		return 0, fmt.Errorf("isolation: seccomp: %w", err)
	}
	return forkExec(path, argv, attr)
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

// asOwner gives the calling thread alone (not the process, as Go's
// syscall.Setresuid would) the real, effective and saved uid and gid of a
// program, with no supplementary groups.
func asOwner(uid, gid int) error {
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, 0, 0, 0); e != 0 {
		return fmt.Errorf("sandbox: setgroups: %w", e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(gid), uintptr(gid), uintptr(gid)); e != 0 {
		return fmt.Errorf("sandbox: setresgid: %w", e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(uid), uintptr(uid), uintptr(uid)); e != 0 {
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
