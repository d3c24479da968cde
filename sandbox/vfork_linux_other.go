//go:build linux && !amd64

package sandbox

import (
	"errors"
	"syscall"
	"time"
)

// canVfork reports that this architecture has no vforkExec: programs start
// stopped at their exec, where the harness sets their limits.
const canVfork = false

type spawned struct {
	pid          int
	launch, away time.Duration
}

func vforkExec(string, []string, *syscall.ProcAttr, []rlimit, cgroupEntry) (spawned, error) {
	return spawned{}, errors.New("sandbox: no vfork start on this architecture")
}
