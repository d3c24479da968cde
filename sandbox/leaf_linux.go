package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// leafSuffix ends the name of the leaf cgroup a judgebench process moves into:
// TOP/judgebench/PID-START-harness.
const leafSuffix = "-harness"

// leafStay is this process's stay in a leaf cgroup of its own, which it moves
// into so that the cgroup it was in (top, the delegated cgroup) may enable
// controllers for its children: the kernel lets a cgroup other than the root
// do that only when it holds no process itself. The leaf is a child of the
// judgebench parent cgroup, beside the Sandboxes' cgroups, so that it is
// found and removed with them if the process dies. Every Sandbox of the
// process that relies on the stay holds a reference; when the last one
// closes, the process turns the memory and pids controllers off again and
// moves back, so that the cgroup it was given (a systemd unit's, a
// container's) is as it found it.
type leafStay struct {
	mu          sync.Mutex
	dir         string // the leaf; "" when this process is not in one
	top, parent string
	users       int
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

// enter moves this process from top into a new leaf under parent, and takes
// a reference to the stay.
func (l *leafStay) enter(top, parent string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dir != "" {
		if l.top != top {
			return fmt.Errorf("cgroup v2: already moved from %s, not %s", l.top, top)
		}
		l.users++
		return nil
	}
	dir := filepath.Join(parent, owner()+leafSuffix)
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if err := writeFile(filepath.Join(dir, "cgroup.procs"), strconv.Itoa(os.Getpid())); err != nil {
		unix.Rmdir(dir)
		return err
	}
	l.dir, l.top, l.parent, l.users = dir, top, parent, 1
	return nil
}

// exit drops a reference to the stay. The last one turns memory and pids off
// in the parent and in top (top held this process, so it enabled nothing for
// its children before judgebench did) and moves the process back. When
// another judgebench process's cgroups still use those controllers, the
// process stays in its leaf; the last process to move back removes the leaves
// and cgroups of those that have exited meanwhile, and the parent.
func (l *leafStay) exit() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users--; l.users > 0 || l.dir == "" {
		return nil
	}
	for _, d := range []string{l.parent, l.top} {
		sub := filepath.Join(d, "cgroup.subtree_control")
		for _, c := range []string{"memory", "pids"} {
			writeFile(sub, "-"+c) // EBUSY while another process's cgroups use it
		}
	}
	// With a threaded controller (pids) still on, the kernel would take this
	// process back, and top would become a thread root: the other process's
	// cgroups could not take memory or processes any more.
	sub := filepath.Join(l.top, "cgroup.subtree_control")
	if on, err := os.ReadFile(sub); err != nil || len(strings.TrimSpace(string(on))) > 0 {
		return nil // controllers on for another judgebench process: stay
	}
	err := writeFile(filepath.Join(l.top, "cgroup.procs"), strconv.Itoa(os.Getpid()))
	if err != nil {
		return fmt.Errorf("cgroup v2: move back to %s (%s is left): %w", l.top, l.dir, err)
	}
	err = removeDir(l.dir)
	removeDeadIn(l.parent, func(int) bool { return true })
	unix.Rmdir(l.parent) // EBUSY while it holds another process's cgroups
	l.dir = ""
	return err
}
