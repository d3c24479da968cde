package sandbox

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The program's own start: a vfork whose child sets the program's limits,
// joins its cgroups, takes its credentials, directory and descriptors, and
// execs it, untraced. Go's syscall.StartProcess does the same but for the
// limits and the cgroup moves, which the harness would then do at an exec
// stop (a ptrace round trip, prlimit from outside, a detach: some 80 us a
// case), or from a thread that joins the cgroups and leaves them again.
//
// The child shares the parent's memory and runs on its stack until its exec,
// while the parent's thread sleeps (CLONE_VFORK): it makes raw system calls
// only, on what the parent prepared, and writes nothing but integers back.
// This is what Go's own fork does (syscall.forkAndExecInChild1), with the
// runtime's own hooks around it.

// canVfork reports that this architecture has vforkExec.
const canVfork = true

//go:linkname runtime_BeforeFork syscall.runtime_BeforeFork
func runtime_BeforeFork()

//go:linkname runtime_AfterFork syscall.runtime_AfterFork
func runtime_AfterFork()

//go:linkname runtime_AfterForkInChild syscall.runtime_AfterForkInChild
func runtime_AfterForkInChild()

// rawVfork is the system call trap(a1, a2), a clone or clone3 whose child
// shares the caller's stack (see vfork_linux_amd64.s).
func rawVfork(trap, a1, a2 uintptr) (pid uintptr, errno uintptr)

// cloneArgs is the kernel's struct clone_args, as far as CLONE_INTO_CGROUP
// (its size then: CLONE_ARGS_SIZE_VER2; the cgroup is read only with that
// flag).
type cloneArgs struct {
	flags, pidfd, childTID, parentTID, exitSignal, stack, stackSize, tls, setTID, setTIDSize, cgroup uint64
}

// childStep is where a child stopped before its exec.
type childStep uintptr

const (
	stepFilter childStep = iota
	stepSession
	stepDeathSignal
	stepRlimit
	stepJoin
	stepGroups
	stepGID
	stepUID
	stepDir
	stepFiles
	stepExec
)

var stepNames = [...]string{"seccomp", "setsid", "parent-death signal", "setrlimit", "join its cgroups",
	"setgroups", "setresgid", "setresuid", "chdir", "descriptors", "exec"}

func (s childStep) String() string { return stepNames[s] }

// childSpec is what one child does between its vfork and its exec, ready
// for raw system calls. The child writes its last fields alone.
type childSpec struct {
	path       *byte
	argv, envv []*byte
	dir        *byte      // nil: the parent's
	files      []int      // become descriptors 0, 1, ...; -1: closed
	nextfd     int        // above every descriptor in files
	rlimits    []rlimit   // set on itself, each at most the harness's hard limit
	join       []int      // control files the child writes "0" to: v1 tasks, v2 cgroup.procs
	clone3     *cloneArgs // nil: a clone
	plain3     bool       // clone3 for CLONE_CLEAR_SIGHAND alone: a clone will do where it is refused
	sigmask    uint64     // the thread's signal mask, which the child of a clone3 restores
	denyClone3 bool
	noClone3   *unix.SockFprog
	setsid     bool
	setpgid    bool
	cred       bool // set groups, gid and uid
	groups     []uint32
	uid, gid   uintptr
	deathSig   uintptr
	ppid       uintptr
	zero       [1]byte

	// Written by the child.
	step             childStep
	errno            syscall.Errno
	joinedAt, execAt unix.Timespec // its thread clock before its joins and before its exec
}

// spawned is a program vforkExec started: its pid, the CPU time its process
// was charged before its exec (LaunchCPU), and the part of that charged
// before it joined its cgroups.
type spawned struct {
	pid          int
	launch, away time.Duration
}

// vforkExec starts path, the way attr says, with rlimits set and in its
// cgroups as into says, and returns once the program is in its exec. attr
// may ask for what this start does: Dir, Env, Files, Setsid, Setpgid,
// Pdeathsig and a Credential; anything else is refused. A failure before
// the exec says where it happened; the child is reaped.
func vforkExec(path string, argv []string, attr *syscall.ProcAttr, rlimits []rlimit, into cgroupEntry) (spawned, error) {
	s, err := newChildSpec(path, argv, attr, rlimits, into)
	if err != nil {
		return spawned{}, err
	}
	delay := 100 * time.Microsecond
	for try := 0; ; try++ {
		p, err := s.start()
		// A just-written executable gives ETXTBSY while another goroutine's
		// fork still holds it open for writing; that passes, so retry.
		if !errors.Is(err, syscall.ETXTBSY) || try == 12 {
			return p, err
		}
		time.Sleep(delay)
		delay *= 2
		s.files = fdsOf(attr.Files) // the child rewrote them, and nextfd
		s.nextfd = firstFree(s.files)
	}
}

