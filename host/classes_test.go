package host

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyFixture copies fixture name to a temporary directory, without the
// files whose paths (relative to it) drop says, and returns the copy.
func copyFixture(t testing.TB, name string, drop func(rel string) bool) string {
	t.Helper()
	dst := t.TempDir()
	src := fixture(name)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if drop != nil && drop(rel) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestClassSources: the hybrid PMUs' lists come before a uniform
// cpu_capacity; without them that capacity is one class; without it the
// maximum frequency splits P-cores from E-cores but not the Turbo Boost Max
// cores from the other P-cores.
func TestClassSources(t *testing.T) {
	pmus := func(rel string) bool { return strings.HasPrefix(rel, "devices/cpu_") }
	capacity := func(rel string) bool { return pmus(rel) || strings.HasSuffix(rel, "cpu_capacity") }
	freq := func(rel string) bool { return capacity(rel) || strings.Contains(rel, "cpufreq") }
	tests := []struct {
		name  string
		drop  func(string) bool
		names string
	}{
		{"pmus", nil, "P-core 0-15, E-core 16-23"},
		{"capacity", pmus, "capacity 1024 0-23"},
		{"frequency", capacity, "max 5.10 GHz 0-15, max 3.90 GHz 16-23"},
		{"nothing", freq, "all 0-23"},
	}
	for _, tt := range tests {
		topo, err := ReadTopology(copyFixture(t, "hybrid-desktop", tt.drop))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range topo.Classes {
			got = append(got, c.Name+" "+FormatCPUList(c.CPUs))
		}
		if strings.Join(got, ", ") != tt.names {
			t.Errorf("hybrid-desktop by %s: classes %q; want %s", tt.name, got, tt.names)
		}
		workers, _ := topo.Workers(nil)
		checkPlacement(t, topo, workers, topo.Place(Spread, workers), true)
	}
}
