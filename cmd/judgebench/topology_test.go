package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtures are the sysfs trees of host/testdata/topology.
var fixtures = []string{"epyc-2s", "hybrid-desktop", "rk3399", "vm-2vcpu", "container-cpuset"}

func fixtureRoot(name string) string {
	return filepath.Join("..", "..", "host", "testdata", "topology", name)
}

// golden compares got with testdata/NAME, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

// TestTopologyJSON runs `topology --json --sysfs FIXTURE` on every fixture:
// the placement has every CPU worker slots may use (the allowed ones but the
// isolated) exactly once and nothing else, one CPU per physical core first,
// the fastest class first; the whole output is its golden file's, whose
// order the host package's tests show balanced.
func TestTopologyJSON(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "topology", "--json", "--sysfs", fixtureRoot(name))
			if r.code != 0 {
				t.Fatalf("judgebench topology --json --sysfs %s = %d, stderr %q", name, r.code, r.stderr)
			}
			var got struct {
				CPUs []struct {
					CPU, Core, Class int
					Siblings         []int
				} `json:"cpus"`
				Classes   []struct{ Name string } `json:"classes"`
				Allowed   []int                   `json:"allowed"`
				Isolated  []int                   `json:"isolated"`
				Placement []int                   `json:"placement"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("judgebench topology --json: %v in %q", err, r.stdout)
			}
			want := slices.DeleteFunc(slices.Clone(got.Allowed), func(c int) bool { return slices.Contains(got.Isolated, c) })
			if !slices.Equal(slices.Sorted(slices.Values(got.Placement)), want) {
				t.Errorf("placement %v; want every one of %v once", got.Placement, want)
			}
			core, class := map[int]int{}, map[int]int{}
			for _, c := range got.CPUs {
				core[c.CPU], class[c.CPU] = c.Core, c.Class
			}
			seen, firsts := map[int]bool{}, 0
			for i, c := range got.Placement {
				if !seen[core[c]] {
					if firsts != i || i > 0 && class[c] < class[got.Placement[i-1]] {
						t.Errorf("placement %v: CPU %d, the first of its core, at %d; want one per core first, fastest class first", got.Placement, c, i)
					}
					firsts++
				}
				seen[core[c]] = true
			}
			golden(t, filepath.Join("topology", name+".json"), r.stdout)
		})
	}
}

// TestTopologyText: the text layout of the hybrid desktop.
func TestTopologyText(t *testing.T) {
	r := runCLI(t, "topology", "--sysfs", fixtureRoot("hybrid-desktop"))
	if r.code != 0 {
		t.Fatalf("judgebench topology = %d, stderr %q", r.code, r.stderr)
	}
	golden(t, filepath.Join("topology", "hybrid-desktop.txt"), r.stdout)
}

// TestTopologyCPUs: --cpus places the CPUs named, isolated ones included.
func TestTopologyCPUs(t *testing.T) {
	r := runCLI(t, "topology", "--json", "--sysfs", fixtureRoot("epyc-2s"), "--cpus", "63,0-1,31,32")
	var got struct{ Placement []int }
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil || !slices.Equal(got.Placement, []int{0, 31, 1, 32, 63}) {
		t.Errorf("judgebench topology --cpus 63,0-1,31,32 = %d, %v, placement %v, stderr %q; want 0, 31, 1, 32, 63 (a core of each socket first)", r.code, err, got.Placement, r.stderr)
	}
}

// TestTopologyHere: on this machine, the placement is the CPUs this process
// may use but the isolated ones, each once.
func TestTopologyHere(t *testing.T) {
	r := runCLI(t, "topology", "--json")
	var got struct{ Allowed, Isolated, Placement []int }
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil {
		t.Fatalf("judgebench topology --json = %d, %v, stderr %q", r.code, err, r.stderr)
	}
	want := slices.DeleteFunc(got.Allowed, func(c int) bool { return slices.Contains(got.Isolated, c) })
	if !slices.Equal(slices.Sorted(slices.Values(got.Placement)), want) {
		t.Errorf("placement %v; want every one of %v once", got.Placement, want)
	}
	if r := runCLI(t, "topology"); r.code != 0 || !strings.HasPrefix(r.stdout, "sysfs /sys: ") || !strings.Contains(r.stdout, "\nplacement ") {
		t.Errorf("judgebench topology = %d, %q; want the layout and the placement", r.code, r.stdout)
	}
}

// TestTopologyUsage: a root that is no sysfs, a malformed --cpus or one
// outside the cpuset, an argument: exit 2 and one line.
func TestTopologyUsage(t *testing.T) {
	for _, args := range [][]string{
		{"topology", "--sysfs", filepath.Join(t.TempDir(), "none")},
		{"topology", "--sysfs", t.TempDir()},
		{"topology", "--cpus", "1-x"},
		{"topology", "--cpus", ""},
		{"topology", "--sysfs", fixtureRoot("container-cpuset"), "--cpus", "0-3"},
		{"topology", "extra"},
	} {
		r := runCLI(t, args...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("judgebench %q = %d, stdout %q; want 2 and nothing", args, r.code, r.stdout)
		}
		checkOneLineError(t, args, r)
	}
}

// TestRunPinned runs a problem whose answer is the CPUs its solution may run
// on and the CPU it ran on, pinned, at every isolation level (namespaces as
// root), under the serial, pool and process models: slot 0 takes the first
// CPU of the placement, or the one CPU of --cpus. Unpinned, the solution may
// run on every CPU and gets WRONG_ANSWER, which shows the check can tell.
func TestRunPinned(t *testing.T) {
	placement, err := host.WorkerCPUs(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(placement) < 2 {
		t.Skip("one CPU: a pinned program cannot be told from one that is not")
	}
	last := slices.Max(placement)
	levels := []string{"none", "process", "namespaces"}
	if os.Geteuid() != 0 {
		levels = levels[:2]
	}
	script := "grep Cpus_allowed_list /proc/self/status; cut -d' ' -f39 /proc/self/stat"
	for _, level := range levels {
		for _, tt := range []struct {
			cpu  int
			args []string
			code int
		}{
			{placement[0], []string{"--pin", "on"}, 0},
			{last, []string{"--pin", "both", "--cpus", strconv.Itoa(last)}, 0},
			{placement[0], []string{"--pin", "off"}, 1},
		} {
			dir := t.TempDir()
			answer := "Cpus_allowed_list:\t" + strconv.Itoa(tt.cpu) + "\n" + strconv.Itoa(tt.cpu) + "\n"
			for name, data := range map[string]string{"1.in": "", "1.out": answer} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(t.TempDir(), "run")
			args := append([]string{"run", dir, "--models", "serial,pool,process", "--parallel", "1", "--isolation", level, "--out", out, "--quiet"},
				tt.args...)
			r := runCLI(t, append(args, "--", "/bin/sh", "-c", script)...)
			if r.code != tt.code {
				t.Errorf("judgebench %q = %d, stdout %q, stderr %q; want %d", args, r.code, r.stdout, r.stderr, tt.code)
				continue
			}
			run, err := results.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Machine.Placement) == 0 || run.Machine.Placement[0] != placement[0] && tt.args[1] != "both" {
				t.Errorf("judgebench %q: machine.placement %v; want it to start with %d", args, run.Machine.Placement, placement[0])
			}
			if tt.code == 0 && len(run.Samples) < 3 {
				t.Errorf("judgebench %q: %d samples; want serial, pool and process", args, len(run.Samples))
			}
		}
	}
}
