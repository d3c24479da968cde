package host

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// ClassTolerance is how much below the fastest CPU of a class, by
// cpu_capacity or maximum frequency, another CPU may be and still be of that
// class: preferred cores and Turbo Boost Max cores of a homogeneous part
// differ by less (3% to 9%), the cores of a hybrid part or a big.LITTLE
// board by more (20% and up).
const ClassTolerance = 0.15

// classes tells the CPUs apart by speed, fastest first, and sets the Class
// of each of cpus: by the Intel hybrid PMUs' CPU lists (devices/cpu_core,
// devices/cpu_atom) when they exist; else by cpu_capacity, when every CPU has
// one (uniform: one class); else by the maximum frequency, when every CPU
// has one; else all of one class.
func (s sysfs) classes(raw []rawCPU, cpus []CPU) ([]Class, error) {
	groups, names, err := s.hybrid(raw)
	if err != nil {
		return nil, err
	}
	source := hybridSource
	switch {
	case groups != nil:
	case !slices.ContainsFunc(raw, func(r rawCPU) bool { return r.capacity <= 0 }):
		groups, source = byValue(raw, func(r rawCPU) int { return r.capacity }), "cpu_capacity"
	case !slices.ContainsFunc(raw, func(r rawCPU) bool { return r.maxFreq <= 0 }):
		groups, source = byValue(raw, func(r rawCPU) int { return r.maxFreq }), "cpufreq/cpuinfo_max_freq"
	default:
		source, groups = "", [][]int{make([]int, len(raw))}
		for i := range raw {
			groups[0][i] = i
		}
	}
	classes := make([]Class, len(groups))
	for k, g := range groups {
		c := &classes[k]
		c.Source = source
		cores := map[int]bool{}
		for _, i := range g {
			cpus[i].Class = k
			c.CPUs = append(c.CPUs, raw[i].cpu)
			c.Capacity, c.MaxFreqKHz = max(c.Capacity, raw[i].capacity), max(c.MaxFreqKHz, raw[i].maxFreq)
			cores[cpus[i].Core] = true
		}
		slices.Sort(c.CPUs)
		c.Cores = len(cores)
		if c.Name = className(source, *c); names != nil {
			c.Name = names[k]
		}
	}
	return classes, nil
}

// hybridSource is the Source of an Intel hybrid part's classes.
const hybridSource = "cpu_core/cpus, cpu_atom/cpus"

// hybrid groups raw (by index) as an Intel hybrid part's PMUs list them:
// cpu_core (P-cores), then cpu_atom (E-cores), then any CPU neither lists,
// each group with its name; nil when neither exists.
func (s sysfs) hybrid(raw []rawCPU) ([][]int, []string, error) {
	pcores, okP, err := s.list("devices/cpu_core/cpus")
	if err != nil {
		return nil, nil, err
	}
	ecores, okE, err := s.list("devices/cpu_atom/cpus")
	if err != nil || !okP && !okE {
		return nil, nil, err
	}
	groups, names := make([][]int, 3), []string{"P-core", "E-core", "other"}
	for i, r := range raw {
		switch {
		case slices.Contains(pcores, r.cpu):
			groups[0] = append(groups[0], i)
		case slices.Contains(ecores, r.cpu):
			groups[1] = append(groups[1], i)
		default:
			groups[2] = append(groups[2], i)
		}
	}
	for k := len(groups) - 1; k >= 0; k-- {
		if len(groups[k]) == 0 {
			groups, names = slices.Delete(groups, k, k+1), slices.Delete(names, k, k+1)
		}
	}
	return groups, names, nil
}

// byValue groups raw (by index) by value, highest first: a group holds the
// CPUs within ClassTolerance below its highest.
func byValue(raw []rawCPU, value func(rawCPU) int) [][]int {
	order := make([]int, len(raw))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(value(raw[b]), value(raw[a])) })
	var groups [][]int
	top := 0
	for _, i := range order {
		if v := value(raw[i]); len(groups) == 0 || float64(v) < float64(top)*(1-ClassTolerance) {
			groups, top = append(groups, nil), v
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], i)
	}
	for _, g := range groups {
		slices.Sort(g)
	}
	return groups
}

// className names class c, told apart from the others by source.
func className(source string, c Class) string {
	switch source {
	case "cpu_capacity":
		return "capacity " + strconv.Itoa(c.Capacity)
	case "cpufreq/cpuinfo_max_freq":
		return fmt.Sprintf("max %.2f GHz", float64(c.MaxFreqKHz)/1e6)
	}
	return "all"
}
