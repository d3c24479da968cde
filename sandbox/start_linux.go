package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// start forks and execs the program. Where its child can set its rlimits and
// join its cgroups itself (see vforks), it does, and the program runs from
// its exec untraced. Else the program is traced, so that it stops at its
// exec before its first instruction; there it gets its rlimits and its
// cgroups, and only then is it released. At IsolationNamespaces the child is
// born in its box: measured by a cgroup, from a thread that took the
// program's seccomp filter itself (see startInBox); else it execs a launcher
// first, which sets the rlimits and the seccomp filter on itself and execs
// the program, and the harness waits for that second exec. Unless the
// program starts in its box (whose start thread is its parent), the caller
// has locked its goroutine to its OS thread: that thread is the parent, and
// the tracer.
func (r *run) start(files []uintptr) error {
	path := r.path
	argv := append([]string{r.c.Path}, r.c.Args...)
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
	var report, w *os.File // the launcher's account of its failure
	if j := r.jail; j != nil {
		// A uid of its own, a session of its own (no controlling terminal,
		// a process group still led by the program), its own directory and
		// environment, and no_new_privs from this thread.
		path, attr.Env = j.path, j.env
		if attr.Dir == "" || j.box != nil {
			attr.Dir = j.dir
		}
		j.identity(attr.Sys)
		attr.Sys.Setpgid, attr.Sys.Setsid = false, true
		if r.startsInBox() {
			return r.startInBox(path, argv, attr)
		}
		if err := noNewPrivs(); err != nil {
			return &startError{r.c.Path, err}
		}
		if j.box != nil {
			var err error
			if report, w, err = os.Pipe(); err != nil {
				return &startError{r.c.Path, err}
			}
			defer report.Close()
			attr.Files = append(slices.Clone(files), w.Fd())
			// Go's child kills itself when its parent's pid is not the one
			// it knew, and from inside a PID namespace the parent has none:
			// the launcher sets the parent-death signal.
			attr.Sys.Pdeathsig = 0
			argv = launcherArgs(r.rlimits(), path, argv)
			path = boxLauncher
		}
	}
	if r.vforks() { // outside a box: a boxed one started in startInBox
		attr.Sys.Ptrace = false
		if err := r.startAlone(path, argv, attr, false); err != nil {
			return &startError{r.c.Path, err}
		}
		return nil
	}
	if r.cg != nil && r.cg.cloneFD() >= 0 && (r.jail == nil || r.jail.box == nil) {
		attr.Sys.UseCgroupFD, attr.Sys.CgroupFD = true, r.cg.cloneFD()
		r.cloned = true
	}
	joined := false
	if r.startJoins() {
		var err error
		if joined, err = r.joinCgroups(); err != nil {
			return err
		}
	}
	pid, err := r.forkExec(path, argv, attr)
	if joined {
		if lerr := r.leaveCgroups(); lerr != nil {
			if err == nil {
				abandon(pid)
			}
			return lerr
		}
	}
	if w != nil {
		w.Close() // the launcher has its copy
	}
	if err != nil {
		if errors.Is(err, syscall.EPERM) {
			err = fmt.Errorf("%w (ptrace is needed to set limits before the first instruction)", err)
		}
		return &startError{r.c.Path, err}
	}
	r.pid = pid
	r.group.Store(int64(pid))
	if err := r.atExec(report); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		r.reap()
		r.pid = 0 // reaped: nothing of it is left to kill
		r.group.Store(0)
		return err
	}
	return nil
}

// forkExec starts the program; at IsolationNamespaces from inside the box's
// namespaces, which this thread enters for the fork and leaves after it.
func (r *run) forkExec(path string, argv []string, attr *syscall.ProcAttr) (int, error) {
	j := r.jail
	if j == nil || j.box == nil {
		return forkExec(path, argv, attr)
	}
	if err := j.box.enter(); err != nil {
		leave()
		return 0, err
	}
	pid, err := forkExec(path, argv, attr)
	if lerr := leave(); lerr != nil {
		if err == nil {
			abandon(pid)
		}
		return 0, lerr
	}
	return pid, err
}

