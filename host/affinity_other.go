//go:build !linux

package host

import (
	"errors"
	"fmt"
	"runtime"
)

// affinity returns an error wrapping errors.ErrUnsupported: only Linux has
// sched_getaffinity.
func affinity() ([]int, error) {
	return nil, fmt.Errorf("host: CPU affinity: %w on %s", errors.ErrUnsupported, runtime.GOOS)
}
