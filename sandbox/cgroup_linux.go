package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// caseGroup is the cgroup (or, on v1, the set of cgroups) of one run. It knows
// every task of the run, however the run tried to hide them.
type caseGroup interface {
	// cloneFD is a directory fd for CLONE_INTO_CGROUP, or -1 when the program
	// must be attached at its exec stop instead.
	cloneFD() int
	attach(pid int) error
	// threadJoins reports whether a thread can move alone into the group.
	// Where it can, joinThread moves the calling thread there, so that what
	// it forks is born there, and leaveThread moves it back; where it
	// cannot, programs are attached.
	threadJoins() bool
	joinThread() error
	leaveThread() error
	// joinFiles are the open control files a child writes "0" to, to move
	// itself into the group (see vforkExec).
	joinFiles() []int
	// cpu is the CPU time of every task of the run so far.
	cpu() (time.Duration, error)
	// split is the user and system shares of cpu as the kernel samples them
	// at the tick: they need not add up to cpu (see splitCPU).
	split() (user, sys time.Duration, ok bool)
	// memory is the peak memory and whether the kernel OOM-killed a task; ok is
	// false when this group has no memory controller.
	memory() (peak Size, oomKilled bool, ok bool)
	hasMemory() bool
	hasPids() bool
	// kill sends SIGKILL to every task until none is left or the deadline passes.
	kill(deadline time.Time) error
	// onlyLeader reports, from one cheap read, that no task is in the group
	// but one: the run's leader, exited and unreaped, so that kill has
	// nothing to do, when the program could not leave the group (under a
	// uid of its own). False when it cannot tell so cheaply.
	onlyLeader() bool
	// recycle readies a group whose run's tasks are all gone for another
	// run in place, with a few reads and writes, and reports whether it
	// could; renew makes one it could not anew, off the critical path, and
	// when that fails the group is removed instead.
	recycle() bool
	renew() error
	// reset sets the limits of a new or prepared group and zeroes its counters.
	reset(l Limits) error
	remove() error
}

// cgroupRoot makes the caseGroups of one Sandbox under a directory of its own.
type cgroupRoot interface {
	newCase(name string, l Limits) (caseGroup, error)
	version() string
	close() error
}

// sandboxes numbers the Sandboxes of this process, for their cgroups' names.
var sandboxes atomic.Int64

// newCgroupRoot finds a cgroup hierarchy this process may use, as mode says.
func newCgroupRoot(mode CgroupMode) (cgroupRoot, []string, error) {
	// PID-START-N: the owner, and which of its Sandboxes.
	tag := owner() + "-" + strconv.FormatInt(sandboxes.Add(1), 10)
	switch mode {
	case CgroupOff:
		return nil, []string{noCgroup}, nil
	case CgroupV1:
		r, err := newCgroup1(tag)
		return r, nil, err
	case CgroupV2:
		r, err := newCgroup2(tag, false)
		if err != nil {
			return nil, nil, err
		}
		return r, r.warnings(), nil
	}
	if r, err := newCgroup2(tag, true); err == nil {
		return r, nil, nil
	}
	if r, err := newCgroup1(tag); err == nil {
		return r, nil, nil
	}
	return nil, []string{noCgroup}, nil
}

// noCgroup is the warning of a Sandbox without cgroups.
const noCgroup = "no cgroup: memory is the program's own VmHWM, tasks are limited by RLIMIT_NPROC (loosely; not at all for root), " +
	"the CPU watchdog sees only the program's own clock, escaped orphans are found as reparented children"

// hierarchies returns the cgroup mounts and this process's own cgroups.
func hierarchies() ([]CgroupMount, map[string]string, error) {
	mounts, err := cgroupMounts()
	if err != nil {
		return nil, nil, err
	}
	own, err := ownCgroups()
	return mounts, own, err
}

// writable reports whether this process may make cgroups in dir and move
// processes into them.
func writable(dir string) bool {
	return unix.Access(dir, unix.W_OK) == nil && unix.Access(filepath.Join(dir, "cgroup.procs"), unix.W_OK) == nil
}

func cgroupMounts() ([]CgroupMount, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []CgroupMount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := ParseMountinfo(sc.Text()); ok {
			ms = append(ms, m)
		}
	}
	return ms, sc.Err()
}

// ownCgroups maps a v1 controller (or "" for v2) to this process's cgroup path.
func ownCgroups() (map[string]string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	return ParseProcCgroup(string(data)), nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func readInt(path string) (int64, error) {
	data, err := readOnce(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(bytes.TrimSpace(data)), 10, 64)
}

// readKey returns the value of "key value" in a flat-keyed cgroup file.
func readKey(path, key string) (int64, error) {
	v, err := readKeys(path, key)
	return v[0], err
}

// readKeys returns the values of keys in a flat-keyed cgroup file, read once.
func readKeys(path string, keys ...string) ([]int64, error) {
	data, err := readOnce(path)
	if err != nil {
		return make([]int64, len(keys)), err
	}
	return parseKeys(path, data, keys)
}

// procs lists the tasks of one cgroup directory.
func procs(dir string) ([]int, error) {
	data, err := readOnce(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for f := range strings.FieldsSeq(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// killProcs SIGKILLs the tasks of dir until it is empty or deadline passes.
// Killed orphans that were reparented to this process are reaped on the way.
func killProcs(dir string, deadline time.Time) error {
	for {
		pids, err := procs(dir)
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			return nil
		}
		for _, pid := range pids {
			// Never this process: a start thread of its own that could not
			// leave a run's cgroups is about to end (see joinThread).
			if pid != os.Getpid() {
				unix.Kill(pid, unix.SIGKILL)
			}
		}
		sweepOnce(0, false) // zombies only
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroup %s: %d tasks survive SIGKILL", dir, len(pids))
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// mkdirParent makes cgroup directory d, and its parent (a judgebench parent
// cgroup) when it is missing.
func mkdirParent(d string) error {
	if err := os.Mkdir(filepath.Dir(d), 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return os.Mkdir(d, 0o755)
}

// removeDir removes a cgroup directory, waiting briefly for dying tasks to leave.
func removeDir(dir string) error {
	var err error
	// A cgroup whose last task just died stays busy a moment: longer on a
	// slow (emulated) machine.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		err = unix.Rmdir(dir)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) {
			break
		}
		time.Sleep(500 * time.Microsecond)
	}
	return fmt.Errorf("remove cgroup %s: %w", dir, err)
}
