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
// the end). A thread of its own enters the box's namespaces and a new IPC
// namespace, takes no_new_privs and the program's seccomp filter, forks the
// program traced and waits for its exec stop; the filter and namespaces stay
// with that thread, which dies when it has released the program. This
// thread, which has neither, gives the stopped program its rlimits, cgroups
// and CPUs meanwhile. The exec of a launcher (the whole judgebench binary,
// some milliseconds a case) and its own exec stop are saved.
func (r *run) startInBox(path string, argv []string, attr *syscall.ProcAttr) error {
	type stop struct {
		pid int
		err error
	}
	stopped := make(chan stop)
	release := make(chan bool) // true: detach; false: kill
	released := make(chan error)
	attr.Sys.Ptrace, attr.Sys.Pdeathsig = true, 0 // the holder kills what is left if the harness dies
	goOnDoomedThread(func() {
		pid, err := forkFiltered(r.jail.box, path, argv, attr)
		if err == nil {
			err = awaitExecStop(pid)
			if err != nil {
				unix.Kill(pid, unix.SIGKILL)
			}
		}
		stopped <- stop{pid, err}
		if pid == 0 || err != nil {
			return
		}
		if <-release {
			// The program's rlimits, from its own uid and gid (prlimit on
			// another's process needs CAP_SYS_RESOURCE, which a container's
			// root may lack): this thread's credentials, which die with it.
			err := asOwner(r.jail.uid, r.jail.gid)
			if err == nil {
				err = r.lowerRlimits()
			}
			if err == nil {
				err = unix.PtraceDetach(pid)
			}
			if err != nil {
				unix.Kill(pid, unix.SIGKILL)
			}
			released <- err
			return
		}
		unix.Kill(pid, unix.SIGKILL)
		released <- nil
	})
	s := <-stopped
	if s.pid == 0 {
		return &startError{r.c.Path, s.err}
	}
	r.pid = s.pid
	r.group.Store(int64(s.pid))
	if s.err != nil {
		r.reap()
		r.pid = 0
		r.group.Store(0)
		return s.err
	}
	err := r.atBoxedExec()
	release <- err == nil
	if rerr := <-released; err == nil && rerr != nil {
		err = fmt.Errorf("sandbox: release the program: %w", rerr)
		unix.Kill(r.pid, unix.SIGKILL)
	}
	if err != nil {
		r.reap()
		r.pid = 0
		r.group.Store(0)
		return err
	}
	r.began = time.Now()
	return nil
}

// atBoxedExec does for a boxed program stopped at its exec what this thread
// may: its process clock so far (the fork's), its cgroups, its CPUs. Its
// tracer gives it its rlimits and releases it after.
func (r *run) atBoxedExec() error {
	r.res.LaunchCPU, _ = processClock(r.pid)
	if err := r.cg.attach(r.pid); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	r.pinCPUs()
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
func (r *run) lowerRlimits() error {
	for _, s := range r.rlimits() {
		var old unix.Rlimit
		if err := unix.Prlimit(r.pid, s.res, nil, &old); err != nil {
			return fmt.Errorf("sandbox: prlimit %s: %w", rlimitName(s.res), err)
		}
		lim := unix.Rlimit{Cur: min(s.cur, old.Max), Max: min(s.max, old.Max)}
		if err := unix.Prlimit(r.pid, s.res, &lim, nil); err != nil {
			return fmt.Errorf("sandbox: prlimit %s: %w", rlimitName(s.res), err)
		}
	}
	return nil
}
