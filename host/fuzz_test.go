package host

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// FuzzParseCPUList checks that ParseCPUList never panics, returns sorted
// CPUs each once within MaxCPUs, and that what it accepts survives
// FormatCPUList unchanged.
func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"", "0", "0-3", "0-3,8,10-11\n", " 1 , 3-4 ", "3,1,2,2", "0-8191", "8192", "4-2", "-1", "1-", "a",
		"0x1", "1,,2", "0-15:2", "٣", "+1", "01", "1-1", "0-1,0-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cpus, err := ParseCPUList(s)
		if err != nil {
			return
		}
		if !slices.IsSorted(cpus) || len(slices.Compact(slices.Clone(cpus))) != len(cpus) {
			t.Fatalf("ParseCPUList(%q) = %v; want sorted, each once", s, cpus)
		}
		if len(cpus) > 0 && (cpus[0] < 0 || cpus[len(cpus)-1] >= MaxCPUs) {
			t.Fatalf("ParseCPUList(%q) = %v; want CPUs 0 to %d", s, cpus, MaxCPUs-1)
		}
		again, err := ParseCPUList(FormatCPUList(cpus))
		if err != nil || !slices.Equal(again, cpus) {
			t.Fatalf("ParseCPUList(FormatCPUList(%v)) = %v, %v; want the same CPUs", cpus, again, err)
		}
	})
}

// FuzzEntryNumber checks that entryNumber takes exactly the names prefix+N
// that it writes back the same.
func FuzzEntryNumber(f *testing.F) {
	for _, s := range []string{"cpu0", "cpu12", "cpu", "cpufreq", "cpu01", "cpu-1", "cpu+1", "cpu99999", "node1", "index3", "cpu1a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n, ok := entryNumber(name, "cpu")
		if ok != (name == "cpu"+strconv.Itoa(n) && n >= 0 && n < MaxCPUs) {
			t.Fatalf("entryNumber(%q) = %d, %v; want ok only for cpuN as Itoa writes N, below %d", name, n, ok, MaxCPUs)
		}
	})
}

// FuzzTopology writes what it is given into a copy of the container-cpuset
// fixture (one CPU's siblings, another's last-level cache, the node's CPUs,
// the online CPUs and the cpuset) and checks that ReadTopology either says
// which file is wrong or returns a topology whose placement holds: every
// CPU a worker slot may use exactly once, one CPU per core first, class by
// class, balanced over the last-level-cache domains.
func FuzzTopology(f *testing.F) {
	f.Add("2,10", "0-15", "0-15", "0-15", "2-5,10-11")
	f.Add("2-3", "3,11", "0-7", "0-15", "2-5,10-11")
	f.Add("2", "0-1", "8-15", "0-3,8-11", "")
	f.Add("0-15", "3", "1", "2-3", "9")
	f.Add("x", "", "", "0-99", "0-8191")
	f.Add("5", "1-2,7", "0-15", "", "2")
	root := copyFixture(f, "container-cpuset", nil)
	files := []string{"devices/system/cpu/cpu2/topology/thread_siblings_list", "devices/system/cpu/cpu3/cache/index3/shared_cpu_list",
		"devices/system/node/node0/cpulist", "devices/system/cpu/online", "fs/cgroup/cpuset.cpus.effective"}
	f.Fuzz(func(t *testing.T, siblings, llc, node, online, cpuset string) {
		for i, v := range []string{siblings, llc, node, online, cpuset} {
			if err := os.WriteFile(filepath.Join(root, files[i]), []byte(v+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		topo, err := ReadTopology(root)
		if err != nil {
			return
		}
		if len(without(topo.Allowed, topo.Cpuset)) > 0 || len(without(topo.Cpuset, topo.Online)) > 0 || len(topo.CPUs) != len(topo.Online) {
			t.Fatalf("allowed %v, cpuset %v, online %v, %d CPUs; want each within the next", topo.Allowed, topo.Cpuset, topo.Online, len(topo.CPUs))
		}
		for _, c := range topo.CPUs {
			if !slices.Contains(c.Siblings, c.CPU) || c.Class < 0 || c.Class >= len(topo.Classes) {
				t.Fatalf("CPU %+v: want itself among its siblings and a class of %d", c, len(topo.Classes))
			}
			for _, s := range c.Siblings {
				if !slices.Equal(topo.cpu(s).Siblings, c.Siblings) || topo.cpu(s).Core != c.Core {
					t.Fatalf("CPU %d siblings %v, its sibling %d's %v; want the same core", c.CPU, c.Siblings, s, topo.cpu(s).Siblings)
				}
			}
		}
		workers, err := topo.Workers(nil)
		if err != nil || len(workers) == 0 {
			t.Fatalf("Workers(nil) = %v, %v; want some CPUs", workers, err)
		}
		checkPlacement(t, topo, workers, topo.Place(Spread, workers), false)
	})
}
