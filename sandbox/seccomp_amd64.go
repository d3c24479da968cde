//go:build linux

package sandbox

import "golang.org/x/sys/unix"

// The filter's architecture, the first number of x32's system calls, and
// x86-64's own calls to deny.
const (
	auditArch  = unix.AUDIT_ARCH_X86_64
	syscallBit = 0x40000000
)

var archDenied = []uintptr{unix.SYS_IOPL, unix.SYS_IOPERM, unix.SYS_MODIFY_LDT}