// abandon kills, reaps and forgets a program just forked that cannot be
// run: its start thread could not leave the box or the run's cgroups.
func abandon(pid int) {
	unix.Kill(pid, unix.SIGKILL)
	var ws unix.WaitStatus
	wait4(pid, &ws, nil)
	removeLive(pid)
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

// atExec handles the exec stop: limits, cgroups, then release. report, when
// there is one, is the launcher's: the stop awaited is the program's exec,
// after the launcher's.
func (r *run) atExec(report *os.File) error {
	var ws unix.WaitStatus
	if _, err := wait4(r.pid, &ws, nil); err != nil {
		return fmt.Errorf("sandbox: wait for exec: %w", err)
	}
	if !ws.Stopped() || ws.StopSignal() != unix.SIGTRAP {
		return fmt.Errorf("sandbox: expected an exec stop, got wait status %#x", uint32(ws))
	}
	if report != nil {
		if err := r.throughLauncher(report); err != nil {
			return err
		}
	}
	r.res.LaunchCPU, _ = processClock(r.pid)
	if report == nil {
		if err := r.setRlimits(); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	if r.cg != nil && !r.cloned && !r.bornIn {
		if err := r.cg.attach(r.pid); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	r.pinCPUs()
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

// throughLauncher lets the launcher, stopped at its own exec, run until the
// program's exec stops it. A launcher that exits instead failed: what it
// wrote to report says why, and its exit stays to be reaped.
func (r *run) throughLauncher(report *os.File) error {
	if err := unix.PtraceSetOptions(r.pid, unix.PTRACE_O_TRACEEXEC|unix.PTRACE_O_EXITKILL); err != nil {
		return fmt.Errorf("sandbox: ptrace options: %w", err)
	}
	sig := 0
	for {
		if err := unix.PtraceCont(r.pid, sig); err != nil {
			return fmt.Errorf("sandbox: launcher: %w", err)
		}
		var info unix.Siginfo
		if err := unix.Waitid(unix.P_PID, r.pid, &info, unix.WEXITED|unix.WSTOPPED|unix.WNOWAIT|unix.WALL, nil); err != nil {
			if err == unix.EINTR {
				sig = 0
				continue
			}
			return fmt.Errorf("sandbox: wait for exec: %w", err)
		}
		if info.Code != cldTrapped && info.Code != cldStopped {
			why, _ := io.ReadAll(report)
			if len(why) == 0 {
				why = []byte("launcher ended before the program's exec")
			}
			return &startError{r.c.Path, errors.New(strings.TrimSpace(string(why)))}
		}
		var ws unix.WaitStatus
		if _, err := wait4(r.pid, &ws, nil); err != nil {
			return fmt.Errorf("sandbox: wait for exec: %w", err)
		}
		if ws.StopSignal() == unix.SIGTRAP && ws.TrapCause() == unix.PTRACE_EVENT_EXEC {
			return nil
		}
		sig = int(ws.StopSignal()) // the launcher's own signals (the Go runtime's) pass on
		if sig == int(unix.SIGSTOP) || sig == int(unix.SIGTRAP) {
			sig = 0
		}
	}
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
	case unix.RLIMIT_NOFILE:
		return "RLIMIT_NOFILE"
	}
	return "resource " + strconv.Itoa(res)
}

// rlimit is one resource limit to apply with prlimit.
type rlimit struct {
	res      int
	cur, max uint64
}

// setRlimits gives the stopped program its rlimits.
func (r *run) setRlimits() error {
	for _, s := range r.rlimits() {
		lim := unix.Rlimit{Cur: s.cur, Max: s.max}
		if err := unix.Prlimit(r.pid, s.res, &lim, nil); err != nil {
			return fmt.Errorf("prlimit %s: %w", rlimitName(s.res), err)
		}
	}
	return nil
}

// rlimits are the run's resource limits.
func (r *run) rlimits() []rlimit {
	l := r.limits
	cpu := uint64((l.CPUTime+time.Second-1)/time.Second) + 1
	set := []rlimit{
		{unix.RLIMIT_CPU, cpu, cpu + 1}, // a backstop: the watchdog kills first
		{unix.RLIMIT_STACK, uint64(l.Stack), uint64(l.Stack)},
		{unix.RLIMIT_FSIZE, uint64(l.Output), uint64(l.Output)},
		{unix.RLIMIT_CORE, 0, 0},
		openFiles(),
	}
	if r.cg == nil || !r.cg.hasPids() {
		set = append(set, nproc(l.Processes))
	}
	return set
}

// maxOpenFiles is a program's RLIMIT_NOFILE, soft and hard: a shell's usual
// soft limit. Go raises its own soft limit to the hard one as it starts, and
// its fork gives a child back the limit it started with; judgebench's own
// start (see vforkExec) cannot read that, so every start sets this one, and
// a program's limit does not depend on how the harness was started.
const maxOpenFiles = 1024

// openFiles is the RLIMIT_NOFILE of a run: maxOpenFiles, or the harness's
// own hard limit when that is lower.
func openFiles() rlimit { return atMostOwn(unix.RLIMIT_NOFILE, maxOpenFiles) }

// atMostOwn is rlimit res at v, soft and hard, or at the harness's own hard
// limit of res when that is lower: an ordinary user cannot raise it.
func atMostOwn(res int, v uint64) rlimit {
	if own, err := ownRlimit(res); err == nil && own.Max < v {
		v = own.Max
	}
	return rlimit{res, v, v}
}

// nproc is the RLIMIT_NPROC for a run of n tasks without a pids cgroup. The
// limit counts every task of the user, not of the run, so it must allow for the
// ones that exist already; counting the user's would cost a walk of /proc per
// run, so it allows for all the machine's. It is a loose bound that keeps a
// fork bomb from taking the machine, not a precise one, and it does not bind
// root at all. It never exceeds the harness's own hard limit.
func nproc(n int) rlimit { return atMostOwn(unix.RLIMIT_NPROC, uint64(n+systemTasks())) }

// tasksSeen is systemTasks' last count and when it was read.
var tasksSeen struct {
	sync.Mutex
	n  int
	at time.Time
}

// systemTasks is the number of tasks on the machine, from /proc/loadavg,
// read at most every 100ms: the limit it makes is a loose bound anyway,
// whose slack (every task of the machine, not only the run's user's) is far
// more than a user's tasks grow by in that time.
func systemTasks() int {
	tasksSeen.Lock()
	defer tasksSeen.Unlock()
	if now := time.Now(); tasksSeen.at.IsZero() || now.Sub(tasksSeen.at) > 100*time.Millisecond {
		tasksSeen.n, tasksSeen.at = readTasks(), now
	}
	return tasksSeen.n
}

// readTasks reads the number of tasks on the machine from /proc/loadavg.
func readTasks() int {
	data, err := readOnce("/proc/loadavg")
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
