package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"text/tabwriter"
)

// Env is what a workload sees of its process: its arguments and its standard
// streams.
type Env struct {
	Args   []string // arguments after the workload name
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Workload is one built-in program.
type Workload struct {
	Name      string // "burn"
	Usage     string // "burn DURATION"
	Summary   string // one line: what it does and what it is for
	InProcess bool   // safe to run as a goroutine of the harness (false for segv, abort, fork, orphan, hang...)
	Run       func(ctx context.Context, env Env) error
}

// registry is every workload, sorted by name.
var registry = []Workload{
	{"abort", "abort", "dies by SIGABRT at once: a crash by signal", false, abort},
	{"alloc", "alloc MIB [HOLD]", "touches MIB MiB page by page and holds it for HOLD (default 0): peak memory and memory limits", true, alloc},
	{"attack", "attack KIND", "tries what a hostile submission would (readshadow, writeetc, signalparent, traceparent, parentmem, parentstdout, owncgroup, terminal, clock, stdinpath, siblings, affinity, answer, unshare, clonens, clone3, ipc, mount, network, fds), harmlessly, and exits 0 if it could: isolation", false, attack},
	{"burn", "burn DURATION [kernel]", "spends DURATION of its own thread's CPU time (kernel: most of it in the kernel, clearing buffers read from /dev/zero) and prints the clocks: ground truth for calibration", true, burn},
	{"exit", "exit CODE", "exits with status CODE (0..255): exit statuses that must not be ignored", true, exit},
	{"flood", "flood [BYTES] [stdout|stderr]", "writes BYTES of filler (default 0: forever) to stdout or stderr: output limits", false, flood},
	{"fork", "fork", "starts copies of itself forever: a fork bomb for process limits", false, fork},
	{"goroutines", "goroutines N", "runs N cases in goroutines of one process with no recover; the last panics, and takes every case with it", false, goroutines},
	{"hang", "hang", "ignores SIGTERM and blocks without using CPU: real-time limits and SIGKILL", false, hang},
	{"memwalk", "memwalk MIB [PASSES]", "sweeps MIB MiB PASSES times (default 10) in cache-line strides and prints a checksum: memory-bandwidth contention", true, memwalk},
	{"orphan", "orphan [setsid] [DURATION]", "starts a grandchild sleeping DURATION (default 1h), prints its pid and exits: process cleanup", false, orphan},
	{"panic", "panic", "panics: in a goroutine of the harness it kills every case at once", true, panicking},
	{"rlimits", "rlimits", "prints its resource limits, one per line: proof that limits were set before it started", false, rlimits},
	{"segv", "segv", "dies by SIGSEGV at once: a crash by signal", false, segv},
	{"sleep", "sleep DURATION", "sleeps DURATION without using CPU: real time against CPU time", true, sleep},
	{"sort", "sort", "reads n and n integers from stdin and prints them sorted: a real judge task", true, sortInts},
	{"spin", "spin N", "runs N iterations of integer arithmetic and prints a checksum: fixed work, so contention shows as CPU time", true, spin},
}

// Lookup returns the workload called name and whether there is one.
func Lookup(name string) (Workload, bool) {
	i, ok := slices.BinarySearchFunc(registry, name, func(w Workload, name string) int {
		return strings.Compare(w.Name, name)
	})
	if !ok {
		return Workload{}, false
	}
	return registry[i], true
}

// Workloads returns every built-in workload, sorted by name.
func Workloads() []Workload {
	return slices.Clone(registry)
}

// ExitError asks the process running a workload to exit with Code.
// The exit workload returns one.
type ExitError struct {
	Code int // exit status, 0..255
}

// Error returns "exit status N".
func (e *ExitError) Error() string {
	return fmt.Sprintf("exit status %d", e.Code)
}

// UsageError reports bad arguments to a workload: one missing, one too many,
// or one that does not parse.
type UsageError struct {
	Err error
}

// Error returns the problem with the arguments.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// Main runs the workload args[0] with arguments args[1:] as a program does and
// returns the process exit status: 0 on success, the Code of an [ExitError],
// and 2 after one line "judgebench: work NAME: problem" on stderr for an
// unknown workload, bad arguments or any other error. With no arguments, or
// help, -h or --help, it lists the workloads on stdout and returns 0.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printList(stdout)
		return 0
	}
	w, ok := Lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "judgebench: work %s: unknown workload (\"judgebench work\" lists them)\n", args[0])
		return 2
	}
	err := w.Run(ctx, Env{Args: args[1:], Stdin: stdin, Stdout: stdout, Stderr: stderr})
	if err == nil {
		return 0
	}
	if ee, ok := errors.AsType[*ExitError](err); ok {
		return ee.Code
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if _, ok := errors.AsType[*UsageError](err); ok {
		msg += " (usage: judgebench work " + w.Usage + ")"
	}
	fmt.Fprintf(stderr, "judgebench: work %s: %s\n", w.Name, msg)
	return 2
}

// printList writes the usage of `judgebench work` and one line per workload.
func printList(w io.Writer) {
	fmt.Fprintf(w, "usage: judgebench work NAME [ARGS]\n\nworkloads:\n")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, wl := range registry {
		fmt.Fprintf(tw, "  %s\t%s\n", wl.Usage, wl.Summary)
	}
	tw.Flush()
}

// SelfArgs is the arguments that make the running binary run a workload: a
// workload re-executes /proc/self/exe with argv = [os.Args[0]] + SelfArgs +
// [name] + args. The default, "work", suits the judgebench binary and test
// binaries whose TestMain intercepts "work".
var SelfArgs = []string{"work"}

// SelfCommand returns a command that runs the workload name with args in a new
// process of the running binary (Path "/proc/self/exe", see [SelfArgs]).
func SelfCommand(name string, args ...string) *exec.Cmd {
	argv := make([]string, 0, 2+len(SelfArgs)+len(args))
	argv = append(argv, os.Args[0])
	argv = append(argv, SelfArgs...)
	argv = append(argv, name)
	argv = append(argv, args...)
	return &exec.Cmd{Path: "/proc/self/exe", Args: argv}
}