func newChildSpec(path string, argv []string, attr *syscall.ProcAttr, rlimits []rlimit, into cgroupEntry) (*childSpec, error) {
	sys := attr.Sys
	if sys == nil {
		sys = &syscall.SysProcAttr{}
	}
	if sys.Ptrace || sys.Cloneflags != 0 || sys.Unshareflags != 0 || sys.UseCgroupFD || sys.Chroot != "" ||
		sys.Setctty || sys.Noctty || sys.Foreground || len(sys.UidMappings)+len(sys.GidMappings)+len(sys.AmbientCaps) > 0 ||
		sys.PidFD != nil || sys.Pgid != 0 || sys.Ctty != 0 || sys.Credential != nil && sys.Credential.NoSetGroups {
		return nil, errors.New("sandbox: vforkExec cannot start a process so")
	}
	s := &childSpec{
		files:      fdsOf(attr.Files),
		join:       into.join,
		denyClone3: into.denyClone3,
		setsid:     sys.Setsid,
		setpgid:    sys.Setpgid,
		deathSig:   uintptr(sys.Pdeathsig),
		ppid:       uintptr(ownPID()),
	}
	s.zero[0] = '0'
	// CLONE_CLEAR_SIGHAND (Linux 5.5) has the kernel set the child's signal
	// handlers back to their defaults, which Go's runtime does in the child
	// with a system call a signal (58 here; see BenchmarkVforkStart).
	const vfork3 = unix.CLONE_VM | unix.CLONE_VFORK | unix.CLONE_CLEAR_SIGHAND
	switch {
	case into.fd >= 0: // Linux 5.7
		s.join = nil
		s.clone3 = &cloneArgs{flags: vfork3 | unix.CLONE_INTO_CGROUP, cgroup: uint64(into.fd)}
	case into.clone3 && !clone3Refused.Load():
		s.clone3, s.plain3 = &cloneArgs{flags: vfork3}, true
	}
	if s.denyClone3 {
		s.noClone3 = noClone3Filter()
	}
	var err error
	if s.path, err = syscall.BytePtrFromString(path); err != nil {
		return nil, err
	}
	if s.argv, err = syscall.SlicePtrFromStrings(argv); err != nil {
		return nil, err
	}
	if s.envv, err = syscall.SlicePtrFromStrings(attr.Env); err != nil {
		return nil, err
	}
	if attr.Dir != "" {
		if s.dir, err = syscall.BytePtrFromString(attr.Dir); err != nil {
			return nil, err
		}
	}
	s.nextfd = firstFree(s.files)
	for _, l := range rlimits {
		own, err := ownRlimit(l.res)
		if err != nil {
			return nil, fmt.Errorf("sandbox: getrlimit %s: %w", rlimitName(l.res), err)
		}
		s.rlimits = append(s.rlimits, rlimit{l.res, min(l.cur, own.Max), min(l.max, own.Max)})
	}
	if c := sys.Credential; c != nil {
		s.cred, s.uid, s.gid = true, uintptr(c.Uid), uintptr(c.Gid)
		s.groups = c.Groups
	}
	return s, nil
}

// firstFree is a descriptor above every one of files and their places.
func firstFree(files []int) int {
	n := len(files)
	for _, fd := range files {
		n = max(n, fd+1)
	}
	return n
}

func fdsOf(files []uintptr) []int {
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i] = int(f)
	}
	return fds
}

// forking counts the vforks under way. The first takes syscall.ForkLock
// for them all, as Go's own forks share it: no descriptor made without
// close-on-exec elsewhere in the process (under ForkLock.RLock) reaches a
// program, while starts run side by side.
var forking struct {
	sync.Mutex
	n int
}

func acquireForkLock() {
	forking.Lock()
	if forking.n == 0 {
		syscall.ForkLock.Lock()
	}
	forking.n++
	forking.Unlock()
}

