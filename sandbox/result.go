package sandbox

import (
	"encoding/json"
	"time"
)

// MemorySource names the mechanism that measured Result.Memory.
type MemorySource string

// The memory sources, best first.
const (
	// MemoryCgroupV2 is memory.peak of the run's own cgroup v2.
	MemoryCgroupV2 MemorySource = "cgroup2:memory.peak"
	// MemoryCgroupV1 is memory.max_usage_in_bytes of the run's own cgroup v1.
	MemoryCgroupV1 MemorySource = "cgroup1:memory.max_usage_in_bytes"
	// MemoryVmHWM is VmHWM of /proc/PID/status read at the program's ptrace exit
	// stop: its own peak RSS, without descendants.
	MemoryVmHWM MemorySource = "ptrace:VmHWM"
	// MemoryNone means the peak could not be measured (the run did not start).
	MemoryNone MemorySource = ""
)

// Result is what one run did. Everything the program did is data here; only a
// harness failure shows as SystemError with Error set.
type Result struct {
	Verdict Verdict
	// CPUTime is User+System of every task of the run, from its cgroup's CPU
	// counter (children the program never waited for count), or without a
	// cgroup from wait4 (the program and what it waited for). The sum is
	// exact; the split is sampled at the tick.
	CPUTime time.Duration
	User    time.Duration
	System  time.Duration
	// RealTime runs from the program's release at exec to its reaping.
	RealTime time.Duration
	// Memory is the program's own peak in bytes; 0 when MemorySource is MemoryNone.
	Memory       Size
	MemorySource MemorySource
	// ExitCode is the exit status, or -1 when the program was killed by a signal
	// or never ran.
	ExitCode int
	// Signal is the number of the signal that ended the program, 0 if none.
	Signal int
	// Error says why the run is a SYSTEM_ERROR, or what went wrong measuring it;
	// empty when nothing did.
	Error string
	// VoluntarySwitches and InvoluntarySwitches are context switches from wait4.
	VoluntarySwitches   int64
	InvoluntarySwitches int64
	// OutputBytes is how many bytes the program wrote to stdout (up to the limit
	// plus one read).
	OutputBytes int64
	// Match reports whether stdout matched Command.Expect under its Checker,
	// whatever the verdict; false without Expect, and false when a checker
	// program did not run (the program's own verdict was another).
	Match bool
	// CheckerMessage says, for WRONG_ANSWER, why: for a built-in checker
	// where the output first differs ("line 3: expected "1 2", got "1 3""),
	// for a checker program the first line of its comment (its stderr, else
	// its stdout). Empty for any other verdict.
	CheckerMessage string
	// MaxRSS is the raw ru_maxrss of the program from wait4. It is NOT the
	// program's memory: Go forks with CLONE_VM, so it is at least the
	// harness's own peak. It is kept to show that trap, never to judge.
	MaxRSS Size
	// Stderr holds the first bytes the program wrote to stderr (at most
	// Command.StderrLimit); the rest was read and dropped.
	Stderr []byte
	// Isolation is the isolation level the program ran at.
	Isolation Isolation
	// LaunchCPU is the CPU time the program's process was charged before its
	// exec: the harness's forked child, and at IsolationNamespaces the
	// launcher that set its limits. It is in no other figure; a program that
	// reads its own process clock finds it there.
	LaunchCPU time.Duration
	// Warnings are findings that weaken the result but did not stop it, such as a
	// guarantee that this host could not give.
	Warnings []string
	// Judge is set when another judge ran the program (an executor other than
	// the sandbox): its own account. Every other figure is then the judge's,
	// and Verdict its verdict in judgebench's names.
	Judge *JudgeReport
}

// JudgeReport is another judge's own account of a run.
type JudgeReport struct {
	// Executor names the judge: judger, isolate, go-judge, command:NAME.
	Executor string
	// Status is the judge's own name of its verdict ("TO", "Time Limit
	// Exceeded", "1").
	Status string
	// Verdict is what judgebench would decide from the judge's figures and
	// the limits, when that differs from the judge's verdict; 0 when they
	// agree. Why says how they differ.
	Verdict Verdict
	Why     string
	// Latency is the wall time around the call to the judge.
	Latency time.Duration
	// Raw is the judge's result as JSON, without file contents.
	Raw json.RawMessage
}

// SignalName returns the conventional name of r.Signal ("SIGSEGV"), or "" when
// no signal ended the program.
func (r *Result) SignalName() string {
	if r.Signal == 0 {
		return ""
	}
	return signalName(r.Signal)
}
