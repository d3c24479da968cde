//go:build linux && !amd64 && !arm64

package sandbox

// No filter is written for this architecture: the namespaces level refuses
// to start.
const (
	auditArch  = 0
	syscallBit = 0
)

var archDenied []uintptr
