package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/judgebench/judgebench/harness"
	"github.com/spf13/pflag"
)

// doctorOptions are the flags of `judgebench doctor`.
type doctorOptions struct {
	json bool
}

func (o *doctorOptions) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print the findings as a JSON array")
}

// runDoctor checks this machine for timing hazards and prints what it found.
// It is a report: exit status 0 whatever it finds.
func runDoctor(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	var o doctorOptions
	fs := newFlagSet("doctor", "doctor [--json]", stdout)
	o.addFlags(fs)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("doctor: takes no arguments")
	}
	return printDoctor(stdout, harness.Doctor(), o.json)
}

// printDoctor prints one aligned line per finding, "STATUS CHECK VALUE: WHY
// Fix: FIX", and the number of warnings; or, asJSON, the findings as a JSON
// array.
func printDoctor(w io.Writer, fs []harness.Finding, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(fs)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range fs {
		fix := ""
		if f.Fix != "" {
			fix = " Fix: " + f.Fix
		}
		fmt.Fprintf(tw, "%s\t%s\t%s: %s%s\n", f.Status, f.Check, f.Value, f.Why, fix)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	n := len(harness.Warnings(fs))
	_, err := fmt.Fprintf(w, "%d %s\n", n, plural(n, "warning"))
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
