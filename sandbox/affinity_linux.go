package sandbox

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// maxCPU bounds the CPU numbers Command.CPUs may hold: those a CPU set
// holds.
const maxCPU = len(unix.CPUSet{}) * 64

// checkCPUs reports a CPU number no CPU set holds.
func checkCPUs(cpus []int) error {
	for _, c := range cpus {
		if c < 0 || c >= maxCPU {
			return fmt.Errorf("CPU %d: must be 0 to %d", c, maxCPU-1)
		}
	}
	return nil
}

// pinCPUs gives the program, stopped at its exec, the CPUs of Command.CPUs
// (when there are any) before its first instruction: its threads and
// children inherit them. This is the harness's doing from outside, the same
// at every isolation level, whatever thread started the program. A failure
// is kept for the verdict: the run did not run where it was asked to.
func (r *run) pinCPUs() {
	if len(r.c.CPUs) == 0 {
		return
	}
	var set unix.CPUSet
	for _, c := range r.c.CPUs {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(r.pid, &set); err != nil {
		r.pinErr = fmt.Errorf("sandbox: pin to CPUs %v: %w", r.c.CPUs, err)
		if errors.Is(err, unix.EINVAL) {
			r.pinErr = fmt.Errorf("%w (none of them is online in this process's cpuset)", r.pinErr)
		}
	}
}