func releaseForkLock() {
	forking.Lock()
	if forking.n--; forking.n == 0 {
		syscall.ForkLock.Unlock()
	}
	forking.Unlock()
}

// clone3Refused is set once a clone3 for CLONE_CLEAR_SIGHAND alone was
// refused (ENOSYS or EPERM from a seccomp profile, EINVAL from a kernel
// before 5.5): that start and every later one clone.
var clone3Refused atomic.Bool

// start runs one child; a child that failed is reaped.
func (s *childSpec) start() (spawned, error) {
	s.step, s.errno, s.joinedAt = 0, 0, unix.Timespec{}
	// The order of forkExec's: live, then ForkLock (in StartProcess).
	live.mu.RLock()
	acquireForkLock()
	pid, err := s.vfork()
	if s.plain3 && (err == unix.ENOSYS || err == unix.EINVAL || err == unix.EPERM) {
		clone3Refused.Store(true)
		s.clone3, s.plain3 = nil, false
		pid, err = s.vfork()
	}
	releaseForkLock()
	if err == 0 && s.errno == 0 {
		addLive(pid)
	}
	live.mu.RUnlock()
	if err != 0 {
		return spawned{}, fmt.Errorf("vfork: %w", err)
	}
	if s.errno != 0 {
		var ws unix.WaitStatus
		wait4(pid, &ws, nil)
		if s.step == stepExec {
			return spawned{}, s.errno
		}
		return spawned{}, fmt.Errorf("%v: %w", s.step, s.errno)
	}
	return spawned{
		pid:    pid,
		launch: time.Duration(s.execAt.Nano()),
		away:   time.Duration(s.joinedAt.Nano()),
	}, nil
}

