package host

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// DefaultSysfs is where this machine's sysfs is mounted.
const DefaultSysfs = "/sys"

// Topology is the CPU layout of a machine as its sysfs describes it: its
// logical CPUs, their physical cores, packages, NUMA nodes, last-level-cache
// domains and classes, and which CPUs this process may use.
type Topology struct {
	// Sysfs is the root it was read from.
	Sysfs string `json:"sysfs"`
	// CPUs are the online logical CPUs, by number.
	CPUs []CPU `json:"cpus"`
	// Classes group the CPUs by speed, the fastest first.
	Classes []Class `json:"classes"`
	// Online are the online CPUs (devices/system/cpu/online).
	Online []int `json:"online"`
	// Cpuset are the online CPUs of the cgroup cpuset: those a worker slot
	// may be given by name (--cpus), isolated ones included.
	Cpuset []int `json:"cpuset"`
	// Allowed are the CPUs this process may run on: its affinity within
	// its cpuset. Under a root other than this machine's sysfs, the tree's
	// cpuset.
	Allowed []int `json:"allowed"`
	// AllowedFrom says where Allowed and Cpuset come from.
	AllowedFrom string `json:"allowed_from"`
	// Isolated are the online CPUs the kernel keeps from the scheduler
	// (devices/system/cpu/isolated: isolcpus=). Worker slots use them only
	// when named.
	Isolated []int `json:"isolated"`
}

// CPU is one logical CPU.
type CPU struct {
	CPU int `json:"cpu"`
	// Core numbers the physical cores from 0, in the order of their lowest
	// CPU. A core is a set of SMT siblings (topology/thread_siblings_list):
	// core_id repeats across packages and, on ARM, across clusters.
	Core int `json:"core"`
	// Package is topology/physical_package_id; 0 when there is none.
	Package int `json:"package"`
	// Node is the NUMA node whose cpulist holds the CPU; 0 on a machine
	// without nodes, -1 when no node names it.
	Node int `json:"node"`
	// LLC numbers the last-level-cache domains from 0, in the order of their
	// lowest CPU: the CPUs that share the cache of the CPU's highest cache
	// level (cache/indexN/shared_cpu_list). Without cache information, a
	// package is one domain.
	LLC int `json:"llc"`
	// Class is the index of the CPU's class in Topology.Classes: 0 the
	// fastest.
	Class int `json:"class"`
	// Siblings are the online CPUs of its core, itself included.
	Siblings []int `json:"siblings"`
	// Allowed says this process may run on it.
	Allowed bool `json:"allowed"`
	// Isolated says the kernel keeps it from the scheduler.
	Isolated bool `json:"isolated"`
}

// Class is a set of CPUs of the same speed.
type Class struct {
	// Name is "P-core" or "E-core" on an Intel hybrid part, else what sets
	// the class apart: "capacity 1024", "max 3.70 GHz", or "all".
	Name string `json:"name"`
	// Source is the sysfs file the classes were told apart by: cpu_core/cpus
	// and cpu_atom/cpus, cpu_capacity, cpufreq/cpuinfo_max_freq, or "" when
	// none says.
	Source string `json:"source"`
	CPUs   []int  `json:"cpus"`
	// Cores is how many physical cores its CPUs are on.
	Cores int `json:"cores"`
	// Capacity is the highest cpu_capacity of its CPUs (1024 is the
	// fastest CPU of the machine); 0 when unknown.
	Capacity int `json:"capacity,omitempty"`
	// MaxFreqKHz is the highest cpuinfo_max_freq of its CPUs, in kHz; 0
	// when unknown.
	MaxFreqKHz int `json:"max_freq_khz,omitempty"`
}

