package sandbox

import (
	"time"

	"golang.org/x/sys/unix"
)

// measure fills in the times, memory and output of a reaped program.
func (r *run) measure(ws unix.WaitStatus, ru unix.Rusage, real time.Duration) {
	res := r.res
	res.User = time.Duration(ru.Utime.Nano())
	res.System = time.Duration(ru.Stime.Nano())
	res.CPUTime = res.User + res.System
	res.RealTime = real
	res.VoluntarySwitches, res.InvoluntarySwitches = ru.Nvcsw, ru.Nivcsw
	if r.traced {
		res.Memory, res.MemorySource = Size(r.hwm.Load()), MemoryVmHWM
	}
	if ws.Exited() {
		res.ExitCode = ws.ExitStatus()
	} else {
		res.Signal = int(ws.Signal())
	}
	res.OutputBytes = r.io.stdoutBytes()
	res.Match = r.io.expect && r.io.match
	res.MaxRSS = Size(ru.Maxrss) * KiB
	res.Stderr = r.io.stderr.Bytes()
}

// judge gives the verdict, in the contract's precedence: CPU TLE, real TLE,
// MLE, OLE, RE, WA. A checker program, when there is one, gives ACCEPTED or
// WRONG_ANSWER afterwards. A reason the run was killed for counts only when the
// program did die of the kill: a timer can fire just after a clean exit.
func (r *run) judge() {
	res, l := r.res, r.limits
	sig := unix.Signal(res.Signal)
	killed := func(why int32) bool { return r.killed.Load() == why && sig == unix.SIGKILL }
	switch {
	case r.io.err != nil:
		res.Verdict, res.Error = SystemError, r.io.err.Error()
	case killed(killCanceled):
		res.Verdict, res.Error = SystemError, "sandbox: interrupted"
	case killed(killCPU) || res.CPUTime > l.CPUTime || sig == unix.SIGXCPU:
		res.Verdict = CPUTimeLimitExceeded
	case killed(killReal) || res.RealTime > l.RealTime:
		res.Verdict = RealTimeLimitExceeded
	case r.oom || killed(killMemory) || (res.MemorySource == MemoryVmHWM && res.Memory > l.Memory):
		res.Verdict = MemoryLimitExceeded
	case res.OutputBytes > int64(l.Output) || sig == unix.SIGXFSZ:
		res.Verdict = OutputLimitExceeded
	case res.ExitCode != 0 || res.Signal != 0:
		res.Verdict = RuntimeError
	case r.io.expect && !r.io.match:
		// With a checker program this is only provisional: see checkOutput.
		res.Verdict, res.CheckerMessage = WrongAnswer, r.io.diff
	default:
		res.Verdict = Accepted
	}
}
