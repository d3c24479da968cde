package judges

import (
	"fmt"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

// gjResult is go-judge's result of one command.
type gjResult struct {
	Status     string            `json:"status"`
	ExitStatus int               `json:"exitStatus"` // exit code, or the signal that ended it
	Error      string            `json:"error"`
	Time       int64             `json:"time"`    // CPU ns
	RunTime    int64             `json:"runTime"` // wall ns
	Memory     int64             `json:"memory"`  // bytes
	Files      map[string]string `json:"files"`
}

// result is res in judgebench's terms, under the limits l. go-judge has one
// status for both time limits: the figures tell which.
func (res gjResult) result(server string, l sandbox.Limits) *sandbox.Result {
	r := &sandbox.Result{
		CPUTime: time.Duration(res.Time), RealTime: time.Duration(res.RunTime),
		Memory: sandbox.Size(res.Memory), MemorySource: "go-judge:memory",
		ExitCode: -1, Error: res.Error, Isolation: isolation,
	}
	switch res.Status {
	case "Accepted":
		r.Verdict, r.ExitCode = sandbox.Accepted, 0
	case "Nonzero Exit Status":
		r.Verdict, r.ExitCode = sandbox.RuntimeError, res.ExitStatus
	case "Signalled", "Dangerous Syscall":
		r.Verdict, r.Signal = sandbox.RuntimeError, res.ExitStatus
	case "Time Limit Exceeded":
		r.Verdict = sandbox.RealTimeLimitExceeded
		if r.CPUTime >= l.CPUTime {
			r.Verdict = sandbox.CPUTimeLimitExceeded
		}
		r.ExitCode, r.Signal = gjLimitEnd(res.ExitStatus)
	case "Memory Limit Exceeded":
		r.Verdict = sandbox.MemoryLimitExceeded
		r.ExitCode, r.Signal = gjLimitEnd(res.ExitStatus)
	case "Output Limit Exceeded":
		r.Verdict = sandbox.OutputLimitExceeded
		r.ExitCode, r.Signal = gjLimitEnd(res.ExitStatus)
	default: // File Error, Internal Error, and those no single run gets
		r.Verdict = sandbox.SystemError
		r.Error = fmt.Sprintf("judges: go-judge at %s: %s", server, res.Status)
		if res.Error != "" {
			r.Error += ": " + res.Error
		}
	}
	return r
}

// gjLimitEnd is how a program stopped at a limit ended: go-judge reports the
// signal that killed it (9 from its own killer), or exit status 0 when it
// set the status after a clean exit (a figure over its limit).
func gjLimitEnd(status int) (exitCode, signal int) {
	if status == 0 {
		return 0, 0
	}
	return -1, status
}
