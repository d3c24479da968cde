package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/judgebench/judgebench"

// designFile is the design, beside the checkout: its table of allowed
// imports is the one the test enforces.
var designFile = filepath.Join("..", "..", "..", "shared", "DESIGN.md")

// leaves may import only the standard library and these modules.
var leaves = map[string][]string{
	"sandbox": {"golang.org/x/sys/unix"},
	"results": {"github.com/montanaflynn/stats", "golang.org/x/perf/benchmath"},
}

// designArrows reads the table of allowed imports of DESIGN.md: a row per
// package, "| `pkg` | `a`, `b` |", "nothing" or "any" in the second cell.
// A package with "any" maps to nil and ok false in the second result.
func designArrows(t *testing.T) (allowed map[string][]string, any map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(designFile)
	if err != nil {
		t.Fatalf("the design's table of imports: %v (../shared must be beside the checkout)", err)
	}
	row := regexp.MustCompile("^\\| `([a-z/]+)` \\| (.+) \\|$")
	name := regexp.MustCompile("`([a-z/]+)`")
	allowed, any = map[string][]string{}, map[string]bool{}
	for line := range strings.SplitSeq(string(data), "\n") {
		m := row.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		if strings.TrimSpace(m[2]) == "any" {
			any[m[1]] = true
			continue
		}
		allowed[m[1]] = []string{}
		for _, n := range name.FindAllStringSubmatch(m[2], -1) {
			allowed[m[1]] = append(allowed[m[1]], n[1])
		}
	}
	if len(allowed) < 5 {
		t.Fatalf("%s: found %d rows of allowed imports; the table or its parser is broken", designFile, len(allowed))
	}
	return allowed, any
}

// TestImportArrows fails when a package imports against the table of
// allowed imports in ../shared/DESIGN.md (report must work from result files
// alone, sandbox and results are leaves), or is missing from it.
func TestImportArrows(t *testing.T) {
	// Without the toolchain (the tests in .ci/cgroup2's VM) there is nothing
	// to check, nor any ../shared beside the checkout.
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	allowed, any := designArrows(t)
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module+"/")
		list, known := allowed[pkg]
		if !known && !any[pkg] {
			t.Errorf("package %s is not in the table of allowed imports of DESIGN.md", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if dep, ok := strings.CutPrefix(imp, module+"/"); ok {
				if !any[pkg] && !slices.Contains(list, dep) {
					t.Errorf("%s imports %s: against the table of allowed imports of DESIGN.md (%s may import %q)", pkg, dep, pkg, list)
				}
				continue
			}
			mods, leaf := leaves[pkg]
			if leaf && strings.Contains(strings.Split(imp, "/")[0], ".") && !slices.Contains(mods, imp) {
				t.Errorf("%s imports %s: a leaf package takes only the standard library and %v", pkg, imp, mods)
			}
		}
	}
}
