package host

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/judgebench/judgebench/sandbox"
)

// allowSelf sets the Cpuset and Allowed CPUs of t, this machine's, to this
// process's: its cgroup cpuset, and its affinity within it.
func (t *Topology) allowSelf() error {
	own, err := affinity()
	if err != nil {
		return err
	}
	t.Cpuset, t.AllowedFrom = t.Online, "sched_getaffinity"
	if cpus, file := ownCpuset(probe{root: "/"}); file != "" {
		t.Cpuset, t.AllowedFrom = intersect(t.Online, cpus), "sched_getaffinity within "+file
	}
	t.Allowed = intersect(own, t.Cpuset)
	if len(t.Allowed) == 0 { // a cpuset the affinity does not agree with: the kernel runs us by the affinity
		t.Allowed = intersect(own, t.Online)
	}
	return nil
}

// ownCpuset returns the effective CPUs of the cpuset of this process's
// cgroup (v2 cpuset.cpus.effective, v1 cpuset.effective_cpus) and the file
// they come from; "" when it has none that can be read.
func ownCpuset(h probe) ([]int, string) {
	mounts, own, err := h.cgroups()
	if err != nil {
		return nil, ""
	}
	for _, m := range mounts {
		file, key := "cpuset.cpus.effective", ""
		if m.FSType == "cgroup" {
			if !slices.Contains(m.Options, "cpuset") {
				continue
			}
			file, key = "cpuset.effective_cpus", "cpuset"
		}
		cg, ok := own[key]
		if !ok {
			continue
		}
		if cpus, path := readCpuset(h.root, m, cg, file); path != "" {
			return cpus, path
		}
	}
	return nil, ""
}

// readCpuset reads file in the directory of cgroup cg of mount m, under root,
// or of its closest ancestor that has it (a v2 cgroup without the cpuset
// controller has none); "" when none can be read or holds a CPU.
func readCpuset(root string, m sandbox.CgroupMount, cg, file string) ([]int, string) {
	for d := m.Path(cg); ; d = filepath.Dir(d) {
		path := filepath.Join(d, file)
		if data, err := os.ReadFile(filepath.Join(root, path)); err == nil {
			if cpus, err := ParseCPUList(string(data)); err == nil && len(cpus) > 0 {
				return cpus, path
			}
		}
		if d == filepath.Clean(m.Dir) || d == filepath.Dir(d) {
			return nil, ""
		}
	}
}

// allowTree sets the Cpuset and Allowed CPUs of t, read from a tree that is
// not this machine's sysfs, to its online CPUs within the cpuset at the top
// of its cgroup file system: fs/cgroup (v2) or fs/cgroup/cpuset (v1).
func (t *Topology) allowTree(s sysfs) error {
	t.Cpuset, t.AllowedFrom = t.Online, "online"
	for _, file := range []string{"fs/cgroup/cpuset.cpus.effective", "fs/cgroup/cpuset/cpuset.effective_cpus"} {
		cpus, ok, err := s.list(file)
		if err != nil {
			return err
		}
		if !ok || len(cpus) == 0 {
			continue
		}
		if t.Cpuset = intersect(t.Online, cpus); len(t.Cpuset) == 0 {
			return fmt.Errorf("%s: %s holds no online CPU (online: %s)", s.path(file), FormatCPUList(cpus), FormatCPUList(t.Online))
		}
		t.AllowedFrom = "online within " + file
		break
	}
	t.Allowed = t.Cpuset
	return nil
}
