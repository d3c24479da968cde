package scenarios

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// attacks are what a hostile submission tries against the judge, by name.
// Each tries one thing without doing harm when it is allowed (a signal 0, a
// file opened and closed), and returns nil when it was allowed.
var attacks = map[string]func() error{
	// read a secret of the host: /etc/shadow, or the file named by
	// JUDGEBENCH_SECRET (a host without /etc/shadow, a test's own secret)
	"readshadow": func() error {
		path := "/etc/shadow"
		if p := os.Getenv("JUDGEBENCH_SECRET"); p != "" {
			path = p
		}
		return openClose(path, os.O_RDONLY)
	},
	// write where the system keeps its files
	"writeetc": func() error {
		f, err := os.CreateTemp("/etc", "judgebench-attack-")
		if err == nil {
			f.Close()
			os.Remove(f.Name())
		}
		return err
	},
	// signal the harness (a kill or a stop would take it down)
	"signalparent": func() error {
		ppid := os.Getppid()
		if ppid == 0 {
			// From a PID namespace whose parent is outside, and kill(0)
			// would signal the program's own group.
			return errors.New("no parent in sight")
		}
		return unix.Kill(ppid, 0)
	},
	// trace the harness
	"traceparent": func() error {
		ppid := os.Getppid()
		if err := unix.PtraceAttach(ppid); err != nil {
			return err
		}
		return errors.Join(unix.PtraceDetach(ppid), errors.New("attached"))
	},
	// write the harness's memory
	"parentmem": func() error { return openClose(fmt.Sprintf("/proc/%d/mem", os.Getppid()), os.O_WRONLY) },
	// write to the harness's stdout: a process-model worker's outcome
	"parentstdout": func() error { return openClose(fmt.Sprintf("/proc/%d/fd/1", os.Getppid()), os.O_WRONLY) },
	// raise its own cgroup's limits, or leave its cgroup
	"owncgroup": func() error {
		files, err := ownCgroupFiles()
		if err != nil {
			return err
		}
		var errs []error
		for _, f := range files {
			if err := openClose(f, os.O_WRONLY); err == nil {
				return nil
			} else {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	},
	// use the operator's terminal (TIOCSTI would type into it)
	"terminal": func() error { return openClose("/dev/tty", os.O_RDWR) },
	// set the system clock (to what it is)
	"clock": func() error {
		var ts unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_REALTIME, &ts); err != nil {
			return err
		}
		return unix.ClockSettime(unix.CLOCK_REALTIME, &ts)
	},
	// find the path of its input, and with it the expected output's
	"stdinpath": func() error {
		target, err := os.Readlink("/proc/self/fd/0")
		if err != nil {
			return err
		}
		if !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "/memfd:") || strings.HasPrefix(target, "/dev/null") {
			return fmt.Errorf("stdin is %s: no path", target)
		}
		return nil
	},
	// read the expected output, whose path is in JUDGEBENCH_ANSWER: a
	// problem directory's N.out beside the N.in the program is given
	"answer": func() error { return openClose(os.Getenv("JUDGEBENCH_ANSWER"), os.O_RDONLY) },
	// list the directory it was run from: where a judge copies the programs
	// it runs, other submissions among them
	"siblings": func() error {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		_, err = os.ReadDir(filepath.Dir(exe))
		return err
	},
	// move off the CPU it was pinned to (to its own set, which is no move)
	"affinity": func() error {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil {
			return err
		}
		return unix.SchedSetaffinity(0, &set)
	},
	// make namespaces of its own, where it would be root
	"unshare": func() error { return unix.Unshare(unix.CLONE_NEWNS | unix.CLONE_NEWUTS) },
	// the same by clone: a child in a user namespace of its own, which exits
	// at once
	"clonens": func() error {
		return reapClone(unix.RawSyscall6(unix.SYS_CLONE, unix.CLONE_NEWUSER|uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0))
	},
	// clone3 at all, a child that exits at once: a filter cannot read its
	// flags, so where clone3 passes, a namespace flag would pass with it
	// (whether the kernel then allows user namespaces or not)
	"clone3": func() error {
		args := [8]uint64{0, 0, 0, 0, uint64(unix.SIGCHLD)} // struct clone_args, CLONE_ARGS_SIZE_VER0
		return reapClone(unix.RawSyscall(unix.SYS_CLONE3, uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args), 0))
	},
	// keep something for a later case, or meet another case, in an IPC
	// object: a System V shared memory segment, message queue or semaphore
	// set, or a POSIX message queue (each removed at once when made)
	"ipc": func() error {
		var errs []error
		made := func(err error) bool { errs = append(errs, err); return err == nil }
		if id, err := unix.SysvShmGet(unix.IPC_PRIVATE, 4096, unix.IPC_CREAT|0o600); made(err) {
			_, err := unix.SysvShmCtl(id, unix.IPC_RMID, nil)
			return err
		}
		if id, _, e := unix.RawSyscall(unix.SYS_MSGGET, unix.IPC_PRIVATE, unix.IPC_CREAT|0o600, 0); made(errnoErr(e)) {
			unix.RawSyscall(unix.SYS_MSGCTL, id, unix.IPC_RMID, 0)
			return nil
		}
		if id, _, e := unix.RawSyscall(unix.SYS_SEMGET, unix.IPC_PRIVATE, 1, unix.IPC_CREAT|0o600); made(errnoErr(e)) {
			unix.RawSyscall6(unix.SYS_SEMCTL, id, 0, unix.IPC_RMID, 0, 0, 0)
			return nil
		}
		name, err := unix.BytePtrFromString("judgebench-attack-" + strconv.Itoa(os.Getpid()))
		if err != nil {
			return err
		}
		fd, _, e := unix.RawSyscall6(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(name)), unix.O_CREAT|unix.O_EXCL|unix.O_RDWR|unix.O_CLOEXEC, 0o600, 0, 0, 0)
		if made(errnoErr(e)) {
			unix.Close(int(fd))
			unix.RawSyscall(unix.SYS_MQ_UNLINK, uintptr(unsafe.Pointer(name)), 0, 0)
			return nil
		}
		return errors.Join(errs...)
	},
	// mount over its /tmp (not run unisolated as root: it would succeed)
	"mount": func() error {
		if err := unix.Mount("judgebench-attack", "/tmp", "tmpfs", 0, ""); err != nil {
			return err
		}
		return unix.Unmount("/tmp", unix.MNT_DETACH)
	},
	// reach a service of the host: the TCP port in JUDGEBENCH_PORT on
	// 127.0.0.1
	"network": func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		port, err := strconv.Atoi(os.Getenv("JUDGEBENCH_PORT"))
		if err != nil {
			return fmt.Errorf("JUDGEBENCH_PORT: %w", err)
		}
		return unix.Connect(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}})
	},
	// a descriptor of the harness's besides 0, 1 and 2: what came through
	// exec is not close-on-exec, what the Go runtime opened since is
	"fds": func() error {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			return err
		}
		for _, e := range entries {
			fd, _ := strconv.Atoi(e.Name())
			if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); fd > 2 && err == nil && flags&unix.FD_CLOEXEC == 0 {
				target, _ := os.Readlink("/proc/self/fd/" + e.Name())
				fmt.Fprintf(os.Stderr, "fd %d is %s\n", fd, target)
				return nil
			}
		}
		return errors.New("only 0, 1 and 2")
	},
}

