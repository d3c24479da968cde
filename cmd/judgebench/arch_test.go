package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/judgebench/judgebench"

// arrows are the imports ../shared/DESIGN.md allows between the packages of
// this module. A package missing here may import none of the others.
var arrows = map[string][]string{
	"cmd/judgebench": {"harness", "report", "results", "sandbox", "scenarios"},
	"harness":        {"results", "sandbox", "scenarios"},
	"report":         {"results"},
	// Scenario files give limits, sizes and verdicts: sandbox's value types.
	// sandbox stays a leaf, so the arrow still points one way.
	"scenarios": {"sandbox"},
}

// leaves may import only the standard library and these modules.
var leaves = map[string][]string{
	"sandbox": {"golang.org/x/sys/unix"},
	"results": {"github.com/montanaflynn/stats", "golang.org/x/perf/benchmath"},
}

// TestImportArrows fails when a package imports against the arrows of the
// design: report must work from result files alone, sandbox is a leaf.
func TestImportArrows(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module+"/")
		for _, imp := range fields[1:] {
			if dep, ok := strings.CutPrefix(imp, module+"/"); ok {
				if !slices.Contains(arrows[pkg], dep) {
					t.Errorf("%s imports %s: against the arrows of DESIGN.md", pkg, dep)
				}
				continue
			}
			allowed, leaf := leaves[pkg]
			if leaf && strings.Contains(strings.Split(imp, "/")[0], ".") && !slices.Contains(allowed, imp) {
				t.Errorf("%s imports %s: a leaf package takes only the standard library and %v", pkg, imp, allowed)
			}
		}
	}
}
