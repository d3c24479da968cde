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
	tick     *time.Timer
	deadline *time.Timer
	unCtx    func() bool
}

// watch starts the watchdog of r. It polls the run's CPU clock, sleeping half
// the CPU time left (between 1ms and 50ms), so the kill lands within about a
// millisecond of CPU per busy thread past the limit while costing a few reads
// per second.
func (r *run) watch(ctx context.Context) *watchdog {
	w := &watchdog{r: r}
	l := r.limits
	w.mu.Lock()
	defer w.mu.Unlock()
	w.deadline = time.AfterFunc(l.RealTime-time.Since(r.began), func() { w.kill(killReal) })
	w.tick = time.AfterFunc(pollDelay(l.CPUTime, 0), w.check)
	w.unCtx = context.AfterFunc(ctx, func() { w.kill(killCanceled) })
	return w
}

func pollDelay(limit, used time.Duration) time.Duration {
	return min(max((limit-used)/2, time.Millisecond), 50*time.Millisecond)
}

func (w *watchdog) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	r, l := w.r, w.r.limits
	used, ok := r.cpuUsed()
	switch {
	case ok && used >= l.CPUTime:
		r.kill(killCPU)
	case r.traced && r.noteHWM() > l.Memory:
		r.kill(killMemory)
	default:
		w.tick.Reset(pollDelay(l.CPUTime, used))
	}
}

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
	w.deadline.Stop()
	w.unCtx()
}

// cpuUsed reads the CPU time of the whole run: the cgroup's counter when there
// is one (every task, forked ones included), else the program's process clock.
func (r *run) cpuUsed() (time.Duration, bool) {
	if r.cg != nil {
		d, err := r.cg.cpu()
		return d, err == nil
	}
	var ts unix.Timespec
	// A process CPU clock id: ^pid << 3 | CPUCLOCK_SCHED (see clock_getcpuclockid).
	clock := int32(^r.pid<<3 | 2)
	if err := unix.ClockGettime(clock, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
