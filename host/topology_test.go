package host

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture is the path of a sysfs tree of host/testdata/topology (see its
// README.md for the machine each one describes).
func fixture(name string) string { return filepath.Join("testdata", "topology", name) }

// readFixture reads the topology of fixture name.
func readFixture(t testing.TB, name string) *Topology {
	t.Helper()
	topo, err := ReadTopology(fixture(name))
	if err != nil {
		t.Fatalf("ReadTopology(%s) = %v", name, err)
	}
	return topo
}

// TestTopologyFixtures reads each fixture and checks what it describes, and
// the placement order: exactly as given where it is small enough to write
// down, and the properties of a placement on every one.
func TestTopologyFixtures(t *testing.T) {
	tests := []struct {
		name                     string
		classes                  []string // names, fastest first
		classCPUs                []string
		allowed, isolated        string
		cores, llcs              int
		nodes, packages          []int
		smt                      bool
		spread                   string // "" when too long to write down
		perCore, fastest, packed string
	}{
		{"epyc-2s", []string{"max 3.70 GHz"}, []string{"0-63"}, "0-63", "31,63", 32, 8, []int{0, 1, 2, 3}, []int{0, 1}, true, "", "", "", ""},
		{"hybrid-desktop", []string{"P-core", "E-core"}, []string{"0-15", "16-23"}, "0-23", "", 16, 1, []int{0}, []int{0}, true,
			"0,2,4,6,8,10,12,14,16,17,18,19,20,21,22,23,1,3,5,7,9,11,13,15",
			"0,2,4,6,8,10,12,14,16,17,18,19,20,21,22,23", "0,2,4,6,8,10,12,14",
			"0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23"},
		{"rk3399", []string{"capacity 1024", "capacity 381"}, []string{"4-5", "0-3"}, "0-5", "", 6, 2, []int{0}, []int{0, 1}, false,
			"4,5,0,1,2,3", "4,5,0,1,2,3", "4,5", "4,5,0,1,2,3"},
		{"vm-2vcpu", []string{"capacity 1024"}, []string{"0-1"}, "0-1", "", 2, 1, []int{0}, []int{0}, false, "0,1", "0,1", "0,1", "0,1"},
		{"container-cpuset", []string{"max 5.00 GHz"}, []string{"0-15"}, "2-5,10-11", "", 8, 1, []int{0}, []int{0}, true,
			"2,3,4,5,10,11", "2,3,4,5", "2,3,4,5", "2,10,3,11,4,5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := readFixture(t, tt.name)
			var names, cpus []string
			for _, c := range topo.Classes {
				names, cpus = append(names, c.Name), append(cpus, FormatCPUList(c.CPUs))
			}
			if !slices.Equal(names, tt.classes) || !slices.Equal(cpus, tt.classCPUs) {
				t.Errorf("classes = %q of %q; want %q of %q", names, cpus, tt.classes, tt.classCPUs)
			}
			if got := FormatCPUList(topo.Allowed); got != tt.allowed {
				t.Errorf("allowed = %s; want %s", got, tt.allowed)
			}
			if got := FormatCPUList(topo.Isolated); got != tt.isolated {
				t.Errorf("isolated = %s; want %s", got, tt.isolated)
			}
			if len(topo.Cores()) != tt.cores || topo.LLCs() != tt.llcs || !slices.Equal(topo.Nodes(), tt.nodes) ||
				!slices.Equal(topo.Packages(), tt.packages) || topo.SMT() != tt.smt {
				t.Errorf("cores %d, LLC domains %d, nodes %v, packages %v, SMT %v; want %d, %d, %v, %v, %v",
					len(topo.Cores()), topo.LLCs(), topo.Nodes(), topo.Packages(), topo.SMT(), tt.cores, tt.llcs, tt.nodes, tt.packages, tt.smt)
			}
			workers, err := topo.Workers(nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := without(topo.Allowed, topo.Isolated); !slices.Equal(workers, want) {
				t.Errorf("Workers(nil) = %v; want the allowed CPUs but the isolated ones, %v", workers, want)
			}
			spread := topo.Place(Spread, workers)
			checkPlacement(t, topo, workers, spread, true)
			for s, want := range map[Strategy]string{Spread: tt.spread, PerCore: tt.perCore, Fastest: tt.fastest, Packed: tt.packed} {
				if got := joinInts(topo.Place(s, workers)); want != "" && got != want {
					t.Errorf("Place(%s) = %s; want %s", s, got, want)
				}
			}
			checkStrategies(t, topo, workers, spread)
		})
	}
}

// checkStrategies checks the strategies other than Spread against it:
// PerCore is its one-per-core part, Fastest that part's fastest class,
// Packed every CPU with each core's CPUs side by side.
func checkStrategies(t *testing.T, topo *Topology, workers, spread []int) {
	t.Helper()
	cores := len(coresOf(topo, workers))
	if got := topo.Place(PerCore, workers); !slices.Equal(got, spread[:cores]) {
		t.Errorf("Place(per-core) = %v; want Spread's first %d, %v", got, cores, spread[:cores])
	}
	fastest := topo.Place(Fastest, workers)
	if len(fastest) == 0 || !slices.Equal(fastest, spread[:len(fastest)]) {
		t.Errorf("Place(fastest) = %v; want a prefix of Spread %v", fastest, spread)
	}
	for _, c := range fastest {
		if topo.cpu(c).Class != topo.cpu(fastest[0]).Class {
			t.Errorf("Place(fastest) = %v: CPU %d is of another class than %d", fastest, c, fastest[0])
		}
	}
	packed := topo.Place(Packed, workers)
	if !slices.Equal(slices.Sorted(slices.Values(packed)), workers) {
		t.Errorf("Place(packed) = %v; want every one of %v once", packed, workers)
	}
	for i := 1; i < len(packed); i++ { // a core's CPUs are never apart
		if a, b := topo.cpu(packed[i-1]).Core, topo.cpu(packed[i]).Core; a != b && slices.ContainsFunc(packed[i:], func(c int) bool { return topo.cpu(c).Core == a }) {
			t.Errorf("Place(packed) = %v: core %d is split", packed, a)
		}
	}
}

// coresOf returns the cores of the CPUs in cpus.
func coresOf(topo *Topology, cpus []int) map[int]bool {
	cores := map[int]bool{}
	for _, c := range cpus {
		cores[topo.cpu(c).Core] = true
	}
	return cores
}

// checkPlacement checks that order is a Spread placement of workers: every
// one of them exactly once and nothing else; first one CPU per physical
// core, class by class, fastest first; the SMT siblings of those cores
// after; and within each class the cores balanced over the last-level-cache
// domains and, when nodes is set, over NUMA nodes.
func checkPlacement(t *testing.T, topo *Topology, workers, order []int, nodes bool) {
	t.Helper()
	if !slices.Equal(slices.Sorted(slices.Values(order)), workers) {
		t.Fatalf("placement %v; want every one of %v exactly once", order, workers)
	}
	cores := len(coresOf(topo, workers))
	seen := map[int]bool{}
	for i, c := range order {
		cpu := topo.cpu(c)
		if first := !seen[cpu.Core]; first != (i < cores) {
			t.Fatalf("placement %v: CPU %d at %d is the first of its core: %v; want one CPU per core in the first %d", order, c, i, first, cores)
		}
		seen[cpu.Core] = true
		if i > 0 && i < cores && cpu.Class < topo.cpu(order[i-1]).Class {
			t.Errorf("placement %v: CPU %d of class %d after a CPU of class %d; want the fastest class first", order, c, cpu.Class, topo.cpu(order[i-1]).Class)
		}
	}
	for start := 0; start < cores; {
		end := start
		for end < cores && topo.cpu(order[end]).Class == topo.cpu(order[start]).Class {
			end++
		}
		checkBalance(t, topo, order[start:end], "LLC domain", func(c *CPU) int { return c.LLC })
		if nodes {
			checkBalance(t, topo, order[start:end], "node", func(c *CPU) int { return c.Node })
		}
		start = end
	}
}

// checkBalance checks that at every prefix of first (one CPU per core of a
// class) the cores taken from each domain differ by at most one among the
// domains that still have cores left.
func checkBalance(t *testing.T, topo *Topology, first []int, what string, domain func(*CPU) int) {
	t.Helper()
	left, taken := map[int]int{}, map[int]int{}
	for _, c := range first {
		left[domain(topo.cpu(c))]++
	}
	for i, c := range first {
		d := domain(topo.cpu(c))
		left[d]--
		taken[d]++
		lo, hi := -1, -1
		for dom, n := range left {
			if n > 0 {
				if lo < 0 || taken[dom] < lo {
					lo = taken[dom]
				}
				hi = max(hi, taken[dom])
			}
		}
		if hi-lo > 1 {
			t.Errorf("placement %v: after %d cores, %ss with cores left have %d to %d taken (%v); want at most one apart", first, i+1, what, lo, hi, taken)
			return
		}
	}
}

func joinInts(x []int) string {
	s := make([]string, len(x))
	for i, n := range x {
		s[i] = FormatCPUList([]int{n})
	}
	return strings.Join(s, ",")
}

// TestCoresBySiblings: cores are the sets of SMT siblings, not core_id,
// which repeats across sockets (EPYC: CPU 0 and 16) and clusters (RK3399:
// CPU 0 and 4).
func TestCoresBySiblings(t *testing.T) {
	tests := []struct {
		fixture  string
		a, b     int // CPUs of the same core_id on different cores
		siblings string
	}{
		{"epyc-2s", 0, 16, "0,32"},
		{"rk3399", 0, 4, "0"},
		{"hybrid-desktop", 0, 1, "0-1"},
	}
	for _, tt := range tests {
		topo := readFixture(t, tt.fixture)
		a, b := topo.cpu(tt.a), topo.cpu(tt.b)
		if got := FormatCPUList(a.Siblings); got != tt.siblings {
			t.Errorf("%s: CPU %d siblings = %s; want %s", tt.fixture, tt.a, got, tt.siblings)
		}
		same := slices.Contains(a.Siblings, tt.b)
		if (a.Core == b.Core) != same {
			t.Errorf("%s: CPUs %d and %d on cores %d and %d; want the same core only for siblings", tt.fixture, tt.a, tt.b, a.Core, b.Core)
		}
	}
}

// TestWorkersNamed: a named CPU must be in the cpuset, isolated ones too;
// named ones are placed in the same order as the rest.
func TestWorkersNamed(t *testing.T) {
	epyc := readFixture(t, "epyc-2s")
	got, err := epyc.Workers([]int{63, 31, 0, 32})
	if err != nil || joinInts(epyc.Place(Spread, got)) != "0,31,32,63" {
		t.Errorf("epyc-2s Workers(63,31,0,32) placed = %v, %v; want 0,31,32,63 (isolated ones may be named)", epyc.Place(Spread, got), err)
	}
	box := readFixture(t, "container-cpuset")
	if _, err := box.Workers([]int{1, 2}); err == nil || !strings.Contains(err.Error(), "CPU 1 is not") {
		t.Errorf("container-cpuset Workers(1,2) error = %v; want CPU 1 refused, outside the cpuset", err)
	}
	if got, err := box.Workers([]int{11, 4, 5}); err != nil || joinInts(box.Place(Spread, got)) != "4,5,11" {
		t.Errorf("container-cpuset Workers(11,4,5) placed = %v, %v; want 4,5,11", box.Place(Spread, got), err)
	}
}

// TestTopologyErrors: a root that is no sysfs, and a file that is not what
// sysfs writes, are errors that name the file.
func TestTopologyErrors(t *testing.T) {
	if _, err := ReadTopology(t.TempDir()); err == nil || !strings.Contains(err.Error(), "devices/system/cpu/online") {
		t.Errorf("ReadTopology(empty dir) error = %v; want one naming devices/system/cpu/online", err)
	}
	root := copyFixture(t, "vm-2vcpu", nil)
	file := filepath.Join(root, "devices/system/cpu/cpu1/topology/thread_siblings_list")
	if err := os.WriteFile(file, []byte("1-x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTopology(root); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("ReadTopology(bad siblings list) error = %v; want one naming %s", err, file)
	}
}

// TestTopologyHere reads this machine's: the allowed CPUs are this
// process's, and the placement gives every one once.
func TestTopologyHere(t *testing.T) {
	topo, err := ReadTopology("")
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Allowed) == 0 || len(without(topo.Allowed, topo.Online)) > 0 {
		t.Errorf("allowed %v; want some of the online %v", topo.Allowed, topo.Online)
	}
	got, err := WorkerCPUs(nil)
	if err != nil {
		t.Fatal(err)
	}
	workers, _ := topo.Workers(nil)
	checkPlacement(t, topo, workers, got, true)
}
