#include "textflag.h"

// func rawVfork(trap, a1, a2 uintptr) (pid uintptr, errno uintptr)
//
// The system call trap(a1, a2, 0, 0, 0) on the caller's stack, for a clone
// (or clone3) with CLONE_VM and CLONE_VFORK. The child returns here first
// and runs on while the parent sleeps in the system call, and its return
// may overwrite the return address on the shared stack: that address is
// kept in R12, which the kernel gives each of them back as it was.
TEXT ·rawVfork(SB),NOSPLIT|NOFRAME,$0-40
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	XORQ	DX, DX
	XORQ	R10, R10
	XORQ	R8, R8
	MOVQ	trap+0(FP), AX
	POPQ	R12
	SYSCALL
	PUSHQ	R12
	CMPQ	AX, $0xfffffffffffff001
	JLS	ok
	NEGQ	AX
	MOVQ	$0, pid+24(FP)
	MOVQ	AX, errno+32(FP)
	RET
ok:
	MOVQ	AX, pid+24(FP)
	MOVQ	$0, errno+32(FP)
	RET
