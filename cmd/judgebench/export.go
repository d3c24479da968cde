package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
		err = writeFileAtomic(*out, write)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// writeFileAtomic writes path through fill: into a temporary file in the same
// directory, synced, then renamed over path, so that a reader sees the old
// file or the whole new one. On error path is untouched and the temporary
// file removed. Errors name path, not the temporary file.
func writeFileAtomic(path string, fill func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return fmt.Errorf("%s: %w", path, cause(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := fill(f); err != nil {
		return err
	}
	err = f.Chmod(0o644)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Close()
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, cause(err))
	}
	return nil
}

// cause strips the operation and file name off err, an error of package os,
// when the caller names the file itself.
func cause(err error) error {
	var pe *os.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}
