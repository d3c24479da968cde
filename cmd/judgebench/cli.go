package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// command is one subcommand: its usage line, one-line summary, and what it does.
type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", runUsage, "run a scenario, a scenario file or a problem directory under scheduling models", runRunCommand},
		{"report", reportUsage, "statistics, diagnosis, plots, report.md and report.html of runs", runReport},
		{"compare", compareUsage, "compare two runs: median changes, significance, and a regression verdict CI can gate on", runCompare},
		{"export", exportUsage, "write a run as Go benchmark lines (for benchstat), CSV or a Markdown table", runExport},
		{"calibrate", calibrateUsage, "check this machine's timing accuracy with workloads of known CPU time", runCalibrate},
		{"tune", tuneUsage, "sweep parallelism and recommend the highest safe value on this machine", runTune},
		{"teach", teachUsage, "run each concurrency pitfall live and explain it with its numbers", runTeach},
		{"doctor", "doctor [--json]", "check this machine for timing hazards", runDoctor},
		{"topology", topologyUsage, "the CPU layout (cores, siblings, classes, NUMA nodes, LLC domains) and the order worker slots take CPUs", runTopology},
		{"scenarios", "scenarios", "list the built-in scenarios", runScenarios},
		{"case", caseUsage, "run one program once under limits and print its verdict and measurements", runCaseCommand},
		{"work", "work NAME [ARGS]", "run a built-in workload as a program (see `judgebench work` for the list)", runWork},
		{"worker", "worker", "", runWorker}, // the process model's worker: not listed
	}
}

// run is the whole command line: it parses args, runs a subcommand and returns
// its error; main turns that error into an exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("no command given (run `judgebench help`)")
	}
	switch {
	case len(args) > 1 && args[0] == "help": // help COMMAND is COMMAND --help
		if args[1] == "work" {
			return run(ctx, []string{"work", "--help"}, stdin, stdout, stderr)
		}
		for _, c := range commands() {
			if c.name == args[1] && c.summary != "" {
				return c.run(ctx, []string{"--help"}, stdin, stdout, stderr)
			}
		}
		return usageErrorf("help: no command %q (run `judgebench help`)", args[1])
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	return usageErrorf("unknown command %q (run `judgebench help`)", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: judgebench COMMAND [FLAGS] [ARGS]\n\ncommands:")
	for _, c := range commands() {
		if c.summary != "" {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintln(w, "\nRun `judgebench COMMAND --help` for a command's flags.")
}

// newFlagSet returns a flag set for subcommand name that reports errors instead
// of exiting and prints its help to w.
func newFlagSet(name, use string, w io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(w)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(w, "usage: judgebench %s\n\nflags:\n%s", use, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args into fs; help is a nil error with done set. pflag
// would print the usage on any error: only help prints it, once.
func parseFlags(fs *pflag.FlagSet, args []string) (done bool, err error) {
	fs.SetOutput(io.Discard) // the one-line error is ours to print
	usage := fs.Usage
	fs.Usage = func() {}
	err = fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, pflag.ErrHelp) {
		usage()
		return true, nil
	}
	if err != nil {
		return true, usageErrorf("%s: %v", fs.Name(), err)
	}
	return false, nil
}

// exitError ends the program with code after msg (if any) has been printed as
// "judgebench: msg".
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, a...)}
}

// exitStatus prints err as one line on w and returns the exit status for it:
// 0 for nil, the code of an exitError, 2 for anything else.
func exitStatus(err error, w io.Writer) int {
	if err == nil {
		return 0
	}
	code := 2
	var e *exitError
	if errors.As(err, &e) {
		code = e.code
	}
	if msg := strings.TrimSpace(err.Error()); msg != "" {
		fmt.Fprintf(w, "judgebench: %s\n", strings.ReplaceAll(msg, "\n", "; "))
	}
	return code
}

// plural is word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
