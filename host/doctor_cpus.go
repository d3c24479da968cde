package host

import (
	"fmt"
	"path/filepath"
	"strings"
)

// topology returns the CPU topology of h's root/sys.
func (h probe) topology() (*Topology, error) {
	if h.topo != nil {
		return h.topo()
	}
	return ReadTopology(filepath.Join(h.root, "sys"))
}

// smtOfCores is the smt check of a kernel without smt/active: SMT is on
// when a core has several online CPUs.
func smtOfCores(h probe) (string, string) {
	t, err := h.topology()
	if err != nil {
		return statusUnknown, "no /sys/devices/system/cpu/smt, and no CPU topology"
	}
	shared := 0
	for _, core := range t.Cores() {
		if len(core) > 1 {
			shared++
		}
	}
	if shared > 0 {
		return statusWarn, fmt.Sprintf("SMT on (%d of %d cores have siblings online)", shared, len(t.Cores()))
	}
	return statusOK, fmt.Sprintf("SMT off (no core of %d has siblings online)", len(t.Cores()))
}

func cpuClasses(h probe) (string, string) {
	t, err := h.topology()
	if err != nil {
		return statusUnknown, "no CPU topology: " + err.Error()
	}
	parts := make([]string, len(t.Classes))
	for i, c := range t.Classes {
		parts[i] = fmt.Sprintf("%s %s (%d %s)", c.Name, FormatCPUList(c.CPUs), c.Cores, plural(c.Cores, "core"))
	}
	if len(t.Classes) == 1 {
		return statusOK, "one class: " + parts[0]
	}
	return statusWarn, fmt.Sprintf("%d classes, fastest first: %s (from %s)", len(t.Classes), strings.Join(parts, ", "), t.Classes[0].Source)
}

func numa(h probe) (string, string) {
	t, err := h.topology()
	if err != nil {
		return statusUnknown, "no CPU topology: " + err.Error()
	}
	nodes := t.Nodes()
	if len(nodes) == 1 {
		return statusOK, "1 node"
	}
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		var cpus []int
		for _, c := range t.CPUs {
			if c.Node == n {
				cpus = append(cpus, c.CPU)
			}
		}
		parts[i] = fmt.Sprintf("node %d: %s", n, FormatCPUList(cpus))
	}
	return statusWarn, fmt.Sprintf("%d nodes (%s)", len(nodes), strings.Join(parts, "; "))
}

func cpuset(h probe) (string, string) {
	t, err := h.topology()
	if err != nil {
		return statusUnknown, "no CPU topology: " + err.Error()
	}
	online := FormatCPUList(t.Online)
	outside := without(without(t.Online, t.Isolated), t.Allowed)
	if len(outside) == 0 {
		if len(t.Isolated) > 0 {
			return statusOK, fmt.Sprintf("all %d online CPUs (%s) but the isolated ones", len(t.Online), online)
		}
		return statusOK, fmt.Sprintf("all %d online CPUs (%s)", len(t.Online), online)
	}
	v := fmt.Sprintf("%s of %s online (%s)", FormatCPUList(t.Allowed), online, t.AllowedFrom)
	var split []int // allowed CPUs that share a core with a CPU outside the set
	for _, c := range t.CPUs {
		if c.Allowed && len(without(c.Siblings, t.Allowed)) > 0 {
			split = append(split, c.CPU)
		}
	}
	if len(split) == 0 {
		return statusOK, v + ", whole cores"
	}
	return statusWarn, fmt.Sprintf("%s; %s share a core with CPUs outside it", v, FormatCPUList(split))
}

func isolated(h probe) (string, string) {
	t, err := h.topology()
	if err != nil {
		return statusUnknown, "no CPU topology: " + err.Error()
	}
	if len(t.Isolated) == 0 {
		return statusOK, "none"
	}
	return statusOK, FormatCPUList(t.Isolated) + ": worker slots use them only when named (--cpus)"
}

// plural is word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
