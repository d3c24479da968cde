package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/judgebench/judgebench/results"
)

const exportUsage = "export RUN --format gobench|csv|markdown [-o FILE]"

// runExport writes a run in another format: Go benchmark lines for benchstat,
// CSV, or the group table in Markdown; to stdout, or atomically to a file.
func runExport(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	fs := newFlagSet("export", exportUsage, stdout)
	formats := results.ExportFormats()
	format := fs.String("format", "", "output format: "+strings.Join(formats, ", "))
	out := fs.StringP("out", "o", "", "write to FILE, atomically (temporary file and rename), instead of stdout")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return usageErrorf("export: no run given (usage: judgebench %s)", exportUsage)
	case fs.NArg() > 1:
		return usageErrorf("export: one run only, got %d: %q", fs.NArg(), fs.Args())
	case *format == "":
		return usageErrorf("export: no --format given (want %s)", strings.Join(formats, ", "))
	case !slices.Contains(formats, *format):
		return usageErrorf("export: unknown format %q (want %s)", *format, strings.Join(formats, ", "))
	}
	run, err := results.Read(fs.Arg(0))
	if err != nil {
		return usageErrorf("export: %v", err)
	}
	write := func(w io.Writer) error { return results.Export(w, run, *format) }
	if *out == "" {
		err = write(stdout)
	} else {
		err = results.WriteFileAtomic(*out, write)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
