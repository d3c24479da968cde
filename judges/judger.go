package judges

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// Judger's uids: worker slot N runs its programs as uid and gid
// judgerFirstUID+N. Judger's process limit (RLIMIT_NPROC) counts every
// process of a uid on the system, so slots must not share one. The range
// avoids isolate's boxes (60000-60999, 62000-62063), judgebench's own
// sandbox (63000-63999) and nobody (65534).
const (
	judgerFirstUID = 64000
	judgerSlots    = 500 // 64000-64499: command judges take 64500 on
)

// Judger's limits on its command line: every integer flag is a C int, and
// argv and the environment have fixed-size tables.
const (
	judgerMaxInt  = 1<<31 - 1
	judgerMaxArgs = 254
	judgerMaxEnv  = 255
)

// judger runs each case through QingdaoU Judger's command line
// (libjudger.so, an executable), one process per case.
type judger struct {
	path    string
	version string
	work    *workdir
}

var _ Executor = (*judger)(nil)

// openJudger checks that path is Judger's command line and that it can run
// here (as root), and makes the executor's work directory.
func openJudger(ctx context.Context, path string) (Executor, error) {
	// A path, not a name looked up in PATH: Judger is seldom installed.
	if _, err := checkExecutable(path); err != nil {
		return nil, fmt.Errorf("judges: judger: %w", err)
	}
	if os.Getuid() != 0 {
		return nil, errors.New("judges: judger: judgebench must run as root: Judger refuses any other user (error -5, ROOT_REQUIRED)")
	}
	version, err := judgerVersion(ctx, path)
	if err != nil {
		return nil, err
	}
	w, err := newWorkdir("judger")
	if err != nil {
		return nil, err
	}
	return &judger{path: path, version: version, work: w}, nil
}

// judgerVersion asks Judger for its version ("Version: 2.1.1").
func judgerVersion(ctx context.Context, path string) (string, error) {
	out, err := readVersion(ctx, path, "--version")
	v, ok := strings.CutPrefix(out, "Version: ")
	if err != nil || !ok {
		return "", fmt.Errorf("judges: judger: %s --version: want \"Version: N.N.N\", got %q (%v)", path, out, err)
	}
	return v, nil
}

// Close removes the work directory: the programs' copies and any case's
// files left behind.
func (j *judger) Close() error { return j.work.Close() }

// judgerNotes are what judgebench knows of how Judger measures and limits
// (see ../shared/peers/README.md and the tests).
var judgerNotes = []string{
	"cpu_time is ru_utime of the program only: user time, no system time; CPUTime = User, System is unknown (0), and a program that spends its time in the kernel (page faults, system calls) passes the CPU limit",
	"the CPU limit is RLIMIT_CPU in whole seconds, (limit+1000)/1000: a spinner under a 250 or 500 ms limit runs to ~1 s of CPU, under 1 s to ~2 s, before SIGKILL; the verdict compares user time afterwards",
	"the real-time limit is a killer thread that sleeps (limit+1000)/1000 whole seconds (a 300 ms limit kills at ~1 s); real_time runs from before Judger's fork to after its wait4, in whole ms",
	"memory is ru_maxrss of the program (Judger is a small C program: no inherited peak), limited as address space, RLIMIT_AS = 2x the limit: an allocation past that fails and the program usually exits non-zero, RUNTIME_ERROR; MEMORY_LIMIT_EXCEEDED only when the peak lands between the limit and what the address space allows",
	"Go programs need a memory limit of at least 512MiB (the runtime aborts at start under ~768MiB of RLIMIT_AS) and reserve ~1.2GiB of address space themselves: under a 1GiB limit a Go program cannot allocate 800MiB (RUNTIME_ERROR)",
	"every integer flag is a C int: a limit of 2^31 or more (2GiB of memory, stack or output) is clamped to 2^31-1 with a warning; empty arguments cannot be passed",
	"the output limit is RLIMIT_FSIZE one byte past the limit, so that judgebench sees the overflow; Judger's verdict for it is RUNTIME_ERROR (SIGXFSZ, or a failed write)",
	"the process limit is RLIMIT_NPROC of the slot's uid (threads count), one uid per worker slot",
}

// Describe says which Judger runs the cases and how it is driven.
func (j *judger) Describe() results.JudgeInfo {
	config, _ := json.Marshal(map[string]any{
		"command": []string{j.path, "--exe_path=COPY", "--args=ARG...", "--env=VAR=VALUE...",
			"--max_cpu_time=MS", "--max_real_time=MS", "--max_memory=BYTES", "--max_stack=BYTES",
			"--max_process_number=N", "--max_output_size=BYTES+1", "--input_path=FILE",
			"--output_path=FILE", "--error_path=FILE", "--log_path=FILE", "--uid=UID", "--gid=UID"},
		"uids":                    fmt.Sprintf("%d-%d (%d + worker slot; gid = uid)", judgerFirstUID, judgerFirstUID+judgerSlots-1, judgerFirstUID),
		"env":                     "the case's, else " + defaultPATH,
		"seccomp_rule_name":       "none",
		"memory_limit_check_only": 0,
	})
	return results.JudgeInfo{
		Executor: "judger",
		Spec:     "judger:" + j.path,
		Version:  j.version,
		Config:   config,
		Notes:    slices.Clone(judgerNotes),
	}
}

