package host

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/judgebench/judgebench/sandbox"
	"golang.org/x/sys/unix"
)

func cgroup(h probe) (string, string) {
	mounts, own, err := h.cgroups()
	if err != nil {
		return statusUnknown, "cannot read /proc/self/mountinfo or /proc/self/cgroup"
	}
	var problems []string
	if i := slices.IndexFunc(mounts, func(m sandbox.CgroupMount) bool { return m.FSType == "cgroup2" }); i < 0 || own[""] == "" {
		problems = append(problems, "no v2 hierarchy")
	} else {
		d := h.delegated(mounts[i], own[""])
		ctl, _ := h.read(filepath.Join(d, "cgroup.controllers"))
		missing := slices.DeleteFunc([]string{"memory", "pids"}, func(c string) bool { return slices.Contains(strings.Fields(ctl), c) })
		switch err := h.writable(d); {
		case len(missing) > 0:
			problems = append(problems, fmt.Sprintf("v2 at %s lacks %s", d, strings.Join(missing, ", ")))
		case err != nil:
			problems = append(problems, fmt.Sprintf("v2 at %s: %v", d, err))
		case h.others(d) > 0:
			problems = append(problems, fmt.Sprintf("v2 at %s holds %d other processes, so memory and pids cannot be enabled for the cases", d, h.others(d)))
		default:
			return statusOK, "v2 with memory, pids at " + d
		}
	}
	var v1 []string
	for _, c := range []string{"memory", "pids", "cpuacct"} {
		i := slices.IndexFunc(mounts, func(m sandbox.CgroupMount) bool { return m.FSType == "cgroup" && slices.Contains(m.Options, c) })
		if i < 0 {
			v1 = append(v1, "no v1 "+c)
		} else if d := h.delegated(mounts[i], own[c]); h.writable(d) != nil {
			v1 = append(v1, fmt.Sprintf("v1 %s at %s: %v", c, d, h.writable(d)))
		}
	}
	if len(v1) == 0 {
		return statusOK, "v1 with memory, pids, cpuacct"
	}
	return statusWarn, "no per-case cgroup: " + strings.Join(append(problems, v1...), "; ")
}

// others counts the processes other than this one in cgroup v2 directory d
// when they keep it from enabling memory and pids for its children: the
// kernel lets a cgroup other than the root (which has no cgroup.type) do that
// only when it holds no process, and judgebench can move only itself out.
func (h probe) others(d string) int {
	sub, _ := h.read(filepath.Join(d, "cgroup.subtree_control"))
	if _, err := h.read(filepath.Join(d, "cgroup.type")); err != nil ||
		slices.Contains(strings.Fields(sub), "memory") && slices.Contains(strings.Fields(sub), "pids") {
		return 0
	}
	procs, _ := h.read(filepath.Join(d, "cgroup.procs"))
	return len(slices.DeleteFunc(strings.Fields(procs), func(p string) bool { return p == strconv.Itoa(h.pid) }))
}

// delegated is the cgroup directory under which judgebench would make its
// cgroups in mount m, for a process in cgroup: see sandbox.DelegatedCgroup.
// When there is none, it is the process's own cgroup, which is not writable.
func (h probe) delegated(m sandbox.CgroupMount, cgroup string) string {
	d := sandbox.DelegatedCgroup(m, cgroup, func(dir string) bool {
		return h.writable(dir) == nil && h.writable(filepath.Join(dir, "cgroup.procs")) == nil
	})
	if d == "" {
		return m.Path(cgroup)
	}
	return d
}

// writable is nil when this process may make cgroups in dir.
func (h probe) writable(dir string) error {
	err := unix.Access(filepath.Join(h.root, dir), unix.W_OK)
	if err != nil {
		return fmt.Errorf("not writable: %w", err)
	}
	return nil
}

func cpuQuotaCheck(h probe) (string, string) {
	q, src, err := h.quota()
	switch {
	case err != nil:
		return statusUnknown, "cannot read /proc/self/mountinfo or /proc/self/cgroup"
	case q == 0:
		return statusOK, fmt.Sprintf("none (%d CPUs)", h.cpus)
	}
	v := fmt.Sprintf("%s CPUs of %d (%s)", cpusString(q), h.cpus, src)
	if q < float64(h.cpus) {
		return statusWarn, v
	}
	return statusOK, v
}

func gomaxprocs(h probe) (string, string) {
	allowed := float64(h.cpus)
	v := fmt.Sprintf("%d on %d CPUs", h.procs, h.cpus)
	if q, _, err := h.quota(); err == nil && q > 0 {
		allowed = min(allowed, q)
		v += ", quota " + cpusString(q) + " CPUs"
	}
	if float64(h.procs) > allowed {
		return statusWarn, v
	}
	return statusOK, v
}

// quota returns the CPUs that the tightest CPU quota on this process's cgroups
// and their ancestors allows (0 for none), and which file sets it.
func (h probe) quota() (cpus float64, src string, err error) {
	mounts, own, err := h.cgroups()
	if err != nil {
		return 0, "", err
	}
	for _, m := range mounts {
		key := ""
		if m.FSType == "cgroup" {
			key = "cpu"
		}
		cg, ok := own[key]
		if !ok || m.FSType == "cgroup" && !slices.Contains(m.Options, "cpu") {
			continue
		}
		for d := m.Path(cg); ; d = filepath.Dir(d) {
			if q, s := h.quotaIn(d, m.FSType == "cgroup2"); q > 0 && (cpus == 0 || q < cpus) {
				cpus, src = q, s
			}
			if d == filepath.Clean(m.Dir) || d == filepath.Dir(d) {
				break
			}
		}
	}
	return cpus, src, nil
}

// quotaIn returns the CPUs the quota set in cgroup directory d allows, 0 for
// none: v2 cpu.max "QUOTA PERIOD" (QUOTA "max" for none), v1 cpu.cfs_quota_us
// (-1 for none) over cpu.cfs_period_us, both in microseconds.
func (h probe) quotaIn(d string, v2 bool) (float64, string) {
	var q, p string
	if v2 {
		v, _ := h.read(filepath.Join(d, "cpu.max"))
		f := strings.Fields(v)
		if len(f) != 2 {
			return 0, ""
		}
		q, p = f[0], f[1]
	} else {
		q, _ = h.read(filepath.Join(d, "cpu.cfs_quota_us"))
		p, _ = h.read(filepath.Join(d, "cpu.cfs_period_us"))
	}
	x, err1 := strconv.ParseFloat(q, 64)
	y, err2 := strconv.ParseFloat(p, 64)
	if err1 != nil || err2 != nil || x <= 0 || y <= 0 {
		return 0, ""
	}
	if v2 {
		return x / y, fmt.Sprintf("%s/cpu.max %s %s", d, q, p)
	}
	return x / y, fmt.Sprintf("%s/cpu.cfs_quota_us %s over cpu.cfs_period_us %s", d, q, p)
}

// cgroups returns the cgroup mounts and this process's own cgroups: a v1
// controller (or "" for v2) to its path.
func (h probe) cgroups() ([]sandbox.CgroupMount, map[string]string, error) {
	info, err := h.read("proc/self/mountinfo")
	if err != nil {
		return nil, nil, err
	}
	self, err := h.read("proc/self/cgroup")
	if err != nil {
		return nil, nil, err
	}
	var mounts []sandbox.CgroupMount
	for line := range strings.SplitSeq(info, "\n") {
		if m, ok := sandbox.ParseMountinfo(line); ok {
			mounts = append(mounts, m)
		}
	}
	return mounts, sandbox.ParseProcCgroup(self), nil
}
