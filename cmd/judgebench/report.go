package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/results"
)

const reportUsage = "report RUN... [--out DIR]"

// runReport renders the runs: report.md, report.html and the plots. It reads
// result files only, so a run made on a judge box can be reported anywhere.
func runReport(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	fs := newFlagSet("report", reportUsage, stdout)
	out := fs.String("out", "", "report directory (default: RUN/report for one run, judgebench-report for several)")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("report: no run given (usage: judgebench %s)", reportUsage)
	}
	var in []report.Input
	for _, path := range fs.Args() {
		run, err := results.Read(path)
		if err != nil {
			return usageErrorf("report: %v", err)
		}
		in = append(in, report.Input{Name: runName(path), Run: run})
	}
	dir := *out
	switch {
	case dir != "":
	case len(in) == 1:
		dir = filepath.Join(runDir(fs.Arg(0)), "report")
	default:
		dir = "judgebench-report"
	}
	files, err := report.Write(dir, in, report.Options{})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(stdout, "report: %s (%d files)\n", filepath.Join(dir, "report.html"), len(files))
	return nil
}

// runDir is the run directory of path, a run directory or its run.json.
func runDir(path string) string {
	if strings.HasSuffix(path, ".json") {
		return filepath.Dir(path)
	}
	return path
}

// runName is the name a run is shown under: its directory's base name.
func runName(path string) string { return filepath.Base(filepath.Clean(runDir(path))) }
