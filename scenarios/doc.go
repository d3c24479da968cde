// Package scenarios holds judgebench's built-in workloads: small Go programs
// with known behaviour (a given CPU time, a given amount of memory, a crash by
// signal, endless output, a fork bomb...) that a case can run instead of an
// external program.
//
// # Workloads
//
// A [Workload] is a name, a usage line, a one-line summary and a Run
// function. [Workloads] lists them sorted by name and [Lookup] finds one:
//
//	burn DURATION                  spend DURATION of the thread's own CPU time (calibration)
//	spin N                         N iterations of integer arithmetic, prints a checksum
//	memwalk MIB [PASSES]           memory-bandwidth-bound sweeps over MIB MiB
//	alloc MIB [HOLD]               touch MIB MiB page by page, hold it for HOLD
//	sleep DURATION                 sleep without using CPU
//	sort                           read n and n integers, print them sorted (see [SortCase])
//	segv, abort                    die by SIGSEGV or SIGABRT
//	exit CODE                      exit with status CODE
//	panic                          an unrecovered Go panic
//	flood [BYTES] [stdout|stderr]  endless (or BYTES of) output
//	fork                           a fork bomb
//	orphan [setsid] [DURATION]     leave a sleeping grandchild behind
//	hang                           ignore SIGTERM and block
//	rlimits                        print the process's resource limits
//
// Durations are Go durations ("500ms", "2s"); memory sizes are integers in
// MiB. A workload writes to stdout only what its description states.
//
// # As a program
//
// `judgebench work NAME ARGS` runs a workload as a process through [Main],
// which maps the result to an exit status: 0 on success, the code of an
// [ExitError], and 2 with one line "judgebench: work NAME: problem" on
// stderr for an unknown workload, bad arguments ([UsageError]) or any other
// error. Only the panic workload prints a stack trace, because it really
// panics.
//
// # In process
//
// A workload whose InProcess field is true may also run as a goroutine of the
// harness: it honours its context, returns its errors, and leaves the process
// as it found it. The panic workload is marked InProcess on purpose: running
// it in a goroutine kills the whole harness, which is the pitfall it teaches.
//
// # Re-executing itself
//
// Workloads that start other workloads (fork, orphan) re-execute the running
// binary through [SelfCommand], as /proc/self/exe with the arguments in
// [SelfArgs]. A test binary poses as `judgebench work` by intercepting the
// "work" argument in its TestMain:
//
//	func TestMain(m *testing.M) {
//		if len(os.Args) > 1 && os.Args[1] == "work" {
//			os.Exit(scenarios.Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
//		}
//		os.Exit(m.Run())
//	}
//
// # Scenarios and problem directories
//
// A [Scenario] is a workload (or an external program), its cases and how to
// schedule them; [Scenario.Expand] turns it into concrete [Case] values.
// [Builtins] and [Builtin] give the scenarios embedded from builtin/*.yaml,
// [Load] and [Parse] read a YAML scenario file of the same format (errors
// are one line naming the file and line, and an unknown model, measure mode
// or pin setting gets a "did you mean" as an unknown field does), and
// [ProblemDir] reads a directory of N.in with N.out or N.ans test files.
// [Resolve] says which of these a TARGET of run or tune names.
package scenarios
