package sandbox

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/sys/unix"
)

// The launcher is this executable started again inside a box, as the
// program's uid, between the harness's fork and the program: it sets the
// program's rlimits on itself (lowering a limit takes no privilege, while
// prlimit on another uid takes CAP_SYS_RESOURCE, which a container's root may
// lack), installs the seccomp filter, and execs the program. Its arguments:
// the rlimits as RES:CUR:MAX,..., the program's path, and its argv. What
// goes wrong is written on descriptor 3, which the exec closes.
//
// The harness traces it: the program's exec stops it, and only there does
// the run's clock start and the program join its cgroup, so the launcher's
// own time and memory are in no figure of the run.

// runRole runs this process as a holder or a launcher when it was started as
// one, and never returns then.
func runRole() {
	switch os.Args[0] {
	case holderArg0:
		holderMain()
	case launcherArg0:
		launcherMain()
	}
}

func init() { runRole() }

// launcherArgs are the arguments of a launcher that runs path with argv
// under set.
func launcherArgs(set []rlimit, path string, argv []string) []string {
	limits := make([]string, len(set))
	for i, s := range set {
		limits[i] = fmt.Sprintf("%d:%d:%d", s.res, s.cur, s.max)
	}
	return append([]string{launcherArg0, strings.Join(limits, ","), path}, argv...)
}

func launcherMain() {
	runtime.LockOSThread() // the filter is this thread's, and the exec's
	report := os.NewFile(3, "report")
	fail := func(code int, err error) {
		report.WriteString(err.Error())
		os.Exit(code)
	}
	if len(os.Args) < 4 {
		fail(126, errors.New("launcher: too few arguments"))
	}
	if err := setOwnRlimits(os.Args[1]); err != nil {
		fail(126, fmt.Errorf("launcher: %w", err))
	}
	if err := loadFilter(); err != nil {
		fail(126, fmt.Errorf("launcher: seccomp: %w", err))
	}
	unix.CloseOnExec(3)
	err := unix.Exec(os.Args[2], os.Args[3:], os.Environ())
	fail(127, err)
}

// setOwnRlimits sets the limits spec gives, RES:CUR:MAX,..., on this process,
// never above its own hard limits.
func setOwnRlimits(spec string) error {
	for item := range strings.SplitSeq(spec, ",") {
		if item == "" {
			continue
		}
		f := strings.Split(item, ":")
		if len(f) != 3 {
			return fmt.Errorf("bad rlimit %q", item)
		}
		res, err1 := strconv.Atoi(f[0])
		cur, err2 := strconv.ParseUint(f[1], 10, 64)
		max, err3 := strconv.ParseUint(f[2], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return fmt.Errorf("bad rlimit %q: %w", item, err)
		}
		var own unix.Rlimit
		if err := unix.Getrlimit(res, &own); err != nil {
			return err
		}
		lim := unix.Rlimit{Cur: min(cur, own.Max), Max: min(max, own.Max)}
		if err := unix.Setrlimit(res, &lim); err != nil {
			return fmt.Errorf("setrlimit %s: %w", rlimitName(res), err)
		}
	}
	return nil
}

// deniedSyscalls fail with EPERM under the filter: what would leave or
// reach beyond the box (namespaces, mounts, root changes), trace or read
// other processes, reach the kernel's keyrings, BPF and performance counters,
// load modules or kernels, or touch the clock, swap, accounting and the
// console. Names the architecture lacks are skipped.
var deniedSyscalls = []string{
	"unshare", "setns", "mount", "umount", "umount2", "pivot_root", "chroot",
	"open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
	"keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "fanotify_init",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "quotactl", "quotactl_fd",
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"reboot", "swapon", "swapoff", "acct", "syslog", "vhangup", "iopl", "ioperm",
	"settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime", "clock_adjtime64", "adjtimex",
	"sethostname", "setdomainname",
}

// namespaceFlags are the clone flags that make a namespace.
const namespaceFlags = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC |
	unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET

// filterPolicy is the seccomp policy of a boxed program: everything allowed
// but deniedSyscalls, clone with a namespace flag (EPERM), and clone3, whose
// flags a filter cannot read (ENOSYS: the C library falls back to clone).
func filterPolicy() (seccomp.Policy, error) {
	info, err := arch.GetInfo("")
	if err != nil {
		return seccomp.Policy{}, err
	}
	var names []string
	for _, name := range deniedSyscalls {
		if _, ok := info.SyscallNames[name]; ok {
			names = append(names, name)
		}
	}
	return seccomp.Policy{
		DefaultAction: seccomp.ActionAllow,
		Syscalls: []seccomp.SyscallGroup{
			{Action: seccomp.ActionErrno | seccomp.Action(unix.ENOSYS), Names: []string{"clone3"}},
			{Action: seccomp.ActionErrno, Names: names, NamesWithCondtions: []seccomp.NameWithConditions{{
				Name:       "clone",
				Conditions: seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.BitsSet, Value: namespaceFlags}},
			}}},
		},
	}, nil
}

// loadFilter installs the boxed program's filter on the calling thread. The
// thread must have no_new_privs (the harness's launching thread set it).
func loadFilter() error {
	policy, err := filterPolicy()
	if err != nil {
		return err
	}
	return seccomp.LoadFilter(seccomp.Filter{NoNewPrivs: true, Policy: policy})
}
