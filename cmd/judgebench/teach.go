package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/report"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/teach"
)

// teachOptions are the flags of `judgebench teach`.
type teachOptions struct {
	out    string
	cgroup sandbox.CgroupMode
}

const teachUsage = "teach [PITFALL] [--out DIR]"

func runTeach(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	var o teachOptions
	fs := newFlagSet("teach", teachUsage, stdout)
	fs.StringVar(&o.out, "out", "", "keep the runs in DIR, and write the report of them there")
	addCgroupFlag(fs, &o.cgroup)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	lessons := teach.Lessons()
	switch fs.NArg() {
	case 0:
	case 1:
		l, err := teach.Find(fs.Arg(0))
		if err != nil {
			return usageErrorf("teach: %v", err)
		}
		lessons = []teach.Lesson{l}
	default:
		return usageErrorf("teach: one pitfall at most, got %q", fs.Args())
	}
	dir := o.out
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "judgebench-teach-"); err != nil {
			return fmt.Errorf("teach: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	start := time.Now()
	var runs []string
	for _, l := range lessons {
		out, err := showLesson(ctx, stdout, l, dir, o.cgroup)
		runs = append(runs, out.Runs...)
		if errors.Is(err, harness.ErrInterrupted) {
			return interrupted(err)
		}
		if err != nil {
			return fmt.Errorf("teach: %s: %w", l.Name, err)
		}
	}
	fmt.Fprintf(stdout, "\n%d %s in %.1fs.\n", len(lessons), plural(len(lessons), "lesson"), time.Since(start).Seconds())
	if o.out != "" {
		return writeTeachReport(stdout, o.out, runs)
	}
	return nil
}

// showLesson shows one lesson: the post, the Go analogue, the live runs with
// their table, what they show and the fix.
func showLesson(ctx context.Context, w io.Writer, l teach.Lesson, dir string, cgroup sandbox.CgroupMode) (*teach.Outcome, error) {
	fmt.Fprintf(w, "\n== %s: %s\n\n", l.Name, l.Title)
	fmt.Fprint(w, wrap("The post: "+l.Post, 100), wrap("In Go: "+l.Analog, 100))
	if l.Demo != nil {
		fmt.Fprintf(w, "\n%s\n", l.Demo())
	}
	out, err := l.Run(ctx, dir, cgroup)
	if err != nil {
		return out, err
	}
	fmt.Fprintln(w)
	if err := report.WriteGroupTable(w, out.Groups); err != nil {
		return out, err
	}
	shows := "What it shows: " + out.Shows
	if !out.Shown {
		shows = "The effect did not show this time: " + out.Shows + " " + busy(host.Doctor())
	}
	_, err = fmt.Fprint(w, "\n", wrap(shows, 100), wrap("The fix: "+l.Fix, 100))
	return out, err
}

// busy says what the doctor finds that can hide an effect: other load, a CPU
// quota; or that it finds nothing.
func busy(findings []results.Finding) string {
	var why []string
	for _, f := range findings {
		if f.Status == results.FindingWarn && (f.Check == "load" || f.Check == "cpu-quota") {
			why = append(why, f.Check+" "+f.Value)
		}
	}
	if len(why) == 0 {
		return "The doctor finds no other load: run it again."
	}
	return "The machine is busy (" + strings.Join(why, "; ") + "): run it again on a quieter one."
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
