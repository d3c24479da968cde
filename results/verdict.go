package results

import (
	"errors"
	"fmt"
)

// Verdict is what a judge says of one case execution, by its record name.
// The zero value "" means unknown.
type Verdict string

// The verdicts: the sandbox's, by the names run.json records. Package
// sandbox has its own Verdict type (it imports nothing of judgebench); a
// test keeps the two lists the same.
const (
	Accepted              Verdict = "ACCEPTED"                 // right output within every limit
	WrongAnswer           Verdict = "WRONG_ANSWER"             // the checker rejected the output
	CPUTimeLimitExceeded  Verdict = "CPU_TIME_LIMIT_EXCEEDED"  // killed at the CPU time limit
	RealTimeLimitExceeded Verdict = "REAL_TIME_LIMIT_EXCEEDED" // killed at the wall-clock limit
	MemoryLimitExceeded   Verdict = "MEMORY_LIMIT_EXCEEDED"    // over the memory limit
	OutputLimitExceeded   Verdict = "OUTPUT_LIMIT_EXCEEDED"    // wrote more than allowed
	RuntimeError          Verdict = "RUNTIME_ERROR"            // crashed or exited non-zero
	SystemError           Verdict = "SYSTEM_ERROR"             // the judge failed, not the program
)

// Verdicts returns every verdict, in the sandbox's order: ACCEPTED first,
// SYSTEM_ERROR last.
func Verdicts() []Verdict {
	return []Verdict{Accepted, WrongAnswer, CPUTimeLimitExceeded, RealTimeLimitExceeded,
		MemoryLimitExceeded, OutputLimitExceeded, RuntimeError, SystemError}
}

// ParseVerdict returns the verdict named s, such as "ACCEPTED".
func ParseVerdict(s string) (Verdict, error) { return parse("verdict", s, Verdicts()) }

// String returns the record name of v.
func (v Verdict) String() string { return string(v) }

// Valid reports whether v is one of the verdicts; "" is not.
func (v Verdict) Valid() bool { return valid(v, Verdicts()) }

// shortNames are the verdicts' short names, as judges show them.
var shortNames = map[Verdict]string{Accepted: "AC", WrongAnswer: "WA", CPUTimeLimitExceeded: "TLE",
	RealTimeLimitExceeded: "RTLE", MemoryLimitExceeded: "MLE", OutputLimitExceeded: "OLE",
	RuntimeError: "RE", SystemError: "SE"}

// Short returns the short name of v, as judges show it: AC, WA, TLE (CPU
// time), RTLE (real time), MLE, OLE, RE, SE; the record name of anything
// else.
func (v Verdict) Short() string {
	if s, ok := shortNames[v]; ok {
		return s
	}
	return string(v)
}

// MarshalText returns the record name of v; "" stays "".
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v), nil }

// UnmarshalText sets v to the verdict named by text, or "" for empty text.
func (v *Verdict) UnmarshalText(text []byte) error { return unmarshal(v, "verdict", text, Verdicts()) }

// isFault reports whether a sample expected to produce expected was scheduled
// with an injected fault.
func isFault(expected Verdict) bool {
	return expected != "" && expected != Accepted
}

// checkSample reports what makes s unfit for run.json: an empty or unknown
// verdict, or an unknown expected verdict, model or measure mode.
func checkSample(s *Sample) error {
	var err error
	switch {
	case s.Verdict == "":
		err = errors.New("empty verdict")
	case !s.Verdict.Valid():
		err = unknown("verdict", s.Verdict, Verdicts())
	case s.ExpectedVerdict != "" && !s.ExpectedVerdict.Valid():
		err = unknown("expected_verdict", s.ExpectedVerdict, Verdicts())
	case s.Model != "" && !s.Model.Valid():
		err = unknown("model", s.Model, Models())
	case s.Measure != "" && !s.Measure.Valid():
		err = unknown("measure mode", s.Measure, Measures())
	case s.Isolation != "" && !s.Isolation.Valid():
		err = unknown("isolation", s.Isolation, Isolations())
	}
	if err != nil {
		return fmt.Errorf("case %q: %w", s.Case, err)
	}
	return nil
}
