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
	shown := strings.Count(r.stdout, "What it shows: ") + strings.Count(r.stdout, "The effect did not show this time: ")
	if want := map[bool]int{false: 8, true: 1}[raceEnabled]; lessons != want || shown != want || strings.Count(r.stdout, "The fix: ") != want {
		t.Errorf("teach printed %d lessons:\n%s\nwant %d, each with what it shows (or that it did not show) and the fix", lessons, r.stdout, want)
	}
	// Lessons whose effect no load can hide always show it; the timing ones
	// may not on a busy machine, and then say so.
	deterministic := []string{"What it shows: The pool reported 3 of 3 faults; pool-fireforget lost 3 of 3"}
	if !raceEnabled {
		deterministic = append(deterministic, "What it shows: A case touching 8 MiB", "What it shows: Sent as data, 2 of 2",
			"What it shows: Without recover")
	}
	for _, want := range deterministic {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("teach printed:\n%s\nwant %q", r.stdout, want)
		}
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
