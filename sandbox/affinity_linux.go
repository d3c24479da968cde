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
// children inherit them. This is the harness's doing from outside, whatever
// thread started the program, but for a program started in its box, which
// inherits its start thread's CPUs (see pinThread). A failure is kept for the
// verdict: the run did not run where it was asked to.
func (r *run) pinCPUs() { r.pin(r.pid) }

// pinThread gives the calling thread, which is about to fork the program
// and die, the CPUs of Command.CPUs: the program inherits them from it (its
// seccomp filter will not let it be moved after).
func (r *run) pinThread() { r.pin(0) }

// pin gives task pid (0: the calling thread) the CPUs of Command.CPUs, or
// keeps why it could not for the verdict.
func (r *run) pin(pid int) {
	if len(r.c.CPUs) == 0 {
		return
	}
	var set unix.CPUSet
	for _, c := range r.c.CPUs {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(pid, &set); err != nil {
		r.pinErr = fmt.Errorf("sandbox: pin to CPUs %v: %w", r.c.CPUs, err)
		if errors.Is(err, unix.EINVAL) {
			r.pinErr = fmt.Errorf("%w (none of them is online in this process's cpuset)", r.pinErr)
		}
	}
}
