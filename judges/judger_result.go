package judges

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

// judgerReport is Judger's result object.
type judgerReport struct {
	CPUTime  int64 `json:"cpu_time"`  // ms, user time only
	RealTime int64 `json:"real_time"` // ms
	Memory   int64 `json:"memory"`    // bytes, ru_maxrss*1024
	Signal   int   `json:"signal"`
	ExitCode int   `json:"exit_code"`
	Error    int   `json:"error"`
	Result   int   `json:"result"`
}

// judgerVerdicts are Judger's results by number, with judgebench's verdict.
var judgerVerdicts = map[int]struct {
	name    string
	verdict sandbox.Verdict
}{
	-1: {"WRONG_ANSWER", sandbox.WrongAnswer},
	0:  {"ACCEPTED", sandbox.Accepted},
	1:  {"CPU_TIME_LIMIT_EXCEEDED", sandbox.CPUTimeLimitExceeded},
	2:  {"REAL_TIME_LIMIT_EXCEEDED", sandbox.RealTimeLimitExceeded},
	3:  {"MEMORY_LIMIT_EXCEEDED", sandbox.MemoryLimitExceeded},
	4:  {"RUNTIME_ERROR", sandbox.RuntimeError},
	5:  {"SYSTEM_ERROR", sandbox.SystemError},
}

// judgerErrors are the names of Judger's own failures (its error field).
var judgerErrors = map[int]string{
	-1: "INVALID_CONFIG", -2: "FORK_FAILED", -3: "PTHREAD_FAILED", -4: "WAIT_FAILED",
	-5: "ROOT_REQUIRED", -6: "LOAD_SECCOMP_FAILED", -7: "SETRLIMIT_FAILED", -8: "DUP2_FAILED",
	-9: "SETUID_FAILED", -10: "EXECVE_FAILED", -11: "SPJ_ERROR",
}

// judgerResult turns what Judger printed into a Result; report gets its
// status and raw object. A system error of Judger's carries the cause from
// its log.
func judgerResult(stdout []byte, f judgerFiles, report *sandbox.JudgeReport) (*sandbox.Result, error) {
	var raw bytes.Buffer
	if err := json.Compact(&raw, stdout); err != nil {
		return nil, fmt.Errorf("judges: judger: result: %w: %q", err, firstLine(stdout))
	}
	var jr judgerReport
	if err := json.Unmarshal(raw.Bytes(), &jr); err != nil {
		return nil, fmt.Errorf("judges: judger: result: %w", err)
	}
	report.Raw = raw.Bytes()
	v, ok := judgerVerdicts[jr.Result]
	if !ok {
		return nil, fmt.Errorf("judges: judger: unknown result %d in %s", jr.Result, raw.Bytes())
	}
	report.Status = fmt.Sprintf("%d %s", jr.Result, v.name)
	if jr.Error != 0 {
		report.Status += fmt.Sprintf(", error %d %s", jr.Error, judgerErrors[jr.Error])
		return failed(report, fmt.Errorf("judges: judger: error %d %s: %s", jr.Error, judgerErrors[jr.Error], judgerLog(f.log))), nil
	}
	if v.verdict == sandbox.SystemError {
		return failed(report, fmt.Errorf("judges: judger: SYSTEM_ERROR: %s", judgerLog(f.log))), nil
	}
	r := &sandbox.Result{
		Verdict:      v.verdict,
		CPUTime:      time.Duration(jr.CPUTime) * time.Millisecond,
		User:         time.Duration(jr.CPUTime) * time.Millisecond,
		RealTime:     time.Duration(jr.RealTime) * time.Millisecond,
		Memory:       sandbox.Size(jr.Memory),
		MemorySource: "judger:ru_maxrss",
		ExitCode:     jr.ExitCode,
		Signal:       jr.Signal,
		Isolation:    isolation,
		Judge:        report,
	}
	if r.Signal != 0 {
		r.ExitCode = -1
	}
	return r, nil
}

// judgerLog is the end of Judger's log at path, on one line: where it says
// why the program could not start.
func judgerLog(path string) string {
	b, cut, err := tail(path, 8<<10)
	if err != nil {
		return "no log: " + err.Error()
	}
	s := strings.Join(strings.Fields(string(b)), " ")
	if cut || len(s) > 2048 {
		s = "..." + s[max(0, len(s)-2048):]
	}
	if s == "" {
		return "empty log"
	}
	return s
}
