package results

import "fmt"

// The verdict names a sample's Verdict and ExpectedVerdict can hold. They are
// the record names of the sandbox's verdicts; results keeps its own copy so
// that it stays a leaf package.
const (
	Accepted              = "ACCEPTED"                 // Accepted: right output within every limit.
	WrongAnswer           = "WRONG_ANSWER"             // WrongAnswer: the checker rejected the output.
	CPUTimeLimitExceeded  = "CPU_TIME_LIMIT_EXCEEDED"  // CPUTimeLimitExceeded: killed at the CPU time limit.
	RealTimeLimitExceeded = "REAL_TIME_LIMIT_EXCEEDED" // RealTimeLimitExceeded: killed at the wall-clock limit.
	MemoryLimitExceeded   = "MEMORY_LIMIT_EXCEEDED"    // MemoryLimitExceeded: over the memory limit.
	OutputLimitExceeded   = "OUTPUT_LIMIT_EXCEEDED"    // OutputLimitExceeded: wrote more than allowed.
	RuntimeError          = "RUNTIME_ERROR"            // RuntimeError: crashed or exited non-zero.
	SystemError           = "SYSTEM_ERROR"             // SystemError: the judge failed, not the program.
)

// ValidVerdict reports whether v is one of the verdict names, such as
// "ACCEPTED". The empty string is not a verdict.
func ValidVerdict(v string) bool {
	switch v {
	case Accepted, WrongAnswer, CPUTimeLimitExceeded, RealTimeLimitExceeded,
		MemoryLimitExceeded, OutputLimitExceeded, RuntimeError, SystemError:
		return true
	}
	return false
}

// isFault reports whether a sample expected to produce expected was scheduled
// with an injected fault.
func isFault(expected string) bool {
	return expected != "" && expected != Accepted
}

// checkSample reports what makes s unfit for run.json: an empty or unknown
// verdict, or an unknown expected verdict.
func checkSample(s *Sample) error {
	switch {
	case s.Verdict == "":
		return fmt.Errorf("case %q: empty verdict", s.Case)
	case !ValidVerdict(s.Verdict):
		return fmt.Errorf("case %q: unknown verdict %q", s.Case, s.Verdict)
	case s.ExpectedVerdict != "" && !ValidVerdict(s.ExpectedVerdict):
		return fmt.Errorf("case %q: unknown expected_verdict %q", s.Case, s.ExpectedVerdict)
	}
	return nil
}
