package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// parentName is the cgroup, one per hierarchy, that holds every cgroup a
// judgebench process makes there: TOP/judgebench, TOP being the hierarchy's
// root for root and the delegated cgroup for its owner (see DelegatedCgroup).
// Its children are named after their owner, "PID-START-...", so that any
// judgebench process can tell those of dead owners and remove them.
const parentName = "judgebench"

// owner is this process as the owner of cgroups, "PID-START": START is the
// time it started, in clock ticks after boot (field 22 of /proc/PID/stat),
// so that a process that got the pid of a dead owner is not taken for it.
var owner = sync.OnceValue(func() string {
	pid := os.Getpid()
	start, _ := procStart(pid)
	return strconv.Itoa(pid) + "-" + strconv.FormatUint(start, 10)
})

// procStart returns the start time of process pid, and whether it runs (it
// exists and is not a zombie).
func procStart(pid int) (start uint64, running bool) {
	data, err := readOnce("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	return parseStart(data)
}

// parseStart reads the start time (field 22) of a /proc/PID/stat line, and
// whether its state (field 3) is that of a running process, not a zombie
// (Z) or a dead one (X).
func parseStart(data []byte) (start uint64, running bool) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:])) // f[0] is field 3
	if len(f) < 20 {
		return 0, false
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return 0, false
	}
	return start, f[0] != "Z" && f[0] != "X"
}

// parseOwner reads the owner of a child of a judgebench parent cgroup from
// its name, "PID-START" and a suffix.
func parseOwner(name string) (pid int, start uint64, ok bool) {
	f := strings.SplitN(name, "-", 3)
	if len(f) < 2 {
		return 0, 0, false
	}
	pid, err1 := strconv.Atoi(f[0])
	start, err2 := strconv.ParseUint(f[1], 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 {
		return 0, 0, false
	}
	return pid, start, true
}

// ownerDead reports whether the owner that name names has exited: its pid
// runs no process, or one that started at another time, or a zombie. A name
// that names no owner is not judgebench's to remove.
func ownerDead(name string) bool {
	pid, start, ok := parseOwner(name)
	if !ok {
		return false
	}
	now, running := procStart(pid)
	return !running || now != start
}

// RemoveLeftovers removes the cgroups that the judgebench process pid left
// behind if it has exited (a worker killed with SIGKILL, say), killing every
// task in them first. It is what New does for every dead owner, for one.
func RemoveLeftovers(pid int) error {
	return removeDead(func(p int) bool { return p == pid })
}

// removeDead removes the cgroups of every dead owner whose pid match accepts,
// in every hierarchy where this process may manage cgroups, and the
// directories of its isolation levels, with what its runs left mounted there.
func removeDead(match func(pid int) bool) error {
	// The cgroups first: their tasks killed, nothing holds the directories'
	// mounts any more.
	var errs []error
	tops, err := cgroupTops()
	if err != nil {
		return errors.Join(fmt.Errorf("sandbox: %w", err), removeDeadDirs(match))
	}
	for _, top := range tops {
		errs = append(errs, removeDeadIn(filepath.Join(top, parentName), match))
	}
	errs = append(errs, removeDeadDirs(match))
	return errors.Join(errs...)
}

// removeDeadIn removes the children of the judgebench parent cgroup dir whose
// owner is dead, with their tasks.
func removeDeadIn(parent string, match func(pid int) bool) error {
	entries, err := os.ReadDir(parent)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	var errs []error
	for _, e := range entries {
		pid, _, _ := parseOwner(e.Name())
		if e.IsDir() && match(pid) && ownerDead(e.Name()) {
			errs = append(errs, removeTree(filepath.Join(parent, e.Name())))
		}
	}
	return errors.Join(errs...)
}

// cgroupTops lists the directories under which this process makes its
// cgroups, or would: the v2 hierarchy's and each v1 hierarchy's of the
// controllers it uses, where it may (see DelegatedCgroup).
func cgroupTops() ([]string, error) {
	mounts, own, err := hierarchies()
	if err != nil {
		return nil, err
	}
	var tops []string
	for _, m := range mounts {
		key := ""
		if m.FSType == "cgroup" {
			i := slices.IndexFunc(m.Options, func(o string) bool { return o == "memory" || o == "pids" || o == "cpuacct" })
			if i < 0 {
				continue
			}
			key = m.Options[i]
		}
		cg, ok := own[key]
		if !ok {
			continue
		}
		if top := DelegatedCgroup(m, cg, writable); top != "" && !slices.Contains(tops, top) {
			tops = append(tops, top)
		}
	}
	return tops, nil
}

// removeTree kills the tasks of a cgroup directory and its descendants and
// removes them, deepest first. On v2, cgroup.kill kills the whole subtree at
// once, forks in flight included; elsewhere every task listed is sent SIGKILL
// until none is left. A tree that another process removed meanwhile is gone,
// not an error.
func removeTree(dir string) error {
	if kill := filepath.Join(dir, "cgroup.kill"); fileExists(kill) {
		if err := writeFile(kill, "1"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cgroup %s: kill: %w", dir, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ignoreGone(err)
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() {
			errs = append(errs, removeTree(filepath.Join(dir, e.Name())))
		}
	}
	errs = append(errs, ignoreGone(killProcs(dir, time.Now().Add(5*time.Second))), removeDir(dir))
	return errors.Join(errs...)
}

func ignoreGone(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// isolationPrefix begins the names of the directories of the isolation
// levels in the temporary directory: the programs they copied, the runs'
// working directories (tmpfs mounts). The owner follows, as in a cgroup's
// name: "judgebench-isolation-PID-START-...".
const isolationPrefix = "judgebench-isolation-"

// removeDeadDirs removes the isolation directories of every dead owner whose
// pid match accepts: a judgebench killed with SIGKILL leaves its own.
func removeDeadDirs(match func(pid int) bool) error {
	var errs []error
	for _, parent := range slices.Compact([]string{os.TempDir(), "/tmp"}) {
		entries, err := os.ReadDir(parent)
		if err != nil {
			continue
		}
		for _, e := range entries {
			rest, ok := strings.CutPrefix(e.Name(), isolationPrefix)
			// PID-START-RANDOM: an older judgebench named them PID-RANDOM,
			// which would read as an owner that never was.
			if !ok || !e.IsDir() || strings.Count(rest, "-") < 2 {
				continue
			}
			if pid, _, _ := parseOwner(rest); match(pid) && ownerDead(rest) {
				errs = append(errs, removeIsolationDir(filepath.Join(parent, e.Name())))
			}
		}
	}
	return errors.Join(errs...)
}

// removeIsolationDir unmounts what is mounted under dir, deepest first, and
// removes it.
func removeIsolationDir(dir string) error {
	data, _ := os.ReadFile("/proc/self/mountinfo")
	var under []string
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) > 4 {
			if p := unescapeMount(f[4]); strings.HasPrefix(p, dir+"/") {
				under = append(under, p)
			}
		}
	}
	slices.SortFunc(under, func(a, b string) int { return len(b) - len(a) })
	for _, p := range under {
		unix.Unmount(p, unix.MNT_DETACH)
	}
	return os.RemoveAll(dir)
}
