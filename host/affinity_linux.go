package host

import (
	"os"

	"golang.org/x/sys/unix"
)

// affinity returns the CPUs this process may run on (its main thread's
// affinity), sorted.
func affinity() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(os.Getpid(), &set); err != nil {
		return nil, err
	}
	var cpus []int
	for c := range len(set) * 64 {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}
