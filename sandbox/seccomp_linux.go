package sandbox

import (
	"errors"
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The seccomp filter of a boxed program, a classic BPF program written here
// (the sandbox takes no dependency but x/sys/unix): everything is allowed
// but deniedSyscalls (EPERM), clone with a namespace flag (EPERM), clone3,
// whose flags a filter cannot read (ENOSYS: the C library falls back to
// clone), and any system call of another ABI (ENOSYS), whose numbers differ.
// A start thread that clones programs into their cgroups by clone3 has the
// filter without the clone3 rule, and each of its children loads
// noClone3Filter before anything else.

// deniedSyscalls fail with EPERM under the filter: what would leave or reach
// beyond the box (namespaces, mounts, root changes), trace or read other
// processes, reach the kernel's keyrings, BPF and performance counters, load
// modules or kernels, touch the clock, swap, accounting and the console, or
// move off the CPUs it was pinned to.
// archDenied adds the architecture's own.
var deniedSyscalls = append([]uintptr{
	unix.SYS_UNSHARE, unix.SYS_SETNS, unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_CHROOT,
	unix.SYS_OPEN_TREE, unix.SYS_MOVE_MOUNT, unix.SYS_FSOPEN, unix.SYS_FSCONFIG, unix.SYS_FSMOUNT, unix.SYS_FSPICK,
	unix.SYS_MOUNT_SETATTR,
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV, unix.SYS_KCMP, unix.SYS_PIDFD_GETFD,
	unix.SYS_KEYCTL, unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY, unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN,
	unix.SYS_USERFAULTFD, unix.SYS_FANOTIFY_INIT,
	unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER,
	unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_NAME_TO_HANDLE_AT, unix.SYS_LOOKUP_DCOOKIE, unix.SYS_QUOTACTL,
	unix.SYS_KEXEC_LOAD, unix.SYS_KEXEC_FILE_LOAD, unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE,
	unix.SYS_REBOOT, unix.SYS_SWAPON, unix.SYS_SWAPOFF, unix.SYS_ACCT, unix.SYS_SYSLOG, unix.SYS_VHANGUP,
	unix.SYS_SETTIMEOFDAY, unix.SYS_CLOCK_SETTIME, unix.SYS_CLOCK_ADJTIME, unix.SYS_ADJTIMEX,
	unix.SYS_SETHOSTNAME, unix.SYS_SETDOMAINNAME,
	unix.SYS_SCHED_SETAFFINITY, // leave the CPU a pinned case was given
}, archDenied...)

// namespaceFlags are the clone flags that make a namespace.
const namespaceFlags = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC |
	unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWTIME

// Offsets in struct seccomp_data.
const (
	seccompNr   = 0
	seccompArch = 4
	seccompArg0 = 16 // the low 32 bits on a little-endian machine
)

// filterProgram builds the filter for this architecture. With tracedStart,
// ptrace is allowed two requests, so that a thread under the filter can fork
// the program traced and release it at its exec (see startInBox):
// PTRACE_TRACEME, which only makes a process's own parent its tracer, and
// PTRACE_DETACH, which only lets go of a tracee one already has. Neither
// reaches a process that did not ask; attaching (PTRACE_ATTACH, SEIZE) and
// every look into or change of a tracee (PEEK, POKE, GETREGS, ...) stay
// denied.
// With allowClone3 clone3 is let through (see noClone3Filter).
func filterProgram(tracedStart, allowClone3 bool) ([]unix.SockFilter, error) {
	if auditArch == 0 {
		return nil, errors.New("no seccomp filter for " + runtime.GOARCH)
	}
	stmt := func(code uint16, k uint32) unix.SockFilter { return unix.SockFilter{Code: code, K: k} }
	jump := func(code uint16, k uint32, jt, jf uint8) unix.SockFilter {
		return unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k}
	}
	const (
		ld     = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq    = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		jge    = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
		jset   = unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K
		ret    = unix.BPF_RET | unix.BPF_K
		allow  = unix.SECCOMP_RET_ALLOW
		eperm  = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
		enosys = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
	)
	p := []unix.SockFilter{
		stmt(ld, seccompArch),
		jump(jeq, auditArch, 1, 0),
		stmt(ret, enosys),
		stmt(ld, seccompNr),
	}
	if syscallBit != 0 { // x32's numbers, on x86-64
		p = append(p, jump(jge, syscallBit, 0, 1), stmt(ret, enosys))
	}
	if tracedStart {
		p = append(p,
			jump(jeq, unix.SYS_PTRACE, 0, 4),
			stmt(ld, seccompArg0),
			jump(jeq, unix.PTRACE_TRACEME, 1, 0),
			jump(jeq, unix.PTRACE_DETACH, 0, 1),
			stmt(ret, allow),
			// not one of the two: on to the denied list, which has ptrace
			stmt(ld, seccompNr),
		)
	}
	if !allowClone3 {
		p = append(p, jump(jeq, unix.SYS_CLONE3, 0, 1), stmt(ret, enosys))
	}
	p = append(p,
		jump(jeq, unix.SYS_CLONE, 0, 4),
		stmt(ld, seccompArg0),
		jump(jset, namespaceFlags, 0, 1), stmt(ret, eperm),
		stmt(ret, allow),
	)
	for _, nr := range deniedSyscalls {
		p = append(p, jump(jeq, uint32(nr), 0, 1), stmt(ret, eperm))
	}
	return append(p, stmt(ret, allow)), nil
}

// loadFilter installs the boxed program's filter on the calling thread, which
// has no_new_privs (the harness's launching thread set it, and exec keeps
// it). What the thread execs, or forks, keeps the filter. tracedStart is as
// for filterProgram, and allowClone3.
func loadFilter(tracedStart, allowClone3 bool) error {
	prog, err := filterProgram(tracedStart, allowClone3)
	if err != nil {
		return err
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if _, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog))); errno != 0 {
		return errno
	}
	runtime.KeepAlive(prog)
	return nil
}

// noClone3Filter is a filter of clone3 alone (ENOSYS, as the box's own
// filter answers it), which a child of a start thread whose filter let
// clone3 through loads on itself, before it runs anything of the program's:
// filters stack, and the program keeps both. It is small, so its load costs
// the kernel little.
var noClone3Filter = sync.OnceValue(func() *unix.SockFprog {
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: seccompNr},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: unix.SYS_CLONE3},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	return &unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
})
