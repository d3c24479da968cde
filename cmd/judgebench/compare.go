package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/results"
)

const compareUsage = "compare BASE NEW [--threshold 5%] [--alpha 0.05] [--metrics LIST] [--json]"

// runCompare compares two runs group by group; a regression is exit status 1.
func runCompare(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	threshold := fractionFlag(0.05)
	fs := newFlagSet("compare", compareUsage, stdout)
	fs.Var(&threshold, "threshold", "smallest change that counts, in percent: 5%, 0.5%, 5 (= 5%); a regression's whole confidence interval lies above it")
	alpha := fs.Float64("alpha", 0.05, "family-wise significance level: two runs of one program show a regression in at most this fraction of comparisons")
	metrics := fs.StringSlice("metrics", results.Metrics(),
		"which metrics can be a regression, and are corrected together (the others are shown, not gated): "+strings.Join(results.Metrics(), ", "))
	asJSON := fs.Bool("json", false, "print the comparison as one JSON object")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() != 2 {
		return usageErrorf("compare: want two runs, BASE and NEW, got %d (usage: judgebench %s)", fs.NArg(), compareUsage)
	}
	if !(*alpha > 0 && *alpha < 1) {
		return usageErrorf("compare: --alpha %v: must be between 0 and 1", *alpha)
	}
	if len(*metrics) == 0 {
		return usageErrorf("compare: --metrics: no metric given: nothing could fail the comparison (use %s)", strings.Join(results.Metrics(), ", "))
	}
	for _, m := range *metrics {
		if !slices.Contains(results.Metrics(), m) {
			return usageErrorf("compare: --metrics: unknown metric %q (use %s)", m, strings.Join(results.Metrics(), ", "))
		}
	}
	base, err := results.Read(fs.Arg(0))
	if err != nil {
		return usageErrorf("compare: %v", err)
	}
	next, err := results.Read(fs.Arg(1))
	if err != nil {
		return usageErrorf("compare: %v", err)
	}
	d, err := results.Compare(base, next, results.Options{Threshold: float64(threshold), Alpha: *alpha, Metrics: *metrics})
	if none, ok := errors.AsType[*results.NoCommonGroupsError](err); ok {
		return usageErrorf("compare: no groups in common: %s has %s, %s has %s",
			fs.Arg(0), results.KeyList(none.Base), fs.Arg(1), results.KeyList(none.New))
	}
	if err != nil {
		return usageErrorf("compare: %v", err)
	}
	for _, w := range d.Warnings {
		fmt.Fprintf(stderr, "judgebench: warning: %s\n", w)
	}
	if *asJSON {
		err = report.WriteComparisonJSON(stdout, d)
	} else {
		err = report.WriteComparison(stdout, d)
	}
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if len(d.Regressions()) > 0 {
		return &exitError{code: 1}
	}
	return nil
}
