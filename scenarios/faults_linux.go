package scenarios

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// segv kills its own process with SIGSEGV.
func segv(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 0, 0); err != nil {
		return err
	}
	return dieBy(unix.SIGSEGV)
}

// abort kills its own process with SIGABRT.
func abort(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 0, 0); err != nil {
		return err
	}
	return dieBy(unix.SIGABRT)
}

// dieBy makes the process die by sig, as a C program that crashes does. Go's
// runtime handles SIGSEGV and SIGABRT itself and would turn them into exit
// status 2, and os/signal cannot give them back to the kernel, so dieBy sets
// their action to SIG_DFL with a raw rt_sigaction. It also sets RLIMIT_CORE to
// 0 so that no core file is left behind. It returns only if the process
// survives its own signal.
func dieBy(sig unix.Signal) error {
	name := unix.SignalName(sig)
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}) // best effort: no core file
	// struct sigaction as the kernel reads it, all zero: handler SIG_DFL, no
	// flags, no restorer, empty mask. Its layout differs between architectures
	// only in fields that are zero here.
	var act [4]uint64
	const sigsetSize = 8
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, sigsetSize, 0, 0)
	if errno != 0 {
		return fmt.Errorf("reset %s to its default action: %w", name, errno)
	}
	if err := unix.Kill(unix.Getpid(), sig); err != nil {
		return fmt.Errorf("kill itself with %s: %w", name, err)
	}
	time.Sleep(5 * time.Second)
	return fmt.Errorf("still alive 5s after %s", name)
}

// fork starts copies of itself forever and never waits for them.
func fork(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 0, 0); err != nil {
		return err
	}
	for ctx.Err() == nil {
		cmd := SelfCommand("fork")
		if err := cmd.Start(); err != nil {
			time.Sleep(time.Millisecond)
			continue
		}
		cmd.Process.Release() // frees the pidfd; the child stays unwaited
	}
	return ctx.Err()
}

// orphan starts a grandchild that sleeps, prints its pid and returns without
// waiting for it. With "setsid" the grandchild runs in a session of its own.
func orphan(ctx context.Context, env Env) error {
	args := env.Args
	setsid := len(args) > 0 && args[0] == "setsid"
	if setsid {
		args = args[1:]
	}
	if err := nargs(args, 0, 1); err != nil {
		return err
	}
	d := time.Hour
	if len(args) > 0 {
		var err error
		if d, err = parseDuration(args[0]); err != nil {
			return err
		}
	}
	cmd := SelfCommand("sleep", d.String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: setsid}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start grandchild: %w", err)
	}
	pid := cmd.Process.Pid
	cmd.Process.Release()
	_, err := fmt.Fprintf(env.Stdout, "%d\n", pid)
	return err
}

// hang ignores SIGTERM and blocks, without using CPU, until ctx is done.
func hang(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 0, 0); err != nil {
		return err
	}
	signal.Ignore(syscall.SIGTERM)
	// A ticker, not a bare select{}: with no timer pending, a process whose
	// only goroutine blocks forever is stopped by Go's deadlock detector.
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// rlimitNames lists the resource limits rlimits prints, in order.
var rlimitNames = []struct {
	name     string
	resource int
}{
	{"CPU", unix.RLIMIT_CPU},
	{"FSIZE", unix.RLIMIT_FSIZE},
	{"DATA", unix.RLIMIT_DATA},
	{"STACK", unix.RLIMIT_STACK},
	{"CORE", unix.RLIMIT_CORE},
	{"NOFILE", unix.RLIMIT_NOFILE},
	{"AS", unix.RLIMIT_AS},
	{"NPROC", unix.RLIMIT_NPROC},
}

// rlimits prints one line "NAME SOFT HARD" per resource limit, with
// "unlimited" for RLIM_INFINITY. Go's runtime raises the soft NOFILE limit to
// the hard one at start-up, so the soft NOFILE printed is the raised one.
func rlimits(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 0, 0); err != nil {
		return err
	}
	var b []byte
	for _, r := range rlimitNames {
		var rl unix.Rlimit
		if err := unix.Getrlimit(r.resource, &rl); err != nil {
			return fmt.Errorf("getrlimit %s: %w", r.name, err)
		}
		b = fmt.Appendf(b, "%s %s %s\n", r.name, rlimitString(rl.Cur), rlimitString(rl.Max))
	}
	_, err := env.Stdout.Write(b)
	return err
}

// rlimitString formats one limit.
func rlimitString(v uint64) string {
	if v == unix.RLIM_INFINITY {
		return "unlimited"
	}
	return fmt.Sprint(v)
}
