package sandbox

import (
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// watch enforces the CPU, real-time and (without a memory cgroup) memory limits
// until done is closed. It polls the run's CPU clock, sleeping half the CPU time
// left (between 1ms and 50ms), so the kill lands within about a millisecond of
// CPU per busy thread past the limit while costing a few reads per second.
func (r *run) watch(ctx context.Context, done <-chan struct{}) {
	l := r.limits
	deadline := time.NewTimer(l.RealTime - time.Since(r.began))
	defer deadline.Stop()
	tick := time.NewTimer(0)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			r.kill(killCanceled)
			return
		case <-deadline.C:
			r.kill(killReal)
			return
		case <-tick.C:
		}
		used, ok := r.cpuUsed()
		if ok && used >= l.CPUTime {
			r.kill(killCPU)
			return
		}
		if r.traced && rss(r.pid) > l.Memory {
			r.kill(killMemory)
			return
		}
		tick.Reset(min(max((l.CPUTime-used)/2, time.Millisecond), 50*time.Millisecond))
	}
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

// rss reads a process's resident set from /proc/PID/statm, 0 if it is gone.
func rss(pid int) Size {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return Size(pages) * Size(os.Getpagesize())
}
