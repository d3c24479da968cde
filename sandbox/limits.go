package sandbox

import (
	"errors"
	"fmt"
	"time"
)

// Limits are the resources one run may use. A zero field means "the default" (see
// WithDefaults), never "unlimited".
type Limits struct {
	// CPUTime is the user+sys time of the program and its descendants. Default 1s.
	CPUTime time.Duration
	// RealTime is the wall-clock time from the program's first instruction to its
	// exit. Default 3x CPUTime.
	RealTime time.Duration
	// Memory is the peak memory of the program. Default 256MiB.
	Memory Size
	// Output is the number of bytes the program may write to stdout. Default 64MiB.
	Output Size
	// Stack is the program's stack size limit (RLIMIT_STACK). Default Memory.
	Stack Size
	// Processes is the number of tasks (processes and threads) the program may
	// have at once, itself included. Default 64.
	Processes int
}

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	if l.CPUTime == 0 {
		l.CPUTime = time.Second
	}
	if l.RealTime == 0 {
		l.RealTime = 3 * l.CPUTime
	}
	if l.Memory == 0 {
		l.Memory = 256 * MiB
	}
	if l.Output == 0 {
		l.Output = 64 * MiB
	}
	if l.Stack == 0 {
		l.Stack = l.Memory
	}
	if l.Processes == 0 {
		l.Processes = 64
	}
	return l
}

// WithCheckerDefaults returns l with every zero field set to the default of a
// checker program's run: CPU time 10s, real time 2x CPU time, memory 512MiB,
// and the rest as WithDefaults (output 64MiB, stack = memory, 64 tasks).
func (l Limits) WithCheckerDefaults() Limits {
	if l.CPUTime == 0 {
		l.CPUTime = 10 * time.Second
	}
	if l.RealTime == 0 {
		l.RealTime = 2 * l.CPUTime
	}
	if l.Memory == 0 {
		l.Memory = 512 * MiB
	}
	return l.WithDefaults()
}

// Validate reports the first field of l that no run can honour.
func (l Limits) Validate() error {
	switch {
	case l.CPUTime < 0:
		return fmt.Errorf("cpu time limit %v is negative", l.CPUTime)
	case l.RealTime < 0:
		return fmt.Errorf("real time limit %v is negative", l.RealTime)
	case l.Memory < 0 || (l.Memory > 0 && l.Memory < MiB):
		return errors.New("memory limit must be at least 1MiB")
	case l.Output < 0:
		return fmt.Errorf("output limit %v is negative", l.Output)
	case l.Stack < 0:
		return fmt.Errorf("stack limit %v is negative", l.Stack)
	case l.Processes < 0:
		return fmt.Errorf("process limit %d is negative", l.Processes)
	}
	return nil
}
