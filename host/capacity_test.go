package host

import (
	"strings"
	"testing"

	"github.com/judgebench/judgebench/sandbox"
)

func TestCapacity(t *testing.T) {
	machine := map[string]string{
		"proc/meminfo":                "MemTotal:       16384000 kB\nMemFree:         1000 kB\nMemAvailable:    8388608 kB\n",
		"proc/loadavg":                "0.50 0.40 0.30 2/300 4242\n",
		"proc/sys/kernel/threads-max": "100000\n",
		"proc/sys/kernel/pid_max":     "32768\n",
	}
	tests := []struct {
		name       string
		files      map[string]string
		euid       int
		nproc      uint64
		memory     sandbox.Size
		memoryFrom string
		tasks      int
		tasksFrom  string
	}{
		{"machine", machine, 0, 1 << 62, 8 * sandbox.GiB, "MemAvailable", 32468, "kernel.pid_max 32768, 300 tasks in use"},
		{"an ordinary user", machine, 1000, 4096, 8 * sandbox.GiB, "MemAvailable", 4096, "RLIMIT_NPROC 4096"},
		{"a v2 cgroup's limits", merge(machine, cgroupV2("memory pids"), map[string]string{
			"sys/fs/cgroup/judge/memory.max": "2147483648\n", "sys/fs/cgroup/judge/memory.current": "1073741824\n",
			"sys/fs/cgroup/judge/pids.max": "500\n", "sys/fs/cgroup/judge/pids.current": "20\n",
		}), 0, 1 << 62, sandbox.GiB, "/sys/fs/cgroup/judge/memory.max 2147483648, 1073741824 in use", 480, "/sys/fs/cgroup/judge/pids.max 500, 20 in use"},
		{"no limit in the cgroup", merge(machine, cgroupV2("memory pids"), map[string]string{
			"sys/fs/cgroup/judge/memory.max": "max\n", "sys/fs/cgroup/judge/memory.current": "1073741824\n",
		}), 0, 1 << 62, 8 * sandbox.GiB, "MemAvailable", 32468, "kernel.pid_max"},
		{"a v1 cgroup's limit", merge(machine, cgroupV1("memory"), map[string]string{
			"sys/fs/cgroup/memory/judge/memory.limit_in_bytes": "1073741824\n", "sys/fs/cgroup/memory/judge/memory.usage_in_bytes": "0\n",
		}), 0, 1 << 62, sandbox.GiB, "/sys/fs/cgroup/memory/judge/memory.limit_in_bytes", 32468, "kernel.pid_max"},
		{"nothing to read", nil, 0, 1 << 62, 0, "", 0, ""},
	}
	for _, tt := range tests {
		c := probe{root: fakeTree(t, tt.files), pid: 100}.capacity(tt.euid, tt.nproc)
		if c.Memory != tt.memory || !strings.HasPrefix(c.MemoryFrom, tt.memoryFrom) || c.Tasks != tt.tasks || !strings.HasPrefix(c.TasksFrom, tt.tasksFrom) {
			t.Errorf("%s: capacity = %+v; want memory %v (%s), tasks %d (%s)", tt.name, c, tt.memory, tt.memoryFrom, tt.tasks, tt.tasksFrom)
		}
	}
}
