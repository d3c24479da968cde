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
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// teachOptions are the flags of `judgebench teach`.
type teachOptions struct {
	out    string
	cgroup string
}

const teachUsage = "teach [PITFALL] [--out DIR]"

func runTeach(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var o teachOptions
	fs := newFlagSet("teach", teachUsage, stdout)
	fs.StringVar(&o.out, "out", "", "keep the runs in DIR, and write the report of them there")
	fs.StringVar(&o.cgroup, "cgroup", "auto", "cgroup use: auto, v1, v2 or off")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	lessons, err := pickLessons(fs.Args())
	if err != nil {
		return usageErrorf("teach: %v", err)
	}
	if _, err := sandbox.ParseCgroupMode(o.cgroup); err != nil {
		return usageErrorf("teach: %v", err)
	}
	dir := o.out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "judgebench-teach-"); err != nil {
			return fmt.Errorf("teach: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	start := time.Now()
	var runs []string
	for _, l := range lessons {
		paths, err := teach(ctx, stdout, l, dir, sandbox.CgroupMode(o.cgroup))
		runs = append(runs, paths...)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return errInterrupted
			}
			return fmt.Errorf("teach: %s: %w", l.Name, err)
		}
	}
	plural := "s"
	if len(lessons) == 1 {
		plural = ""
	}
	fmt.Fprintf(stdout, "\n%d lesson%s in %.1fs.\n", len(lessons), plural, time.Since(start).Seconds())
	if o.out != "" {
		return writeTeachReport(stdout, o.out, runs)
	}
	return nil
}

// pickLessons returns the lesson named in args, or all of them.
func pickLessons(args []string) ([]harness.Lesson, error) {
	all := harness.Lessons()
	if len(args) == 0 {
		return all, nil
	}
	var names []string
	for _, l := range all {
		names = append(names, l.Name)
	}
	if len(args) > 1 {
		return nil, fmt.Errorf("one pitfall at most, got %q", args)
	}
	i := slices.Index(names, args[0])
	if i < 0 {
		return nil, fmt.Errorf("no pitfall %q (use one of %s)", args[0], strings.Join(names, ", "))
	}
	return all[i : i+1], nil
}

// teach shows one lesson: the post, the Go analogue, the live runs with their
// table, what they show and the fix. It returns the run directories.
func teach(ctx context.Context, w io.Writer, l harness.Lesson, dir string, cgroup sandbox.CgroupMode) ([]string, error) {
	fmt.Fprintf(w, "\n== %s: %s\n\n", l.Name, l.Title)
	fmt.Fprint(w, wrap("The post: "+l.Post, 100), wrap("In Go: "+l.Analog, 100))
	if l.Demo != nil {
		fmt.Fprintf(w, "\n%s\n", l.Demo())
	}
	var groups []results.Group
	var samples []results.Sample
	var paths []string
	for i, p := range l.Plans() {
		p.Cgroup = cgroup
		path, run, err := teachRun(ctx, p, filepath.Join(dir, fmt.Sprintf("%s-%d", l.Name, i+1)))
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
		groups, samples = append(groups, run.Groups...), append(samples, run.Samples...)
	}
	fmt.Fprintln(w)
	if err := groupTable(w, groups); err != nil {
		return paths, err
	}
	fmt.Fprint(w, "\n", wrap("What it shows: "+l.Explain(groups, samples), 100), wrap("The fix: "+l.Fix, 100))
	return paths, nil
}

// teachRun runs one plan of a lesson into dir and reads the run back.
func teachRun(ctx context.Context, p *harness.Plan, dir string) (string, *results.Run, error) {
	h, err := harness.New(p)
	if err != nil {
		return "", nil, err
	}
	defer h.Close()
	w, err := results.Create(dir)
	if err != nil {
		return "", nil, err
	}
	header := results.Run{Schema: results.Schema, Target: filepath.Base(dir), StartedAt: time.Now().UTC(), Machine: h.Machine()}
	info, runErr := h.Run(ctx, w)
	header.FinishedAt, header.Interrupted = time.Now().UTC(), runErr != nil
	path, err := w.Finish(header, info)
	if err := errors.Join(runErr, err); err != nil {
		return path, nil, err
	}
	run, err := results.Read(path)
	return path, run, err
}

// wrap folds text into lines of at most width, ending with a newline.
func wrap(text string, width int) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(text) {
		if line > 0 && line+1+len(word) > width {
			b.WriteByte('\n')
			line = 0
		} else if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	b.WriteByte('\n')
	return b.String()
}

// writeTeachReport writes the report of the lessons' runs into dir.
func writeTeachReport(w io.Writer, dir string, runs []string) error {
	var in []report.Input
	for _, path := range runs {
		run, err := results.Read(path)
		if err != nil {
			return fmt.Errorf("teach: %w", err)
		}
		in = append(in, report.Input{Name: runName(path), Run: run})
	}
	if _, err := report.Write(dir, in, report.Options{Title: "judgebench teach"}); err != nil {
		return fmt.Errorf("teach: %w", err)
	}
	_, err := fmt.Fprintf(w, "The runs and their report are in %s (report.html).\n", dir)
	return err
}