// ReadTopology reads the CPU topology from the sysfs tree at root ("" means
// DefaultSysfs). On this machine's sysfs the allowed CPUs are this process's:
// its affinity (sched_getaffinity) within its cgroup cpuset. Any other root
// is a tree written or copied for a test: its allowed CPUs are its online
// CPUs within the cpuset at the top of its fs/cgroup, as a container sees
// its own. An error names the file that could not be read or parsed.
func ReadTopology(root string) (*Topology, error) {
	root = cmp.Or(root, DefaultSysfs)
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	s := sysfs(root)
	online, err := s.online()
	if err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	raw := make([]rawCPU, len(online))
	for i, c := range online {
		if raw[i], err = s.cpu(c, online); err != nil {
			return nil, fmt.Errorf("topology: %w", err)
		}
	}
	nodeOf, err := s.nodes()
	if err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	t := &Topology{Sysfs: root, Online: online}
	t.CPUs = assemble(raw, nodeOf)
	if t.Classes, err = s.classes(raw, t.CPUs); err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	isolated, _, err := s.list("devices/system/cpu/isolated")
	if err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	t.Isolated = intersect(isolated, online)
	if filepath.Clean(root) == DefaultSysfs {
		err = t.allowSelf()
	} else {
		err = t.allowTree(s)
	}
	if err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	for i := range t.CPUs {
		c := &t.CPUs[i]
		c.Allowed, c.Isolated = slices.Contains(t.Allowed, c.CPU), slices.Contains(t.Isolated, c.CPU)
	}
	return t, nil
}

// assemble numbers the cores and LLC domains of raw, by the sets of CPUs
// that share them, and puts each CPU in its node.
func assemble(raw []rawCPU, nodeOf map[int]int) []CPU {
	cores, llcs := map[string]int{}, map[string]int{}
	members := map[string][]int{}
	cpus := make([]CPU, len(raw))
	for i, r := range raw {
		core, llc := FormatCPUList(r.siblings), r.llc
		if _, ok := cores[core]; !ok {
			cores[core] = len(cores)
		}
		if _, ok := llcs[llc]; !ok {
			llcs[llc] = len(llcs)
		}
		members[core] = append(members[core], r.cpu)
		node, ok := nodeOf[r.cpu]
		if !ok && len(nodeOf) > 0 {
			node = -1
		}
		cpus[i] = CPU{CPU: r.cpu, Core: cores[core], Package: r.pkg, Node: node, LLC: llcs[llc]}
	}
	// A CPU's siblings are the CPUs that name the same set: so every CPU of
	// a core has the same list, whatever each file says.
	for i, r := range raw {
		cpus[i].Siblings = members[FormatCPUList(r.siblings)]
	}
	return cpus
}

// Cores returns the physical cores of t, each the sorted list of its
// online CPUs, in the order of Core.
func (t *Topology) Cores() [][]int {
	var cores [][]int
	for _, c := range t.CPUs {
		if c.Core == len(cores) {
			cores = append(cores, c.Siblings)
		}
	}
	return cores
}

// Nodes returns the NUMA nodes of t's CPUs, sorted.
func (t *Topology) Nodes() []int { return t.distinct(func(c CPU) int { return c.Node }) }

// Packages returns the packages of t's CPUs, sorted.
func (t *Topology) Packages() []int { return t.distinct(func(c CPU) int { return c.Package }) }

// LLCs returns how many last-level-cache domains t's CPUs are in.
func (t *Topology) LLCs() int { return len(t.distinct(func(c CPU) int { return c.LLC })) }

func (t *Topology) distinct(key func(CPU) int) []int {
	var out []int
	for _, c := range t.CPUs {
		out = append(out, key(c))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// SMT reports whether some core of t has more than one online CPU.
func (t *Topology) SMT() bool {
	return slices.ContainsFunc(t.CPUs, func(c CPU) bool { return len(c.Siblings) > 1 })
}

// cpu returns the CPU numbered n of t, or nil.
func (t *Topology) cpu(n int) *CPU {
	i, ok := slices.BinarySearchFunc(t.CPUs, n, func(c CPU, n int) int { return c.CPU - n })
	if !ok {
		return nil
	}
	return &t.CPUs[i]
}

// intersect returns the CPUs of a that are in b; both sorted.
func intersect(a, b []int) []int {
	out := []int{}
	for _, c := range a {
		if _, ok := slices.BinarySearch(b, c); ok {
			out = append(out, c)
		}
	}
	return out
}

// without returns the CPUs of a that are not in b; both sorted.
func without(a, b []int) []int {
	out := []int{}
	for _, c := range a {
		if _, ok := slices.BinarySearch(b, c); !ok {
			out = append(out, c)
		}
	}
	return out
}
