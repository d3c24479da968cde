package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// live is the set of programs that runs own right now. Starting a program holds
// mu for reading; a search for orphans holds it for writing, so it never sees a
// program that is started but not yet registered.
var live struct {
	mu   sync.RWMutex
	set  sync.Mutex
	pids map[int]bool
}

func addLive(pid int) {
	live.set.Lock()
	if live.pids == nil {
		live.pids = map[int]bool{}
	}
	live.pids[pid] = true
	live.set.Unlock()
}

func removeLive(pid int) {
	live.set.Lock()
	delete(live.pids, pid)
	live.set.Unlock()
}

func isLive(pid int) bool {
	live.set.Lock()
	defer live.set.Unlock()
	return live.pids[pid]
}

func liveCount() int {
	live.set.Lock()
	defer live.set.Unlock()
	return len(live.pids)
}

var subreaper struct {
	once sync.Once
	err  error
}

// becomeSubreaper makes this process the reaper of its orphaned descendants, so
// that a grandchild whose parent exits, even one that called setsid, becomes a
// child of the harness instead of vanishing under init.
func becomeSubreaper() error {
	subreaper.once.Do(func() {
		subreaper.err = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	})
	return subreaper.err
}

// sweep kills and reaps orphans reparented to this process (a subreaper), pass
// after pass until a pass finds none: killing one orphans its children in
// turn. Zombies are always reaped. A live orphan is killed when it is in
// process group owner (0: none), or, with strays set and no run live but
// owner's, when no run can claim it (a setsid escapee of a run without a
// cgroup). Children in the harness's own process group are never touched:
// the harness started them itself.
func sweep(owner int, strays bool, deadline time.Time) error {
	for pass := 0; ; pass++ {
		reaped, pending := sweepOnce(owner, strays)
		if reaped == 0 && pending == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sandbox: orphans still appearing after %d passes", pass)
		}
		if reaped == 0 {
			time.Sleep(100 * time.Microsecond) // a dying one's threads still exit
		}
	}
}

// sweepOnce makes one pass over the children: it returns how many it reaped,
// and how many zombies it could not reap yet (a leader whose threads still
// exit, a box's init waiting for its namespace's zombies).
func sweepOnce(owner int, strays bool) (reaped, pending int) {
	live.mu.Lock()
	defer live.mu.Unlock()
	self := ownGroup()
	others := liveCount()
	if owner > 0 && isLive(owner) {
		others--
	}
	for _, pid := range children() {
		if isLive(pid) {
			continue
		}
		state, group := procStat(pid)
		// A zombie is reaped without blocking: one whose threads still exit,
		// or a box's init waiting for its namespace's zombies (which may be
		// this process's to reap) is collected on a later pass.
		opts := unix.WALL | unix.WNOHANG
		switch {
		case group < 0 || group == self:
			continue
		case state == 'Z':
		case owner > 0 && group == owner, strays && others == 0:
			unix.Kill(pid, unix.SIGKILL)
			opts = unix.WALL
		default:
			continue
		}
		if wpid, _ := unix.Wait4(pid, new(unix.WaitStatus), opts, nil); wpid == pid {
			reaped++
		} else if opts&unix.WNOHANG != 0 {
			pending++
		}
	}
	return reaped, pending
}

// children lists the children of this process's leader thread. Orphans are
// reparented to a subreaper's first live thread, which is the leader: Go never
// ends the main thread while the process lives.
func children() []int {
	f, err := childrenFile()
	if err != nil {
		return nil
	}
	data, _ := f.read()
	var pids []int
	for f := range strings.FieldsSeq(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// childrenFile is the children file of this process's leader thread, kept
// open (the kernel lists them afresh at each read from the start), and
// ownGroup this process's group, which only it could change.
var (
	childrenFile = untilOK(func() (ctlFile, error) {
		pid := strconv.Itoa(os.Getpid())
		return openCtl("/proc/" + pid + "/task/" + pid + "/children")
	})
	ownGroup = sync.OnceValue(unix.Getpgrp)
)

// procStat returns the state letter and process group of pid from /proc, or
// group -1 if it is gone.
func procStat(pid int) (state byte, group int) {
	data, err := readOnce("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, -1
	}
	return parseStat(data)
}

// parseStat reads the state and process group of a /proc/PID/stat line,
// "pid (comm) state ppid pgrp ...", where comm may hold spaces and
// parentheses; group -1 when the line is not one.
func parseStat(data []byte) (state byte, group int) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, -1
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 3 || len(f[0]) != 1 || !isLetter(f[0][0]) {
		return 0, -1
	}
	g, err := strconv.Atoi(f[2])
	if err != nil || g < 0 {
		return 0, -1
	}
	return f[0][0], g
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
