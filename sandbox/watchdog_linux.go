package sandbox

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// watchdog enforces the CPU, real-time and (without a memory cgroup) memory
// limits of one run, and its context. It owns no goroutine: each check is a
// timer callback, so a short program never wakes it.
type watchdog struct {
	r        *run
	mu       sync.Mutex // held by checks and kills; stop waits for them
	stopped  bool
	tick     *time.Timer // the next check
	realEnd  time.Time   // the real-time limit, where a check kills
	unCtx    func() bool
	lastUsed time.Duration // CPU time at the last check
	lastAt   time.Time
}

// watch starts the watchdog of r. It polls the run's CPU clock, sleeping half
// the wall time the CPU time left would take at the rate the run last burned
// it (between 1ms and 50ms), so the kill lands about a millisecond of that
// rate past the limit, however many threads burn it, while costing a few reads
// per second. Its first check comes after readerGrace at the latest: it
// starts the run's output readers (see pipes).
func (r *run) watch(ctx context.Context) *watchdog {
	w := &watchdog{r: r}
	l := r.limits
	w.mu.Lock()
	defer w.mu.Unlock()
	w.realEnd = r.began.Add(l.RealTime)
	w.lastAt = time.Now()
	w.tick = time.AfterFunc(w.next(min(pollDelay(l.CPUTime, 1), readerGrace)), w.check)
	w.unCtx = context.AfterFunc(ctx, func() { w.kill(killCanceled) })
	return w
}

// pollDelay is the wait before the next check, with left CPU time to go at rate
// CPU seconds per second.
func pollDelay(left time.Duration, rate float64) time.Duration {
	d := time.Duration(float64(left) / max(rate, 1) / 2)
	return min(max(d, time.Millisecond), 50*time.Millisecond)
}

func (w *watchdog) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	r, l := w.r, w.r.limits
	r.io.startReaders()
	if !time.Now().Before(w.realEnd) {
		r.kill(killReal)
		return
	}
	used, ok := r.cpuUsed()
	now := time.Now()
	switch {
	case ok && used >= l.CPUTime:
		r.kill(killCPU)
	case r.traced && r.noteHWM() > l.Memory:
		r.kill(killMemory)
	default:
		rate := float64(used-w.lastUsed) / float64(now.Sub(w.lastAt))
		w.lastUsed, w.lastAt = used, now
		w.tick.Reset(w.next(pollDelay(l.CPUTime-used, rate)))
	}
}

// next is the wait before the next check: d, or less to check at the
// real-time limit.
func (w *watchdog) next(d time.Duration) time.Duration { return min(d, time.Until(w.realEnd)) }

func (w *watchdog) kill(reason int32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.r.kill(reason)
	}
}

// stop ends the watchdog; once it returns, no check or kill of it runs again,
// so none can land on a cgroup that is reused for another run.
func (w *watchdog) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
	w.tick.Stop()
	w.unCtx()
}

// cpuUsed reads the CPU time of the whole run: the cgroup's counter when there
// is one (every task, forked ones included; less what came before the exec of
// a program born in it, as cpu_time will be), else the program's process
// clock.
func (r *run) cpuUsed() (time.Duration, bool) {
	if r.cg != nil {
		d, err := r.cg.cpu()
		return r.sinceExec(d), err == nil
	}
	d, ok := processClock(r.pid)
	return d - r.res.LaunchCPU, ok
}

// processClock reads the CPU clock of process pid: every thread of it, alive
// or exited, since its fork.
func processClock(pid int) (time.Duration, bool) {
	var ts unix.Timespec
	// A process CPU clock id: ^pid << 3 | CPUCLOCK_SCHED (see clock_getcpuclockid).
	clock := int32(^pid<<3 | 2)
	if err := unix.ClockGettime(clock, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