// Run runs cmd through Judger and returns its verdict and figures.
func (j *judger) Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result {
	report := &sandbox.JudgeReport{Executor: "judger"}
	if cmd.Slot < 0 || cmd.Slot >= judgerSlots {
		return failed(report, fmt.Errorf("judges: judger: worker slot %d out of range 0-%d (one uid each)", cmd.Slot, judgerSlots-1))
	}
	cmd, replayed, err := j.work.replayable(cmd)
	if err != nil {
		return failed(report, fmt.Errorf("judges: judger: %w", err))
	}
	defer replayed()
	program, input, done, err := j.work.prepare(cmd)
	if err != nil {
		return failed(report, fmt.Errorf("judges: judger: %w", err))
	}
	defer done()
	files := judgerFiles{input: input, output: j.work.file(".out"), stderr: j.work.file(".err"), log: j.work.file(".log")}
	defer files.remove()
	flags, warnings, err := judgerFlags(cmd, program, files)
	if err != nil {
		return failed(report, err)
	}
	dir := cmd.Dir
	if dir == "" {
		dir = j.work.dir
	}
	stdout, err := j.exec(ctx, dir, cmd.CPUs, flags, report)
	if err != nil {
		return failed(report, err)
	}
	r, err := judgerResult(stdout, files, report)
	if err != nil {
		return failed(report, err)
	}
	r.Warnings = append(r.Warnings, warnings...)
	if r.Verdict == sandbox.SystemError {
		return r
	}
	r.Stderr = head(files.stderr, cmd.StderrLimit)
	finish(ctx, cmd, r, files.output)
	return r
}

// judgerFiles are one case's files: the program's stdin, stdout and
// stderr, and Judger's log.
type judgerFiles struct {
	input, output, stderr, log string
}

// remove removes the case's own files (not its input).
func (f judgerFiles) remove() {
	os.Remove(f.output)
	os.Remove(f.stderr)
	os.Remove(f.log)
}

// judgerFlags is Judger's command line for cmd, its program at program,
// and warnings for limits Judger cannot express.
func judgerFlags(cmd *sandbox.Command, program string, f judgerFiles) (flags, warnings []string, err error) {
	env := envOrDefault(cmd.Env)
	switch {
	case len(cmd.Args) > judgerMaxArgs:
		return nil, nil, fmt.Errorf("judges: judger: %d arguments; Judger takes at most %d", len(cmd.Args), judgerMaxArgs)
	case len(env) > judgerMaxEnv:
		return nil, nil, fmt.Errorf("judges: judger: %d environment variables; Judger takes at most %d", len(env), judgerMaxEnv)
	case slices.Contains(cmd.Args, ""), slices.Contains(env, ""):
		return nil, nil, errors.New("judges: judger: an empty argument or environment entry: Judger's command line cannot pass one")
	}
	l := cmd.Limits.WithDefaults()
	uid := strconv.Itoa(judgerFirstUID + cmd.Slot)
	flags = []string{"--exe_path=" + program}
	for _, a := range cmd.Args {
		flags = append(flags, "--args="+a)
	}
	for _, e := range env {
		flags = append(flags, "--env="+e)
	}
	ms := func(d time.Duration) int64 { return int64((d + time.Millisecond - 1) / time.Millisecond) }
	for _, n := range []struct {
		flag string
		v    int64
	}{
		{"max_cpu_time", ms(l.CPUTime)},
		{"max_real_time", ms(l.RealTime)},
		{"max_memory", int64(l.Memory)},
		{"max_stack", int64(l.Stack)},
		{"max_process_number", int64(l.Processes)},
		{"max_output_size", int64(l.Output) + 1},
	} {
		v := n.v
		if v > judgerMaxInt {
			v = judgerMaxInt
			warnings = append(warnings, fmt.Sprintf("judges: judger: --%s=%d is past Judger's C int: clamped to %d", n.flag, n.v, v))
		}
		flags = append(flags, fmt.Sprintf("--%s=%d", n.flag, max(v, 1)))
	}
	flags = append(flags, "--input_path="+f.input, "--output_path="+f.output, "--error_path="+f.stderr,
		"--log_path="+f.log, "--uid="+uid, "--gid="+uid)
	return flags, warnings, nil
}
