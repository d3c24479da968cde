package scenarios

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU returns the CPU time of the calling OS thread.
func threadCPU() (time.Duration, error) {
	return cpuClock(unix.CLOCK_THREAD_CPUTIME_ID, "thread")
}

// processCPU returns the CPU time of the whole process, every thread included.
func processCPU() (time.Duration, error) {
	return cpuClock(unix.CLOCK_PROCESS_CPUTIME_ID, "process")
}

// cpuClock reads the CPU-time clock id; what names it in errors.
func cpuClock(id int32, what string) (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(id, &ts); err != nil {
		return 0, fmt.Errorf("read %s cpu clock: %w", what, err)
	}
	return time.Duration(ts.Nano()), nil
}

// runDelay returns how long the calling OS thread has waited on a run queue for
// a CPU (the second field of /proc/thread-self/schedstat): time the kernel
// kept it from running, which no harness can account for.
func runDelay() (time.Duration, error) {
	data, err := os.ReadFile("/proc/thread-self/schedstat")
	if err != nil {
		return 0, fmt.Errorf("read run delay: %w", err)
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, fmt.Errorf("read run delay: short schedstat %q", data)
	}
	ns, err := strconv.ParseInt(f[1], 10, 64)
	return time.Duration(ns), err
}
