package sandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// Verdict is what a judge says of one run. It is data about the judged program, not a
// harness failure: a program that crashes gets [RuntimeError], not a Go error.
//
// The zero value is not a valid verdict; it prints as "Verdict(0)".
type Verdict int

// The verdicts. [Verdict.String] gives the names used in the case and run records.
const (
	// Accepted means the program exited cleanly and its output matched, or no output was
	// expected.
	Accepted Verdict = iota + 1
	// WrongAnswer means the program exited cleanly but its output did not match.
	WrongAnswer
	// CPUTimeLimitExceeded means the program used more CPU time than its limit.
	CPUTimeLimitExceeded
	// RealTimeLimitExceeded means the program ran longer than its wall-clock limit.
	RealTimeLimitExceeded
	// MemoryLimitExceeded means the program's memory went past its limit.
	MemoryLimitExceeded
	// OutputLimitExceeded means the program wrote more output than its limit.
	OutputLimitExceeded
	// RuntimeError means the program exited with a non-zero status or was killed by a
	// signal.
	RuntimeError
	// SystemError means the harness could not run the case: program missing, not
	// executable, setup failed. The cause is recorded next to the verdict.
	SystemError
)

var verdictNames = [...]string{
	Accepted:              "ACCEPTED",
	WrongAnswer:           "WRONG_ANSWER",
	CPUTimeLimitExceeded:  "CPU_TIME_LIMIT_EXCEEDED",
	RealTimeLimitExceeded: "REAL_TIME_LIMIT_EXCEEDED",
	MemoryLimitExceeded:   "MEMORY_LIMIT_EXCEEDED",
	OutputLimitExceeded:   "OUTPUT_LIMIT_EXCEEDED",
	RuntimeError:          "RUNTIME_ERROR",
	SystemError:           "SYSTEM_ERROR",
}

// Verdicts returns every valid verdict, from [Accepted] to [SystemError]. The caller may
// modify the slice.
func Verdicts() []Verdict {
	vs := make([]Verdict, 0, len(verdictNames)-1)
	for v := Accepted; v <= SystemError; v++ {
		vs = append(vs, v)
	}
	return vs
}

// valid reports whether v is one of the constants.
func (v Verdict) valid() bool { return v >= Accepted && v <= SystemError }

// String returns the record name of v, such as "ACCEPTED" or "WRONG_ANSWER", or
// "Verdict(N)" for a value that is not a verdict.
func (v Verdict) String() string {
	if !v.valid() {
		return "Verdict(" + strconv.Itoa(int(v)) + ")"
	}
	return verdictNames[v]
}

// ParseVerdict returns the verdict whose record name is s, such as "ACCEPTED". Names are
// matched exactly.
func ParseVerdict(s string) (Verdict, error) {
	for _, v := range Verdicts() {
		if verdictNames[v] == s {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown verdict %q (use %s)", s, strings.Join(verdictNames[Accepted:], ", "))
}

// MarshalText encodes v as its record name, and the zero value (unknown) as "".
// It fails for any other value that is not a verdict, so that no record holds one.
func (v Verdict) MarshalText() ([]byte, error) {
	if v == 0 {
		return []byte{}, nil // unknown: "", and back to 0
	}
	if !v.valid() {
		return nil, fmt.Errorf("marshal verdict: invalid value %v", v)
	}
	return []byte(verdictNames[v]), nil
}

// UnmarshalText decodes a record name with [ParseVerdict]; "" is the zero value.
func (v *Verdict) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*v = 0
		return nil
	}
	p, err := ParseVerdict(string(text))
	if err != nil {
		return err
	}
	*v = p
	return nil
}
