//go:build linux

package sandbox

import "golang.org/x/sys/unix"

// The filter's architecture; arm64 has one system call table.
const (
	auditArch  = unix.AUDIT_ARCH_AARCH64
	syscallBit = 0
)

var archDenied []uintptr
