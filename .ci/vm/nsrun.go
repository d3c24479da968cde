// Command nsrun starts a program in one of the host shapes that .ci/cgroup2
// tests inside its VM:
//
//	nsrun [-cgroup DIR] [-cgroupns] [-uid N] PROG [ARGS...]
//
// -cgroup moves this process into the cgroup directory DIR (made if missing);
// -cgroupns then gives it a cgroup namespace rooted there and a mount
// namespace with cgroup2 mounted afresh at /sys/fs/cgroup, as a container
// sees its delegated cgroup; -uid N drops root for user and group N. Then it
// execs PROG, which keeps all of that.
//
// It is built by .ci/cgroup2 (go build .ci/vm/nsrun.go) and is no part of
// judgebench.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

func main() {
	cgroup := flag.String("cgroup", "", "cgroup directory to move into first")
	cgroupns := flag.Bool("cgroupns", false, "a cgroup namespace rooted at -cgroup, cgroup2 mounted afresh at /sys/fs/cgroup")
	uid := flag.Int("uid", -1, "user (and group) to run PROG as")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: nsrun [-cgroup DIR] [-cgroupns] [-uid N] PROG [ARGS...]")
		os.Exit(2)
	}
	if err := run(*cgroup, *cgroupns, *uid, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "nsrun:", err)
		os.Exit(1)
	}
}

func run(cgroup string, cgroupns bool, uid int, argv []string) error {
	// Namespaces unshared here are this thread's: exec from it.
	runtime.LockOSThread()
	if cgroup != "" {
		if err := os.MkdirAll(cgroup, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(cgroup, "cgroup.procs"), []byte("0"), 0); err != nil {
			return fmt.Errorf("move into %s: %w", cgroup, err)
		}
	}
	if cgroupns {
		if err := unix.Unshare(unix.CLONE_NEWCGROUP | unix.CLONE_NEWNS); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			return fmt.Errorf("make mounts private: %w", err)
		}
		if err := unix.Unmount("/sys/fs/cgroup", unix.MNT_DETACH); err != nil {
			return fmt.Errorf("unmount /sys/fs/cgroup: %w", err)
		}
		if err := unix.Mount("cgroup2", "/sys/fs/cgroup", "cgroup2", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
			return fmt.Errorf("mount cgroup2: %w", err)
		}
	}
	if uid >= 0 {
		if err := syscall.Setgroups(nil); err != nil {
			return err
		}
		if err := syscall.Setgid(uid); err != nil {
			return err
		}
		if err := syscall.Setuid(uid); err != nil {
			return err
		}
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return err
	}
	return syscall.Exec(path, argv, os.Environ())
}
