package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/judgebench/judgebench/results"
)

// exportedRun makes a small real run, two models, two repetitions, one case
// that fails on purpose, and returns its directory.
func exportedRun(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	file := miniScenario(t, dir, "serial, pool")
	out := filepath.Join(dir, "run")
	if r := runCLI(t, "run", file, "--repeat", "2", "--quiet", "--out", out); r.code != 0 {
		t.Fatalf("run FILE = %d, stderr %q", r.code, r.stderr)
	}
	return out
}

func TestExport(t *testing.T) {
	run := exportedRun(t)
	rec, err := results.Read(run)
	if err != nil {
		t.Fatal(err)
	}
	outDir := t.TempDir()
	for _, format := range results.ExportFormats() {
		t.Run(format, func(t *testing.T) {
			r := runCLI(t, "export", run, "--format", format)
			if r.code != 0 || r.stdout == "" || r.stderr != "" {
				t.Fatalf("export --format %s = %d, stdout %q, stderr %q; want 0 and the export", format, r.code, r.stdout, r.stderr)
			}
			file := filepath.Join(outDir, "run."+format)
			args := []string{"export", filepath.Join(run, results.FileName), "--format", format, "-o", file}
			if r := runCLI(t, args...); r.code != 0 || r.stdout != "" {
				t.Fatalf("judgebench %q = %d, stdout %q, stderr %q; want 0 and nothing printed", args, r.code, r.stdout, r.stderr)
			}
			if got, err := os.ReadFile(file); err != nil || string(got) != r.stdout {
				t.Errorf("export -o wrote %q, %v; want what it prints to stdout", got, err)
			}
			if format == "csv" {
				rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
				if err != nil || len(rows) != 1+len(rec.Samples) {
					t.Errorf("export --format csv: %d rows, %v; want a header and %d samples", len(rows), err, len(rec.Samples))
				}
			}
		})
	}
	if names := exportDirNames(t, outDir); len(names) != len(results.ExportFormats()) {
		t.Errorf("export -o left %q in its directory; want only the exports", names)
	}
	runBenchstat(t, filepath.Join(outDir, "run.gobench"))
}

// exportDirNames lists the names in dir.
func exportDirNames(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}

// runBenchstat runs the real benchstat, of the version go.mod requires, on file
// and checks that it read judgebench's results. It skips when the module
// cannot be fetched.
func runBenchstat(t *testing.T, file string) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("no go command to run benchstat: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "golang.org/x/perf/cmd/benchstat", file)
	cmd.Dir = filepath.Join("..", "..") // the module root, whose go.mod names golang.org/x/perf
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.ToLower(stderr.String()); strings.Contains(msg, "dial tcp") || strings.Contains(msg, "proxy") {
			t.Skipf("benchstat cannot be fetched (no module proxy?): %v: %s", err, stderr.String())
		}
		t.Fatalf("benchstat %s: %v\n%s", file, err, stderr.String())
	}
	out := stdout.String()
	for _, want := range [][]string{{"Judge/model="}, {"ns/op", "sec/op"}, {"cpu-ns/op", "cpu-sec/op"}} {
		if !containsOneOf(out, want) {
			t.Errorf("benchstat output lacks %q:\n%s\nstderr:\n%s", want, out, stderr.String())
		}
	}
	t.Logf("benchstat %s:\n%s", file, out)
}

func containsOneOf(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestExportBadInput(t *testing.T) {
	dir := t.TempDir()
	run := writeFile(t, dir, "run.json", `{"schema":"judgebench/run/v1","samples":[],"groups":[]}`)
	empty := writeFile(t, dir, "empty.json", "")
	truncated := writeFile(t, dir, "truncated.json", `{"schema":"judgebench/run/v1","samples":[{"case":`)
	for _, args := range [][]string{
		{"export"},
		{"export", "--format", "csv"},
		{"export", filepath.Join(dir, "missing"), "--format", "csv"},
		{"export", t.TempDir(), "--format", "csv"},
		{"export", empty, "--format", "csv"},
		{"export", truncated, "--format", "gobench"},
		{"export", run},
		{"export", run, "--format", ""},
		{"export", run, "--format", "json"},
		{"export", run, "--format", "csv", "--bogus"},
		{"export", run, run, "--format", "csv"},
		{"export", run, "--format", "csv", "-o", filepath.Join(dir, "missing", "run.csv")},
		{"export", run, "--format", "csv", "-o", t.TempDir()},
	} {
		r := runCLI(t, args...)
		if r.code != 2 {
			t.Errorf("judgebench %q = %d, stderr %q; want 2", args, r.code, r.stderr)
		}
		checkOneLineError(t, args, r)
	}
	if names := exportDirNames(t, dir); len(names) != 3 {
		t.Errorf("failed exports left %q behind; want only the 3 inputs", names)
	}
}

func TestExportHelp(t *testing.T) {
	r := runCLI(t, "export", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, exportUsage) || !strings.Contains(r.stdout, "gobench, csv, markdown") {
		t.Errorf("export --help = %d, stdout %q; want 0 and the usage with the formats", r.code, r.stdout)
	}
}
