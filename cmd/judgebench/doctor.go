package main

import (
	"context"
	"io"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/report"
)

// runDoctor checks this machine for timing hazards and prints what it found.
// It is a report: exit status 0 whatever it finds.
func runDoctor(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	fs := newFlagSet("doctor", "doctor [--json]", stdout)
	asJSON := fs.Bool("json", false, "print the findings as a JSON array")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("doctor: takes no arguments")
	}
	if *asJSON {
		return report.WriteDoctorJSON(stdout, host.Doctor())
	}
	return report.WriteDoctor(stdout, host.Doctor())
}
