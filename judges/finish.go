package judges

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

// finish completes the result r of cmd that the judge ran, its standard
// output in the file output (none: ""): the output goes to cmd.Stdout, is
// compared with cmd.Expect (an ACCEPTED run whose output is wrong becomes
// WRONG_ANSWER), and judgebench's own verdict from the judge's figures is
// noted where it differs.
func finish(ctx context.Context, cmd *sandbox.Command, r *sandbox.Result, output string) {
	l := cmd.Limits.WithDefaults()
	if output != "" {
		if st, err := os.Stat(output); err == nil {
			r.OutputBytes = st.Size()
		}
		if cmd.Stdout != nil {
			if err := copyTo(cmd.Stdout, output); err != nil && r.Error == "" {
				r.Error = "judges: read the output: " + err.Error()
			}
		}
	}
	own, why := ownVerdict(r, l)
	if cmd.Expect != nil && output != "" && (r.Verdict == sandbox.Accepted || own == sandbox.Accepted) {
		match, msg, err := check(ctx, cmd, output)
		switch {
		case err != nil:
			r.Verdict, r.Error = sandbox.SystemError, "judges: check the output: "+err.Error()
		case match:
			r.Match = true
		default:
			r.CheckerMessage = msg
			if r.Verdict == sandbox.Accepted {
				r.Verdict = sandbox.WrongAnswer
			}
			if own == sandbox.Accepted {
				own = sandbox.WrongAnswer
			}
		}
	}
	if r.Judge != nil && own != r.Verdict && r.Verdict != sandbox.SystemError {
		r.Judge.Verdict, r.Judge.Why = own, why
	}
}

// ownVerdict is what judgebench decides from r's figures under l, and why,
// when it is not simply the judge's: CPU time over the limit, real time
// over the limit, memory over the limit, a signal or a non-zero exit, in
// judgebench's order of precedence.
func ownVerdict(r *sandbox.Result, l sandbox.Limits) (sandbox.Verdict, string) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
	switch {
	case r.Verdict == sandbox.SystemError:
		return r.Verdict, ""
	case r.CPUTime > l.CPUTime:
		return sandbox.CPUTimeLimitExceeded, fmt.Sprintf("cpu_time %s over the limit of %s", ms(r.CPUTime), ms(l.CPUTime))
	case r.RealTime > l.RealTime:
		return sandbox.RealTimeLimitExceeded, fmt.Sprintf("real_time %s over the limit of %s", ms(r.RealTime), ms(l.RealTime))
	case r.Memory > l.Memory:
		return sandbox.MemoryLimitExceeded, fmt.Sprintf("memory %v over the limit of %v", r.Memory, l.Memory)
	case r.OutputBytes > int64(l.Output):
		return sandbox.OutputLimitExceeded, fmt.Sprintf("output %d bytes over the limit of %v", r.OutputBytes, l.Output)
	case r.Signal != 0 || r.ExitCode != 0:
		return sandbox.RuntimeError, fmt.Sprintf("exit code %d, signal %d, within every limit", r.ExitCode, r.Signal)
	case r.Verdict == sandbox.WrongAnswer:
		return r.Verdict, ""
	}
	return sandbox.Accepted, fmt.Sprintf("exited 0 within every limit (cpu_time %s, real_time %s, memory %v)", ms(r.CPUTime), ms(r.RealTime), r.Memory)
}
