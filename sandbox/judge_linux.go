package sandbox

import (
	"time"

	"golang.org/x/sys/unix"
)

// measure fills in the times, memory and output of a reaped program. With a
// cgroup, the CPU time is its counter, every task of the run; else wait4's,
// the program and the descendants it waited for.
func (r *run) measure(ws unix.WaitStatus, ru unix.Rusage, real time.Duration) {
	res := r.res
	res.User = time.Duration(ru.Utime.Nano())
	res.System = time.Duration(ru.Stime.Nano())
	if c := r.cgCPU; c.ok {
		user, sys := res.User, res.System // the shares of wait4 when the cgroup sampled none
		if c.split && c.user+c.sys > 0 {
			user, sys = c.user, c.sys
		}
		res.User, res.System = splitCPU(c.total, user, sys)
	} else if l := r.res.LaunchCPU; l > 0 {
		// wait4 counts the process from its fork: take out what came before exec.
		res.User, res.System = splitCPU(max(res.User+res.System-l, 0), res.User, res.System)
	}
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
	case r.pinErr != nil:
		res.Verdict, res.Error = SystemError, r.pinErr.Error()
	case r.io.err != nil:
		res.Verdict, res.Error = SystemError, r.io.err.Error()
	case killed(killCanceled):
		res.Verdict, res.Error = SystemError, "sandbox: interrupted"
	case killed(killCPU) || res.CPUTime > l.CPUTime || sig == unix.SIGXCPU:
		res.Verdict = CPUTimeLimitExceeded
	case killed(killReal) || res.RealTime > l.RealTime:
		res.Verdict = RealTimeLimitExceeded
	case r.oom || killed(killMemory) || res.Memory > l.Memory:
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

// splitCPU divides total between user and system time in the proportion of
// the samples user and sys, so that the two add up to total exactly: the
// kernel samples the split at the tick, but counts the total to the
// nanosecond. Without samples it is all user time, as the kernel's own
// scaling (cputime_adjust) has it.
func splitCPU(total, user, sys time.Duration) (time.Duration, time.Duration) {
	if user < 0 || sys < 0 || user+sys <= 0 {
		return total, 0
	}
	u := time.Duration(float64(total) * (float64(user) / float64(user+sys)))
	return u, total - u
}
