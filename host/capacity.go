package host

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/judgebench/judgebench/sandbox"
	"golang.org/x/sys/unix"
)

// Capacity is how much more of this machine cases may take, at once.
type Capacity struct {
	// Memory is how many more bytes can be had: MemAvailable of
	// /proc/meminfo, or less when the memory limit of a cgroup the cases
	// run under leaves less. 0: unknown.
	Memory sandbox.Size
	// Tasks is how many more tasks (processes and threads) can be made: the
	// least that kernel.threads-max, kernel.pid_max, the pids.max of a cgroup
	// the cases run under and, for an ordinary user, RLIMIT_NPROC leave. 0:
	// unknown.
	Tasks int
	// MemoryFrom and TasksFrom say what bounds Memory and Tasks, with the
	// figures: "MemAvailable", "kernel.pid_max 32768, 310 tasks in use".
	MemoryFrom, TasksFrom string
}

// ReadCapacity reads the capacity of this machine for the cases of this
// process. The cgroups they run under are those under which judgebench makes
// its cgroups (see sandbox.DelegatedCgroup) and the ones above, or this
// process's own and the ones above when it can make none.
func ReadCapacity() Capacity {
	var nproc unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NPROC, &nproc)
	h := probe{root: "/", pid: os.Getpid()}
	return h.capacity(os.Geteuid(), nproc.Cur)
}

// capacity is ReadCapacity on h's tree, for user euid with RLIMIT_NPROC nproc.
func (h probe) capacity(euid int, nproc uint64) Capacity {
	var c Capacity
	bound := func(n int64, from string, mem bool) {
		switch {
		case n < 0:
			n = 0
		case mem && (c.Memory == 0 || sandbox.Size(n) < c.Memory):
			c.Memory, c.MemoryFrom = sandbox.Size(n), from
		case !mem && n <= math.MaxInt32 && (c.Tasks == 0 || int(n) < c.Tasks):
			c.Tasks, c.TasksFrom = int(n), from
		}
	}
	if kb, err := h.meminfo("MemAvailable"); err == nil {
		bound(kb*1024, "MemAvailable", true)
	}
	inUse := h.tasks()
	for _, f := range []string{"threads-max", "pid_max"} {
		if v, err := h.readInt("proc/sys/kernel/" + f); err == nil {
			bound(v-inUse, fmt.Sprintf("kernel.%s %d, %d tasks in use", f, v, inUse), false)
		}
	}
	if euid != 0 && nproc != unix.RLIM_INFINITY && nproc <= math.MaxInt32 {
		bound(int64(nproc), fmt.Sprintf("RLIMIT_NPROC %d (of every task of the user)", nproc), false)
	}
	for _, r := range h.cgroupRooms() {
		bound(r.n, r.from, r.mem)
	}
	return c
}

// room is what a cgroup's limit leaves.
type room struct {
	n    int64
	from string
	mem  bool
}

// cgroupRooms lists what the memory and pids limits of the cgroups the cases
// run under leave, from the one judgebench makes its cgroups in up.
func (h probe) cgroupRooms() []room {
	mounts, own, err := h.cgroups()
	if err != nil {
		return nil
	}
	var rooms []room
	for _, m := range mounts {
		files := [][3]string{{"memory.max", "memory.current", "memory"}, {"pids.max", "pids.current", "pids"}}
		key := ""
		if m.FSType == "cgroup" {
			files = [][3]string{{"memory.limit_in_bytes", "memory.usage_in_bytes", "memory"}, {"pids.max", "pids.current", "pids"}}
			i := slices.IndexFunc(files, func(f [3]string) bool { return slices.Contains(m.Options, f[2]) })
			if i < 0 {
				continue
			}
			files, key = files[i:i+1], files[i][2]
		}
		cg, ok := own[key]
		if !ok {
			continue
		}
		for d := h.delegated(m, cg); strings.HasPrefix(d, filepath.Clean(m.Dir)); d = filepath.Dir(d) {
			for _, f := range files {
				max, err1 := h.readInt(filepath.Join(d, f[0]))
				cur, err2 := h.readInt(filepath.Join(d, f[1]))
				if err1 == nil && err2 == nil && max < 1<<62 { // v1 writes "no limit" as a huge number
					rooms = append(rooms, room{max - cur, fmt.Sprintf("%s/%s %d, %d in use", d, f[0], max, cur), f[2] == "memory"})
				}
			}
			if d == filepath.Clean(m.Dir) {
				break
			}
		}
	}
	return rooms
}

// readInt reads a file of one integer under h.root; "max" is not one.
func (h probe) readInt(path string) (int64, error) {
	s, err := h.read(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(s, 10, 64)
}

// meminfo reads a field of /proc/meminfo, in kB.
func (h probe) meminfo(field string) (int64, error) {
	s, err := h.read("proc/meminfo")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(s, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == field {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/meminfo", field)
}

// tasks is the number of tasks on the machine, from /proc/loadavg.
func (h probe) tasks() int64 {
	s, _ := h.read("proc/loadavg")
	f := strings.Fields(s)
	if len(f) < 4 {
		return 0
	}
	_, total, _ := strings.Cut(f[3], "/")
	n, _ := strconv.ParseInt(total, 10, 64)
	return n
}
