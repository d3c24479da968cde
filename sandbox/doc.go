// Package sandbox runs one program under limits and measures it the way a judge
// must. It knows nothing of scheduling models or scenarios.
//
// # Measurement
//
// CPU time is user+sys of every task of the run: with a cgroup, the cgroup's
// own counter (v1 cpuacct.usage, v2 usage_usec of cpu.stat), the one the CPU
// watchdog enforces, so that children the program never waits for count; its
// user and system shares (cpuacct.usage_user and usage_sys, user_usec and
// system_usec) are sampled at the tick and scaled to add up to it exactly.
// Without a cgroup it is wait4 of the program itself: the program and the
// descendants it waited for. Never a delta of a process-wide counter. Real
// time runs on the monotonic clock from the moment the program is released at
// its exec stop to the moment it is reaped, so fork, exec and limit setup are
// not in it. Peak memory is the program's own: the memory.peak (v2) or
// memory.max_usage_in_bytes (v1) of a cgroup made for the run, else VmHWM of
// /proc/PID/status read at a ptrace exit stop. It is never ru_maxrss: Go forks
// with CLONE_VM and the kernel folds the parent's high-water mark into the
// child's at exec, so a tiny program run by a big harness would show the
// harness's peak. Result.MemorySource says which mechanism measured it. A
// cgroup charges a page of the page cache to the cgroup of the task that
// first read it; so that the input does not count in the case's memory when
// it was not cached (10 MiB more for a 10 MB input read cold), the harness
// reads a Command.Stdin that is a regular file through the page cache first,
// unless every page of it is there already. The verdict compares the peak
// with the limit too: a peak over it is MEMORY_LIMIT_EXCEEDED even when the
// kernel killed nothing.
//
// # Inputs
//
// A case's input or expected output handed over as an *os.File must be a
// regular file, the null device, or a pipe (one the harness feeds): a named
// pipe, a device, a directory or a socket is a SYSTEM_ERROR that says so, at
// once, since its reads may never end. OpenInput opens a file for either
// without blocking (the open of a named pipe waits for a writer), and
// CheckInput checks one without opening it.
//
// # Limits
//
// Every limit is in force before the program's first instruction, and none
// touches the harness. Where it can (amd64; see vforkExec), the program is
// started by a vfork of the harness's own, whose child sets RLIMIT_STACK,
// RLIMIT_FSIZE, RLIMIT_CORE=0, RLIMIT_NOFILE, RLIMIT_CPU as a backstop and,
// without a pids cgroup, RLIMIT_NPROC on itself, gets into its cgroups (it
// moves itself on v1, and is born there by clone3 with CLONE_INTO_CGROUP on
// v2) and takes its ids, directory and descriptors before its exec,
// untraced: in a box with a memory cgroup, and at IsolationNone unpinned
// with one. Otherwise it is started traced (PTRACE_TRACEME) and stops at its
// exec; there it gets the same rlimits through prlimit; on cgroup v1 it is
// moved into its cgroups there too (on v2 it was born in its cgroup through
// CLONE_INTO_CGROUP), and given the CPUs of Command.CPUs
// (sched_setaffinity), whatever thread started it. Then it is released.
//
// The CPU limit is enforced by a watchdog on the run's CPU clock (the cgroup's
// counter, or the program's process clock), which kills within about a
// millisecond per busy thread of the limit; RLIMIT_CPU counts whole seconds and
// only backs it up. The memory limit is the cgroup's (an OOM kill is
// MEMORY_LIMIT_EXCEEDED); without a memory cgroup the watchdog polls RSS and
// the exit-stop VmHWM decides. Output is read from a pipe as it is written,
// counted and compared as it streams; past the limit the run is killed.
//
// # Checkers
//
// With Command.Expect set, Command.Checker judges the output. The built-in
// ones (CheckLines, CheckExact, CheckTokens, CheckFloat) compare it with the
// expected output as it streams, through a few fixed buffers, so that memory
// stays bounded whatever the output's size. On a mismatch,
// Result.CheckerMessage says where the output first differs: the line or
// token number and the expected against the got line or token, each cut to 60
// bytes around the difference, or "output ends early at line N" and "extra
// output at line N". CheckFloat(eps) compares tokens, except that two finite
// decimal numbers match when |got-want| <= eps or |got-want| <= eps*|want|
// (with eps > 0, a few units in the last place more, for the rounding of the
// decimals, as testlib does); a token of more than 1KiB is text.
//
// A checker program (CheckProgram, any --checker value with a slash) is run
// in the testlib convention, `PROGRAM input output answer`, in a temporary
// directory of its own under os.TempDir (mode 0700) that holds the three
// files and is removed on every path out of Run. Stdin is copied to the input
// file before the run and the program reads that copy; its stdout goes to the
// output file as it streams, still under Limits.Output; the answer is written
// only after the program has ended. The checker then runs as a run of its
// own, sandboxed like the program, under Command.CheckerLimits (zero fields:
// CPU 10s, real time 2x CPU, memory 512MiB, see Limits.WithCheckerDefaults),
// with /dev/null for stdin and the harness's environment, and only when the
// program's own verdict would be ACCEPTED or WRONG_ANSWER. Its exit status
// decides: 0 ACCEPTED, 1 or 2 (testlib's wrong answer and presentation error)
// WRONG_ANSWER with the first line of its comment (stderr, else stdout) as
// Result.CheckerMessage; anything else (testlib's 3, a signal, a limit, a
// failure to start) is SYSTEM_ERROR with the cause in Result.Error: the judge
// failed, not the program. Its time and memory never enter the Result.
//
// # Cleanup
//
// The program leads a process group of its own, and every task of a run is in
// its cgroup. When the program exits, is killed, or the context is cancelled,
// the harness first leaves it an unreaped zombie (so its pid and group cannot
// be reused meanwhile), kills the group and the cgroup, sweeps orphans, drains
// the output, and only then reaps it. The harness is a child subreaper: an
// orphan of a run comes back to it. Without a cgroup, an orphan still in the
// run's process group is killed with the run; one that escaped with setsid
// cannot be told apart from another run's, so it is killed at the end of the
// run when no other run is live, else when the Sandbox is closed.
//
// A harness killed with SIGKILL cannot clean up: its runs' tasks live on,
// reparented, in their cgroups. So every judgebench process keeps its cgroups
// in one place per hierarchy, a parent cgroup named judgebench under the
// hierarchy's root (for root) or the delegated cgroup (for its owner): see
// DelegatedCgroup. A Sandbox's cgroups are judgebench/PID-START-N/run-M, the
// owner named by its pid and its start time (field 22 of /proc/PID/stat), so
// that a process that got a dead owner's pid is not taken for it. New, in any
// mode, removes the cgroups of every dead owner, deepest first, after killing
// their tasks (cgroup.kill on v2, else SIGKILL to every task listed until none
// is left). Tasks that escaped without any cgroup (CgroupOff, or a host
// without cgroups) cannot be found that way: of a harness killed with
// SIGKILL, only the program itself dies with it (its parent-death signal).
// Judgebench processes that share a cgroup hierarchy must share a PID
// namespace, or one would take another's live pids for dead ones.
//
// The harness thread that starts a program stays locked until the program is
// reaped: it is the tracer, and the program's parent-death signal (SIGKILL if
// the harness dies) is tied to it. A program started in its box has the
// box's start thread for its parent, and its box's holder kills what is
// left of it if the harness dies; any thread of the harness waits for it.
//
// # Privileges
//
// As root (or in a delegated cgroup v2 subtree) each run gets cgroups: v2 when
// its memory and pids controllers can be had, else v1. They live under
// TOP/judgebench, TOP being the highest cgroup, from the process's own up,
// that it may write: the hierarchy's root for root (the root of its cgroup
// namespace in a container), the delegated cgroup for its owner. So root's
// cases run outside the cgroup its harness was started in, whose limits do
// not bind them. On v2 a cgroup other than the root may enable controllers
// for its children only while it holds no process, so a process in TOP moves
// itself into a leaf cgroup, TOP/judgebench/PID-START-harness, shared by all
// its Sandboxes, and moves back, turning the controllers off again and
// removing the judgebench parent, when the last one closes; a process started
// in such a leaf (a process-model worker) finds the same TOP. Other processes
// in TOP keep it from enabling anything. Without cgroups (see CgroupOff)
// guarantees are weaker and Result.Warnings says so: CPU time is wait4's,
// memory is the program's VmHWM (its own, not its descendants'), tasks are
// limited by
// RLIMIT_NPROC (which counts every task of the user, is set above the tasks
// the machine already has, and does not bind root), and the CPU watchdog sees
// the program's own clock, not its children's until they are waited for. The
// program stays traced until it exits, so every signal it receives stops it
// once for the tracer: nothing for most programs, a few microseconds per
// preemption signal for a Go program's runtime.
package sandbox
