package sandbox

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"

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

// reapOrphans kills and reaps the children of this process that no run owns and
// that are not in its process group: orphans of runs, reparented here because
// this process is a subreaper. Children the harness started itself (through
// os/exec, say) stay in its process group and are left alone.
func reapOrphans() {
	live.mu.Lock()
	defer live.mu.Unlock()
	self := unix.Getpgrp()
	for _, pid := range children() {
		if isLive(pid) || pgid(pid) == self || pgid(pid) < 0 {
			continue
		}
		unix.Kill(pid, unix.SIGKILL)
		for {
			_, err := unix.Wait4(pid, nil, unix.WALL, nil)
			if err != unix.EINTR {
				break
			}
		}
	}
}

// children lists the children of this process's leader thread. Orphans are
// reparented to a subreaper's first live thread, which is the leader: Go never
// ends the main thread while the process lives.
func children() []int {
	pid := strconv.Itoa(os.Getpid())
	data, _ := os.ReadFile("/proc/" + pid + "/task/" + pid + "/children")
	var pids []int
	for f := range strings.FieldsSeq(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// pgid returns the process group of pid from /proc, or -1 if it is gone.
func pgid(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 3 {
		return -1
	}
	g, err := strconv.Atoi(f[2])
	if err != nil {
		return -1
	}
	return g
}
