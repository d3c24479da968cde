package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// sysfs is the root of a sysfs tree: this machine's /sys, or a test's.
type sysfs string

// rawCPU is what sysfs says of one online CPU.
type rawCPU struct {
	cpu      int
	siblings []int  // online, itself included
	pkg      int    // physical_package_id
	llc      string // what names its last-level-cache domain
	capacity int    // cpu_capacity; 0 when missing
	maxFreq  int    // cpufreq/cpuinfo_max_freq in kHz; 0 when missing
}

func (s sysfs) path(rel string) string { return filepath.Join(string(s), rel) }

// read returns the trimmed contents of rel; ok false when it does not exist.
func (s sysfs) read(rel string) (string, bool, error) {
	data, err := os.ReadFile(s.path(rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return strings.TrimSpace(string(data)), true, nil
}

// list reads the CPU list in rel; ok false when it does not exist.
func (s sysfs) list(rel string) ([]int, bool, error) {
	v, ok, err := s.read(rel)
	if err != nil || !ok {
		return nil, ok, err
	}
	cpus, err := ParseCPUList(v)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", s.path(rel), err)
	}
	return cpus, true, nil
}

// number reads the whole number in rel; ok false when it does not exist.
func (s sysfs) number(rel string) (int, bool, error) {
	v, ok, err := s.read(rel)
	if err != nil || !ok {
		return 0, ok, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %q is no whole number", s.path(rel), v)
	}
	return n, true, nil
}

// numbered returns N of the entries of dir named prefix+N, sorted.
func (s sysfs) numbered(dir, prefix string) []int {
	entries, _ := os.ReadDir(s.path(dir))
	var out []int
	for _, e := range entries {
		if n, ok := entryNumber(e.Name(), prefix); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// entryNumber returns N of a name prefix+N ("cpu12", "node1", "index3"):
// decimal digits only, no sign, no leading zero but "0" itself.
func entryNumber(name, prefix string) (int, bool) {
	num, ok := strings.CutPrefix(name, prefix)
	if !ok || num == "" || strings.Trim(num, "0123456789") != "" || len(num) > 1 && num[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n < MaxCPUs
}

// online returns the online CPUs: devices/system/cpu/online, else every
// cpuN directory.
func (s sysfs) online() ([]int, error) {
	cpus, ok, err := s.list("devices/system/cpu/online")
	if err != nil {
		return nil, err
	}
	if !ok {
		cpus = s.numbered("devices/system/cpu", "cpu")
	}
	if len(cpus) == 0 {
		return nil, fmt.Errorf("%s: no online CPU", s.path("devices/system/cpu/online"))
	}
	return cpus, nil
}

// cpu reads what sysfs says of CPU c, of the online CPUs.
func (s sysfs) cpu(c int, online []int) (rawCPU, error) {
	dir := "devices/system/cpu/cpu" + strconv.Itoa(c) + "/"
	r := rawCPU{cpu: c}
	siblings, ok, err := s.list(dir + "topology/thread_siblings_list")
	if err == nil && !ok {
		siblings, _, err = s.list(dir + "topology/core_cpus_list")
	}
	if err != nil {
		return r, err
	}
	r.siblings = withCPU(intersect(siblings, online), c)
	if r.pkg, _, err = s.number(dir + "topology/physical_package_id"); err != nil {
		return r, err
	}
	if r.llc, err = s.llc(dir, c, online); err != nil {
		return r, err
	}
	if r.llc == "" {
		r.llc = "package " + strconv.Itoa(r.pkg)
	}
	if r.capacity, _, err = s.number(dir + "cpu_capacity"); err != nil {
		return r, err
	}
	r.maxFreq, _, err = s.number(dir + "cpufreq/cpuinfo_max_freq")
	return r, err
}

// llc names the last-level-cache domain of CPU c, whose directory is dir:
// the online CPUs sharing the cache of its highest level (the highest index
// of that level); "" when it has no cache information.
func (s sysfs) llc(dir string, c int, online []int) (string, error) {
	best, bestLevel := -1, -1
	for _, i := range s.numbered(dir+"cache", "index") {
		level, ok, err := s.number(dir + "cache/index" + strconv.Itoa(i) + "/level")
		if err != nil {
			return "", err
		}
		if ok && level >= bestLevel {
			best, bestLevel = i, level
		}
	}
	if best < 0 {
		return "", nil
	}
	shared, ok, err := s.list(dir + "cache/index" + strconv.Itoa(best) + "/shared_cpu_list")
	if err != nil || !ok {
		return "", err
	}
	return "cache " + FormatCPUList(withCPU(intersect(shared, online), c)), nil
}

// nodes maps each CPU to the NUMA node whose cpulist holds it first; empty
// on a machine without nodes.
func (s sysfs) nodes() (map[int]int, error) {
	nodeOf := map[int]int{}
	for _, n := range s.numbered("devices/system/node", "node") {
		cpus, _, err := s.list("devices/system/node/node" + strconv.Itoa(n) + "/cpulist")
		if err != nil {
			return nil, err
		}
		for _, c := range cpus {
			if _, ok := nodeOf[c]; !ok {
				nodeOf[c] = n
			}
		}
	}
	return nodeOf, nil
}

// withCPU returns the sorted list cpus with c in it.
func withCPU(cpus []int, c int) []int {
	if i, ok := slices.BinarySearch(cpus, c); !ok {
		cpus = slices.Insert(cpus, i, c)
	}
	return cpus
}