// attack tries one attack (see attacks) and says what happened: exit 0 when
// it succeeded, an error (exit 2) when it was stopped.
func attack(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 1, 1); err != nil {
		return err
	}
	try, ok := attacks[env.Args[0]]
	if !ok {
		names := make([]string, 0, len(attacks))
		for name := range attacks {
			names = append(names, name)
		}
		slices.Sort(names)
		return usagef("no attack %q (use %s)", env.Args[0], strings.Join(names, ", "))
	}
	if err := try(); err != nil {
		return fmt.Errorf("stopped: %w", err)
	}
	fmt.Fprintf(env.Stdout, "attack %s succeeded\n", env.Args[0])
	return nil
}

// openClose opens path with flag and closes it at once.
func openClose(path string, flag int) error {
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

// ownCgroupFiles returns files of this process's cgroups that would change
// its limits or move it: memory limits and cgroup.procs, its own and its
// parent's.
func ownCgroupFiles() ([]string, error) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var files []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		ctrl, path := parts[1], parts[2]
		root := "/sys/fs/cgroup"
		if ctrl != "" {
			root = filepath.Join(root, strings.TrimPrefix(ctrl, "name="))
		}
		dir := filepath.Join(root, path)
		for _, name := range []string{"memory.max", "memory.limit_in_bytes", "cgroup.procs"} {
			files = append(files, filepath.Join(dir, name), filepath.Join(filepath.Dir(dir), name))
		}
	}
	return files, sc.Err()
}

// errnoErr is e as an error, nil for none.
func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// reapClone takes what a raw clone returned: the child (pid 0) exits at
// once; the caller waits for it.
func reapClone(pid, _ uintptr, e unix.Errno) error {
	if e != 0 {
		return e
	}
	if pid == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
	}
	var ws unix.WaitStatus
	_, err := unix.Wait4(int(pid), &ws, 0, nil)
	return err
}
