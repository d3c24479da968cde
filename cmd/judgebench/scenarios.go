package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/judgebench/judgebench/scenarios"
)

// runScenarios lists the built-in scenarios, one line each.
func runScenarios(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	fs := newFlagSet("scenarios", "scenarios", stdout)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("scenarios: takes no arguments")
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, s := range scenarios.Builtins() {
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Summary)
	}
	return tw.Flush()
}
