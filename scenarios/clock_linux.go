package scenarios

import (
	"fmt"
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
