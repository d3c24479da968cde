package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/spf13/pflag"
)

const caseUsage = "case [limits] [--stdin F] [--expect F] [--checker lines|exact|tokens|float:EPS|PATH] [--json] -- PROG [ARGS]"

// caseOptions are the flags of `judgebench case`.
type caseOptions struct {
	limits  sandbox.Limits
	stdin   string
	expect  string
	checker sandbox.Checker
	json    bool
	cgroup  sandbox.CgroupMode
	iso     isolationOptions
	exec    string // --executor
}

func (o *caseOptions) addFlags(fs *pflag.FlagSet) {
	addLimitFlags(fs, &o.limits)
	fs.StringVar(&o.stdin, "stdin", "", "file to feed the program's stdin (default: empty)")
	fs.StringVar(&o.expect, "expect", "", "expected output: a mismatch is WRONG_ANSWER")
	addCheckerFlag(fs, &o.checker)
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of a summary line")
	addCgroupFlag(fs, &o.cgroup)
	addIsolationFlags(fs, &o.iso)
	addExecutorFlag(fs, &o.exec)
}

func runCaseCommand(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	var o caseOptions
	fs := newFlagSet("case", caseUsage, stdout)
	fs.SetInterspersed(false)
	o.addFlags(fs)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("case: no program given (usage: judgebench %s)", caseUsage)
	}
	ex, err := openExecutor(ctx, fs, "case", o.exec)
	if err != nil {
		return err
	}
	defer closeExecutor(stderr, "case", ex)
	return runCase(ctx, &o, asHarness(ex), fs.Args(), stdout)
}

// runCase runs argv once through ex (nil: a sandbox of o's) and prints the
// result; a verdict other than ACCEPTED is exit status 1, a SYSTEM_ERROR exit
// status 2.
func runCase(ctx context.Context, o *caseOptions, ex harness.Executor, argv []string, stdout io.Writer) error {
	if err := o.iso.check(); err != nil {
		return usageErrorf("case: %v", err)
	}
	if err := o.limits.Validate(); err != nil {
		return usageErrorf("case: %v", err)
	}
	cmd := &sandbox.Command{Path: argv[0], Args: argv[1:], Checker: o.checker, Limits: o.limits}
	// A named pipe, a device or a directory is refused before it is opened:
	// the open of a named pipe waits for a writer, which nothing interrupts.
	if o.stdin != "" {
		f, err := sandbox.OpenInput(o.stdin)
		if err != nil {
			return usageErrorf("case: stdin: %v", err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	if o.expect != "" {
		f, err := sandbox.OpenInput(o.expect)
		if err != nil {
			return usageErrorf("case: expect: %v", err)
		}
		defer f.Close()
		cmd.Expect = f
	}
	var res *sandbox.Result
	if ex != nil {
		res = ex.Run(ctx, cmd)
	} else {
		sb, err := sandbox.New(o.iso.options(o.cgroup))
		if err != nil {
			return fmt.Errorf("case: %w", err)
		}
		res = sb.Run(ctx, cmd)
		if err := sb.Close(); err != nil {
			res.Warnings = append(res.Warnings, err.Error())
		}
	}
	perr := printCase(stdout, res, o.json)
	switch {
	case ctx.Err() != nil: // a closed terminal fails the print too
		return interrupted(context.Cause(ctx))
	case perr != nil:
		return perr
	case res.Verdict == sandbox.SystemError:
		return &exitError{code: 2, msg: "case: " + res.Error}
	case res.Verdict != sandbox.Accepted:
		return &exitError{code: 1}
	}
	return nil
}

// caseJSON is the `case --json` object of the contract.
type caseJSON struct {
	Verdict             sandbox.Verdict      `json:"verdict"`
	CPUTimeMS           float64              `json:"cpu_time_ms"`
	UserTimeMS          float64              `json:"user_time_ms"`
	SysTimeMS           float64              `json:"sys_time_ms"`
	RealTimeMS          float64              `json:"real_time_ms"`
	MemoryBytes         int64                `json:"memory_bytes"`
	MemorySource        sandbox.MemorySource `json:"memory_source"`
	ExitCode            int                  `json:"exit_code"`
	Signal              int                  `json:"signal"`
	SignalName          string               `json:"signal_name,omitempty"`
	Error               string               `json:"error"`
	VoluntarySwitches   int64                `json:"voluntary_switches"`
	InvoluntarySwitches int64                `json:"involuntary_switches"`
	OutputBytes         int64                `json:"output_bytes"`
	CheckerMessage      string               `json:"checker_message"`
	Isolation           sandbox.Isolation    `json:"isolation"`
	// Executor is what ran the program: sandbox, or the judge of --executor,
	// whose own account is Judge.
	Executor string               `json:"executor"`
	Judge    *results.JudgeReport `json:"judge,omitempty"`
	Warnings []string             `json:"warnings,omitempty"`
}

func printCase(w io.Writer, r *sandbox.Result, asJSON bool) error {
	if !asJSON && r.Verdict == sandbox.SystemError {
		_, err := fmt.Fprintf(w, "%s %s\n", r.Verdict, r.Error)
		return err
	}
	if !asJSON {
		_, err := fmt.Fprintf(w, "%s cpu=%.3fms (user %.3fms, sys %.3fms) real=%.3fms memory=%s (%s) exit=%d%s\n%s%s",
			r.Verdict, results.Millis(r.CPUTime), results.Millis(r.User), results.Millis(r.System), results.Millis(r.RealTime), r.Memory, r.MemorySource,
			r.ExitCode, signalSuffix(r), checkerLine(r), judgeLine(r))
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	j := caseJSON{
		Verdict: r.Verdict, CPUTimeMS: results.Millis(r.CPUTime), UserTimeMS: results.Millis(r.User), SysTimeMS: results.Millis(r.System),
		RealTimeMS: results.Millis(r.RealTime), MemoryBytes: int64(r.Memory), MemorySource: r.MemorySource,
		ExitCode: r.ExitCode, Signal: r.Signal, SignalName: r.SignalName(), Error: r.Error,
		VoluntarySwitches: r.VoluntarySwitches, InvoluntarySwitches: r.InvoluntarySwitches,
		OutputBytes: r.OutputBytes, CheckerMessage: r.CheckerMessage, Isolation: r.Isolation, Warnings: r.Warnings,
		Executor: results.ExecutorSandbox, Judge: harness.JudgeRecord(r.Judge),
	}
	if r.Judge != nil {
		j.Executor = r.Judge.Executor
	}
	return enc.Encode(j)
}

// checkerLine is the line printed after the summary of a WRONG_ANSWER: where
// the output first differs, or the checker program's comment.
func checkerLine(r *sandbox.Result) string {
	if r.Verdict != sandbox.WrongAnswer || r.CheckerMessage == "" {
		return ""
	}
	return r.CheckerMessage + "\n"
}

func signalSuffix(r *sandbox.Result) string {
	if r.Signal == 0 {
		return ""
	}
	return " signal=" + r.SignalName()
}

// judgeLine is the line printed after the summary of a case another judge
// ran: its own verdict's name, and what judgebench would decide otherwise.
func judgeLine(r *sandbox.Result) string {
	j := r.Judge
	if j == nil {
		return ""
	}
	line := fmt.Sprintf("%s said %q in %.3fms", j.Executor, j.Status, results.Millis(j.Latency))
	if j.Verdict != 0 {
		line += fmt.Sprintf("; judgebench would say %s: %s", j.Verdict, j.Why)
	}
	return line + "\n"
}
