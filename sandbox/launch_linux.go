package sandbox

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

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
	// The harness's launching thread is its parent; it is outside this PID
	// namespace, so a parent already gone cannot be told from getppid: the
	// holder, which dies with the harness too, covers that moment.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		fail(126, fmt.Errorf("launcher: parent-death signal: %w", err))
	}
	if err := setOwnRlimits(os.Args[1]); err != nil {
		fail(126, fmt.Errorf("launcher: %w", err))
	}
	if err := loadFilter(false, false); err != nil {
		fail(126, fmt.Errorf("launcher: seccomp: %w", err))
	}
	unix.CloseOnExec(3)
	// A program just copied into the box is busy while a fork elsewhere in
	// the harness still holds the copy's descriptor: that passes.
	err := unix.Exec(os.Args[2], os.Args[3:], os.Environ())
	for delay := 100 * time.Microsecond; err == unix.ETXTBSY && delay < time.Second; delay *= 2 {
		time.Sleep(delay)
		err = unix.Exec(os.Args[2], os.Args[3:], os.Environ())
	}
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
