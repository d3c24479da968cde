package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTeach runs every lesson, as README says, and checks each is shown with
// its live numbers and a fix, all within two minutes. Race-instrumented
// children are far slower, so under -race it runs one lesson.
func TestTeach(t *testing.T) {
	args := []string{"teach"}
	if raceEnabled {
		args = append(args, "lost-errors")
	}
	start := time.Now()
	r := runCLI(t, args...)
	took := time.Since(start)
	if r.code != 0 || took > 2*time.Minute {
		t.Fatalf("judgebench %q = %d after %v, stderr %q; want 0 within 2 minutes", args, r.code, took, r.stderr)
	}
	lessons := strings.Count(r.stdout, "\n== ")
	if want := map[bool]int{false: 8, true: 1}[raceEnabled]; lessons != want ||
		strings.Count(r.stdout, "What it shows: ") != want || strings.Count(r.stdout, "The fix: ") != want {
		t.Errorf("teach printed %d lessons:\n%s\nwant %d, each with what it shows and the fix", lessons, r.stdout, want)
	}
	if !strings.Contains(r.stdout, "pool-fireforget lost 3 of 3") {
		t.Errorf("teach printed:\n%s\nwant the lost-errors lesson's count", r.stdout)
	}
}

func TestTeachBadInput(t *testing.T) {
	for _, args := range [][]string{{"teach", "nosuch"}, {"teach", "gil", "panic"}, {"teach", "--cgroup", "v9"}, {"teach", "--bogus"}} {
		r := runCLI(t, args...)
		if r.code != 2 {
			t.Errorf("judgebench %q = %d; want 2", args, r.code)
		}
		checkOneLineError(t, args, r)
	}
}

// TestTeachOut keeps a lesson's runs and writes their report.
func TestTeachOut(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, "teach", "lost-errors", "--out", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "report.html") {
		t.Fatalf("teach --out = %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"lost-errors-1/run.json", "report.md", "report.html", "plots/faults.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("teach --out wrote no %s: %v", f, err)
		}
	}
}