// vfork forks the child, which does what s says and execs; it returns
// once the child is in its exec, or has failed (s.errno) and exited.
//
//go:norace
//go:nocheckptr
//go:noinline
func (s *childSpec) vfork() (pid int, errno syscall.Errno) {
	var (
		r1, e0 uintptr
		e1     syscall.Errno
		i, fd  int
		lim    unix.Rlimit
	)
	if s.clone3 != nil {
		// The mask Go's runtime saves in runtime_BeforeFork, which blocks
		// every signal until the fork is done.
		syscall.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, 0, uintptr(unsafe.Pointer(&s.sigmask)), 8, 0, 0)
	}
	runtime_BeforeFork()
	// No exit signal: the harness waits for its programs (__WALL), and a
	// SIGCHLD would wake a thread of its to run Go's handler for nothing.
	if s.clone3 != nil {
		r1, e0 = rawVfork(unix.SYS_CLONE3, uintptr(unsafe.Pointer(s.clone3)), unsafe.Sizeof(*s.clone3))
	} else {
		r1, e0 = rawVfork(unix.SYS_CLONE, unix.CLONE_VM|unix.CLONE_VFORK, 0)
	}
	if e0 != 0 || r1 != 0 {
		runtime_AfterFork()
		return int(r1), syscall.Errno(e0)
	}

	// The child. Its signal handlers back at their defaults (by the kernel
	// after a clone3, else by Go's runtime), then its signal mask the
	// thread's.
	if s.clone3 != nil {
		syscall.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&s.sigmask)), 0, 8, 0, 0)
	} else {
		runtime_AfterForkInChild()
	}
	if s.denyClone3 {
		s.step = stepFilter
		if _, _, e1 = syscall.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(s.noClone3))); e1 != 0 {
			goto fail
		}
	}
	s.step = stepSession
	if s.setsid {
		if _, _, e1 = syscall.RawSyscall(unix.SYS_SETSID, 0, 0, 0); e1 != 0 {
			goto fail
		}
	}
	if s.setpgid {
		if _, _, e1 = syscall.RawSyscall(unix.SYS_SETPGID, 0, 0, 0); e1 != 0 {
			goto fail
		}
	}
	s.step = stepRlimit
	for i = 0; i < len(s.rlimits); i++ {
		lim.Cur, lim.Max = s.rlimits[i].cur, s.rlimits[i].max
		if _, _, e1 = syscall.RawSyscall6(unix.SYS_PRLIMIT64, 0, uintptr(s.rlimits[i].res), uintptr(unsafe.Pointer(&lim)), 0, 0, 0); e1 != 0 {
			goto fail
		}
	}
	// Into the cgroups: a task moving itself alone ("0" in a v1 tasks file)
	// spares the kernel the process-wide lock a move of another takes.
	s.step = stepJoin
	// Its clock before it joins: the CPU time its cgroups did not see, none
	// when it was born there (CLONE_INTO_CGROUP).
	if s.clone3 == nil || s.clone3.flags&unix.CLONE_INTO_CGROUP == 0 {
		syscall.RawSyscall(unix.SYS_CLOCK_GETTIME, unix.CLOCK_THREAD_CPUTIME_ID, uintptr(unsafe.Pointer(&s.joinedAt)), 0)
	}
	for i = 0; i < len(s.join); i++ {
		if _, _, e1 = syscall.RawSyscall(unix.SYS_WRITE, uintptr(s.join[i]), uintptr(unsafe.Pointer(&s.zero[0])), 1); e1 != 0 {
			goto fail
		}
	}
	if s.cred {
		s.step = stepGroups
		if len(s.groups) == 0 {
			_, _, e1 = syscall.RawSyscall(unix.SYS_SETGROUPS, 0, 0, 0)
		} else {
			_, _, e1 = syscall.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(s.groups)), uintptr(unsafe.Pointer(&s.groups[0])), 0)
		}
		if e1 != 0 {
			goto fail
		}
		s.step = stepGID
		if _, _, e1 = syscall.RawSyscall(unix.SYS_SETRESGID, s.gid, s.gid, s.gid); e1 != 0 {
			goto fail
		}
		s.step = stepUID
		if _, _, e1 = syscall.RawSyscall(unix.SYS_SETRESUID, s.uid, s.uid, s.uid); e1 != 0 {
			goto fail
		}
	}
	s.step = stepDir
	if s.dir != nil {
		if _, _, e1 = syscall.RawSyscall(unix.SYS_CHDIR, uintptr(unsafe.Pointer(s.dir)), 0, 0); e1 != 0 {
			goto fail
		}
	}
	// After the ids, whose change clears it.
	s.step = stepDeathSignal
	if s.deathSig != 0 {
		if _, _, e1 = syscall.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, s.deathSig, 0, 0, 0, 0); e1 != 0 {
			goto fail
		}
		// A parent gone before the signal was set: no program.
		if r1, _, _ = syscall.RawSyscall(unix.SYS_GETPPID, 0, 0, 0); r1 != s.ppid {
			syscall.RawSyscall(unix.SYS_EXIT_GROUP, 253, 0, 0)
		}
	}
	// The descriptors, as Go's fork does them: those that would be
	// overwritten first moved above them all, then each to its place.
	s.step = stepFiles
	for i = 0; i < len(s.files); i++ {
		if s.files[i] >= 0 && s.files[i] < i {
			if _, _, e1 = syscall.RawSyscall(unix.SYS_DUP3, uintptr(s.files[i]), uintptr(s.nextfd), unix.O_CLOEXEC); e1 != 0 {
				goto fail
			}
			s.files[i] = s.nextfd
			s.nextfd++
		}
	}
	for i = 0; i < len(s.files); i++ {
		fd = s.files[i]
		switch {
		case fd < 0:
			syscall.RawSyscall(unix.SYS_CLOSE, uintptr(i), 0, 0)
			continue
		case fd == i:
			_, _, e1 = syscall.RawSyscall(unix.SYS_FCNTL, uintptr(fd), unix.F_SETFD, 0)
		default:
			_, _, e1 = syscall.RawSyscall(unix.SYS_DUP3, uintptr(fd), uintptr(i), 0)
		}
		if e1 != 0 {
			goto fail
		}
	}
	for i = len(s.files); i < 3; i++ {
		syscall.RawSyscall(unix.SYS_CLOSE, uintptr(i), 0, 0)
	}
	s.step = stepExec
	syscall.RawSyscall(unix.SYS_CLOCK_GETTIME, unix.CLOCK_THREAD_CPUTIME_ID, uintptr(unsafe.Pointer(&s.execAt)), 0)
	_, _, e1 = syscall.RawSyscall(unix.SYS_EXECVE, uintptr(unsafe.Pointer(s.path)),
		uintptr(unsafe.Pointer(&s.argv[0])), uintptr(unsafe.Pointer(&s.envv[0])))
fail:
	s.errno = e1
	for {
		syscall.RawSyscall(unix.SYS_EXIT_GROUP, 253, 0, 0)
	}
}
