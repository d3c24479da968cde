package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// leafSuffix ends the name of the leaf cgroup a judgebench process moves into:
// judgebench-PID-TIME-harness.
const leafSuffix = "-harness"

// leafStay is this process's stay in a leaf cgroup of its own, which it moves
// into so that the cgroup it was in (parent) may enable controllers for its
// children: the kernel lets a cgroup other than the root do that only when it
// holds no process itself. Every Sandbox of the process that relies on the
// stay holds a reference; when the last one closes, the process turns the
// memory and pids controllers off again and moves back, so that the cgroup it
// was given (a systemd unit's, a container's) is as it found it.
type leafStay struct {
	mu     sync.Mutex
	dir    string // the leaf; "" when this process is not in one
	parent string
	users  int
}

// leaf is this process's stay.
var leaf leafStay

// join takes a reference to the stay when this process is in the leaf dir
// already (another Sandbox, open or closed, moved it there).
func (l *leafStay) join(dir string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dir == "" || l.dir != dir {
		return false
	}
	l.users++
	return true
}

// enter moves this process from parent into a new leaf named after tag, and
// takes a reference to the stay.
func (l *leafStay) enter(parent, tag string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dir != "" {
		if l.parent != parent {
			return fmt.Errorf("cgroup v2: already moved from %s, not %s", l.parent, parent)
		}
		l.users++
		return nil
	}
	dir := filepath.Join(parent, tag+leafSuffix)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "cgroup.procs"), strconv.Itoa(os.Getpid())); err != nil {
		unix.Rmdir(dir)
		return err
	}
	l.dir, l.parent, l.users = dir, parent, 1
	return nil
}

// exit drops a reference to the stay. The last one turns memory and pids off
// in the parent (the parent held this process, so it enabled nothing for its
// children before judgebench did) and moves the process back. When another
// judgebench process's cgroups still use those controllers, the process stays
// in its leaf, and the last process to move back removes the leaves that are
// left empty.
func (l *leafStay) exit() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users--; l.users > 0 || l.dir == "" {
		return nil
	}
	sub := filepath.Join(l.parent, "cgroup.subtree_control")
	for _, c := range []string{"memory", "pids"} {
		writeFile(sub, "-"+c) // EBUSY while another process's cgroups use it
	}
	// With a threaded controller (pids) still on, the kernel would take this
	// process back, and the parent would become a thread root: the other
	// process's cgroups could not take memory or processes any more.
	if on, err := os.ReadFile(sub); err != nil || len(strings.TrimSpace(string(on))) > 0 {
		return nil // controllers on for another judgebench process: stay
	}
	err := writeFile(filepath.Join(l.parent, "cgroup.procs"), strconv.Itoa(os.Getpid()))
	if err != nil {
		return fmt.Errorf("cgroup v2: move back to %s (%s is left): %w", l.parent, l.dir, err)
	}
	err = removeDir(l.dir)
	removeDeadLeaves(l.parent)
	l.dir = ""
	return err
}

// removeDeadLeaves removes the leaves under parent of judgebench processes
// that have exited: ones that could not move back while another used the
// controllers, or that were killed.
func removeDeadLeaves(parent string) {
	leaves, _ := filepath.Glob(filepath.Join(parent, "judgebench-*"+leafSuffix))
	for _, dir := range leaves {
		f := strings.SplitN(filepath.Base(dir), "-", 3)
		if pid, err := strconv.Atoi(f[1]); err == nil && unix.Kill(pid, 0) == unix.ESRCH {
			unix.Rmdir(dir) // EBUSY if it holds a process after all
		}
	}
}
