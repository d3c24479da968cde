package harness

import (
	"cmp"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// outcome is what running one case gave, whatever the model.
type outcome struct {
	Verdict             sandbox.Verdict `json:"verdict"`
	CPU                 time.Duration   `json:"cpu"`
	User                time.Duration   `json:"user"`
	System              time.Duration   `json:"system"`
	Real                time.Duration   `json:"real"`
	Memory              sandbox.Size    `json:"memory"`
	MemorySource        string          `json:"memory_source"`
	MaxRSS              sandbox.Size    `json:"maxrss"`
	ExitCode            int             `json:"exit_code"`
	Signal              int             `json:"signal"`
	Error               string          `json:"error"`
	InvoluntarySwitches int64           `json:"involuntary_switches"`
	Match               bool            `json:"match"`
	CheckerMessage      string          `json:"checker_message"`
	Expected            bool            `json:"expected"` // the case had an expected output
	// Worker is the process model's whole worker time: start-up, the case
	// sent and returned as JSON, the case itself, and exit.
	Worker time.Duration `json:"worker"`
	// Judge is another judge's own account of the case; nil for the sandbox.
	Judge *sandbox.JudgeReport `json:"-"`
}

func fromResult(r *sandbox.Result, expected bool) outcome {
	return outcome{
		Verdict: r.Verdict, CPU: r.CPUTime, User: r.User, System: r.System, Real: r.RealTime,
		Memory: r.Memory, MemorySource: string(r.MemorySource), MaxRSS: r.MaxRSS,
		ExitCode: r.ExitCode, Signal: r.Signal, Error: r.Error,
		InvoluntarySwitches: r.InvoluntarySwitches, Match: r.Match, CheckerMessage: r.CheckerMessage, Expected: expected,
		Judge: r.Judge,
	}
}

func systemError(err error) outcome {
	return outcome{Verdict: sandbox.SystemError, ExitCode: -1, Error: err.Error()}
}

// sample turns an outcome into the record of the run.
func (o *outcome) sample(c string, st setting, rep, worker, seq int, offset time.Duration, expect sandbox.Verdict) results.Sample {
	s := results.Sample{
		Case: c, Model: st.model, Measure: st.measure, Parallelism: st.parallel,
		GOMAXPROCS: st.gomaxprocs, Pinned: st.pinned, Placement: string(st.placement), Isolation: st.isolation, Repeat: rep, Worker: worker, Seq: seq,
		StartOffsetMS: results.Millis(offset), CPUTimeMS: results.Millis(o.CPU), UserTimeMS: results.Millis(o.User),
		SysTimeMS: results.Millis(o.System), RealTimeMS: results.Millis(o.Real), MemoryBytes: int64(o.Memory),
		MemorySource: o.MemorySource, Verdict: verdictOf(o.Verdict), ExitCode: o.ExitCode, Signal: o.Signal, Error: o.Error,
		InvoluntarySwitches: o.InvoluntarySwitches, CheckerMessage: o.CheckerMessage, Executor: cmp.Or(st.executor, results.ExecutorSandbox),
	}
	if j := o.Judge; j != nil {
		s.Executor, s.Judge = j.Executor, JudgeRecord(j)
	}
	if expect != 0 {
		s.ExpectedVerdict = verdictOf(expect)
	}
	return s
}

// verdictOf is the record's name of a sandbox verdict: the two lists are the
// same (a test checks it).
func verdictOf(v sandbox.Verdict) results.Verdict { return results.Verdict(v.String()) }

// JudgeRecord is the record of a judge's own account of a case; nil for
// none.
func JudgeRecord(j *sandbox.JudgeReport) *results.JudgeReport {
	if j == nil {
		return nil
	}
	r := &results.JudgeReport{Status: j.Status, Why: j.Why, LatencyMS: results.Millis(j.Latency), Raw: j.Raw}
	if j.Verdict != 0 {
		r.Verdict = verdictOf(j.Verdict)
	}
	return r
}
