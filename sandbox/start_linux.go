package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// startError is a program that could not be started: SYSTEM_ERROR with a cause.
type startError struct {
	path string
	err  error
}

func (e *startError) Error() string { return "start " + e.path + ": " + e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

// start forks and execs the program traced, so that it stops at its exec before
// its first instruction; there it gets its rlimits and (on cgroup v1) its
// cgroups, and only then is it released. The caller has locked its goroutine
// to its OS thread: that thread is the tracer.
func (r *run) start(files []uintptr) error {
	path := r.path
	attr := &syscall.ProcAttr{
		Dir:   r.c.Dir,
		Env:   r.c.Env,
		Files: files,
		Sys: &syscall.SysProcAttr{
			Setpgid:   true,
			Ptrace:    true,
			Pdeathsig: syscall.SIGKILL,
		},
	}
	if attr.Env == nil {
		attr.Env = os.Environ()
	}
	if j := r.jail; j != nil {
		// A uid of its own, a session of its own (no controlling terminal,
		// a process group still led by the program), its own directory and
		// environment, and no_new_privs from this thread.
		path, attr.Env = j.path, j.env
		if attr.Dir == "" {
			attr.Dir = j.dir
		}
		j.identity(attr.Sys)
		attr.Sys.Setpgid, attr.Sys.Setsid = false, true
		if err := noNewPrivs(); err != nil {
			return &startError{r.c.Path, err}
		}
	}
	if r.cg != nil && r.cg.cloneFD() >= 0 {
		attr.Sys.UseCgroupFD, attr.Sys.CgroupFD = true, r.cg.cloneFD()
	}
	argv := append([]string{r.c.Path}, r.c.Args...)
	pid, err := forkExec(path, argv, attr)
	if err != nil {
		if errors.Is(err, syscall.EPERM) {
			err = fmt.Errorf("%w (ptrace is needed to set limits before the first instruction)", err)
		}
		return &startError{r.c.Path, err}
	}
	r.pid = pid
	r.group.Store(int64(pid))
	if err := r.atExec(); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		r.reap()
		r.pid = 0 // reaped: nothing of it is left to kill
		r.group.Store(0)
		return err
	}
	return nil
}

// forkExec starts the program, registered as live before any search for
// orphans can see it. A just-written executable gives ETXTBSY while another
// goroutine's fork still holds it open for writing; that passes, so retry.
func forkExec(path string, argv []string, attr *syscall.ProcAttr) (int, error) {
	delay := 100 * time.Microsecond
	for try := 0; ; try++ {
		live.mu.RLock()
		pid, _, err := syscall.StartProcess(path, argv, attr)
		if err == nil {
			addLive(pid)
		}
		live.mu.RUnlock()
		if !errors.Is(err, syscall.ETXTBSY) || try == 12 {
			return pid, err
		}
		time.Sleep(delay)
		delay *= 2
	}
}

func lookPath(p string) (string, error) {
	if p == "" {
		return "", errors.New("no program given")
	}
	if strings.Contains(p, "/") {
		return p, nil
	}
	return exec.LookPath(p)
}

// atExec handles the exec stop: limits, cgroups, then release.
func (r *run) atExec() error {
	var ws unix.WaitStatus
	if _, err := wait4(r.pid, &ws, nil); err != nil {
		return fmt.Errorf("sandbox: wait for exec: %w", err)
	}
	if !ws.Stopped() || ws.StopSignal() != unix.SIGTRAP {
		return fmt.Errorf("sandbox: expected an exec stop, got wait status %#x", uint32(ws))
	}
	if err := r.setRlimits(); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if r.cg != nil {
		if err := r.cg.attach(r.pid); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	if r.traced {
		// Stay attached to read VmHWM at the exit stop; die with the harness.
		// TRACEEXEC turns a later execve into an event instead of a SIGTRAP
		// that would kill the program.
		opts := unix.PTRACE_O_TRACEEXIT | unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_EXITKILL
		if err := unix.PtraceSetOptions(r.pid, opts); err != nil {
			return fmt.Errorf("sandbox: ptrace options: %w", err)
		}
		r.began = time.Now()
		return unix.PtraceCont(r.pid, 0)
	}
	r.began = time.Now()
	return unix.PtraceDetach(r.pid)
}

func rlimitName(res int) string {
	switch res {
	case unix.RLIMIT_CPU:
		return "RLIMIT_CPU"
	case unix.RLIMIT_STACK:
		return "RLIMIT_STACK"
	case unix.RLIMIT_FSIZE:
		return "RLIMIT_FSIZE"
	case unix.RLIMIT_CORE:
		return "RLIMIT_CORE"
	case unix.RLIMIT_NPROC:
		return "RLIMIT_NPROC"
	}
	return "resource " + strconv.Itoa(res)
}

// rlimit is one resource limit to apply with prlimit.
type rlimit struct {
	res      int
	cur, max uint64
}

func (r *run) setRlimits() error {
	l := r.limits
	cpu := uint64((l.CPUTime+time.Second-1)/time.Second) + 1
	set := []rlimit{
		{unix.RLIMIT_CPU, cpu, cpu + 1}, // a backstop: the watchdog kills first
		{unix.RLIMIT_STACK, uint64(l.Stack), uint64(l.Stack)},
		{unix.RLIMIT_FSIZE, uint64(l.Output), uint64(l.Output)},
		{unix.RLIMIT_CORE, 0, 0},
	}
	if r.cg == nil || !r.cg.hasPids() {
		set = append(set, nproc(l.Processes))
	}
	for _, s := range set {
		lim := unix.Rlimit{Cur: s.cur, Max: s.max}
		if err := unix.Prlimit(r.pid, s.res, &lim, nil); err != nil {
			return fmt.Errorf("prlimit %s: %w", rlimitName(s.res), err)
		}
	}
	return nil
}

// nproc is the RLIMIT_NPROC for a run of n tasks without a pids cgroup. The
// limit counts every task of the user, not of the run, so it must allow for the
// ones that exist already; counting the user's would cost a walk of /proc per
// run, so it allows for all the machine's. It is a loose bound that keeps a
// fork bomb from taking the machine, not a precise one, and it does not bind
// root at all. It never exceeds the harness's own hard limit, which an
// ordinary user cannot raise.
func nproc(n int) rlimit {
	v := uint64(n + systemTasks())
	var own unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NPROC, &own) == nil && own.Max < v {
		v = own.Max
	}
	return rlimit{unix.RLIMIT_NPROC, v, v}
}

// systemTasks is the number of tasks on the machine, from /proc/loadavg.
func systemTasks() int {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 4 {
		return 0
	}
	_, total, _ := strings.Cut(f[3], "/")
	n, _ := strconv.Atoi(total)
	return n
}
