package sandbox

import (
	"fmt"
	"io"
)

// CgroupMode chooses whether and how a Sandbox puts each run in a cgroup of its own.
type CgroupMode string

// The cgroup modes.
const (
	// CgroupAuto uses cgroup v2 when its memory and pids controllers can be had,
	// else cgroup v1 when its memory, pids and cpuacct hierarchies are writable,
	// else no cgroup.
	CgroupAuto CgroupMode = "auto"
	// CgroupV1 requires the v1 memory, pids and cpuacct hierarchies.
	CgroupV1 CgroupMode = "v1"
	// CgroupV2 requires the unified hierarchy; controllers it lacks are replaced
	// by the fallbacks of CgroupOff (and a warning).
	CgroupV2 CgroupMode = "v2"
	// CgroupOff uses none: memory from VmHWM at a ptrace exit stop, tasks limited
	// by RLIMIT_NPROC, escaped orphans found through the child-subreaper bit.
	CgroupOff CgroupMode = "off"
)

// ParseCgroupMode parses "auto", "v1", "v2" or "off".
func ParseCgroupMode(s string) (CgroupMode, error) {
	switch m := CgroupMode(s); m {
	case CgroupAuto, CgroupV1, CgroupV2, CgroupOff:
		return m, nil
	}
	return "", fmt.Errorf("invalid cgroup mode %q (use auto, v1, v2 or off)", s)
}

// Options configure a Sandbox.
type Options struct {
	// Cgroup is the cgroup mode; "" means CgroupAuto.
	Cgroup CgroupMode
	// Isolation is the isolation level of every run; "" means the strongest
	// this host allows (see DefaultIsolation).
	Isolation Isolation
	// UIDs are the uids isolated programs run as, one per worker slot;
	// zero means DefaultUIDs.
	UIDs UIDRange
	// Disk is the size of an isolated run's working directory, a tmpfs
	// whose pages count in the run's memory; 0 means 64MiB.
	Disk Size
	// Env is added to an isolated program's minimal environment, as
	// KEY=VALUE.
	Env []string
}

// Command is one program to run and how to feed and judge it.
type Command struct {
	// Path is the program; a name without a slash is looked up in PATH.
	Path string
	// Args are the arguments after the program name.
	Args []string
	// Env is the environment; nil means the harness's own.
	Env []string
	// Dir is the working directory; "" means the harness's.
	Dir string
	// Stdin feeds the program; an *os.File is handed over as is, anything else is
	// copied through a pipe (and must not block forever: Run waits for the
	// copy to stop); nil means /dev/null. An *os.File must be a regular file
	// (which the harness reads through the page cache first, so that the
	// case is not charged its pages), the null device or a pipe: anything
	// else is a SYSTEM_ERROR (see OpenInput). With a checker program it is
	// first copied to a file, which the program reads instead (see Checker).
	Stdin io.Reader
	// Stdout, when not nil, receives what the program writes to stdout.
	Stdout io.Writer
	// Expect, when not nil, is the expected output: a mismatch under Checker is
	// WRONG_ANSWER. Without it a clean exit is ACCEPTED and no checker runs.
	// An *os.File must be as for Stdin.
	Expect io.Reader
	// Checker judges the output against Expect; the zero value is CheckLines. A
	// built-in checker compares the output as it streams. A checker program
	// (KindProgram) runs after the program has ended, and only when the
	// program's verdict would otherwise be ACCEPTED or WRONG_ANSWER; Stdin is
	// then first copied to a temporary file, which the program reads as its
	// stdin and the checker as its input.
	Checker Checker
	// CheckerLimits are a checker program's limits, each zero field meaning
	// its default (see Limits.WithCheckerDefaults). Its time and memory are
	// never counted in the Result.
	CheckerLimits Limits
	// Slot is the worker slot that runs the program, from 0: at the process
	// isolation level it picks the program's uid, so that programs run at
	// once never share one.
	Slot int
	// CPUs, when not empty, are the CPUs the program may run on: it gets
	// them (sched_setaffinity) at its exec, before its first instruction,
	// at every isolation level, and its threads and children inherit them.
	// Empty leaves it the affinity of the thread that started it. A CPU
	// number must be 0 to 1023; a set none of which this process's cpuset
	// has online makes the run a SYSTEM_ERROR.
	CPUs []int
	// StderrLimit is how many bytes of stderr Result.Stderr keeps; 0 means 64KiB.
	StderrLimit Size
	Limits      Limits

	// trusted runs the program without isolation: a checker program, the
	// judge's own.
	trusted bool
}

func (c *Command) stderrLimit() int {
	if c.StderrLimit <= 0 {
		return 64 << 10
	}
	return int(c.StderrLimit)
}
