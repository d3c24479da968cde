package scenarios

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"time"
)

// burnChunk is how many loop iterations burn runs between two reads of the
// thread's CPU clock: tens of microseconds, so it overshoots by no more.
const burnChunk = 50_000

// burn spends the CPU time given in its argument on its own locked OS thread,
// measured by that thread's CPU clock, then prints the CPU time it spent, the
// CPU time of the whole process so far, and how long its thread waited for a
// CPU meanwhile (0 where the kernel does not say). With the argument
// "kernel" it spends most of that time in the kernel, which a judge that
// counts user time only misses.
func burn(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 1, 2); err != nil {
		return err
	}
	d, err := parseDuration(env.Args[0])
	if err != nil {
		return err
	}
	chunk, step := burnChunk, func() {}
	if len(env.Args) == 2 {
		if env.Args[1] != "kernel" {
			return fmt.Errorf("burn: %q: the second argument can only be kernel", env.Args[1])
		}
		zero, err := os.Open("/dev/zero")
		if err != nil {
			return err
		}
		defer zero.Close()
		buf := make([]byte, 256<<10)
		chunk, step = 0, func() { zero.Read(buf) } // the kernel clears buf: tens of µs of system time
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, err := threadCPU()
	if err != nil {
		return err
	}
	x := uint64(1)
	var used time.Duration
	for used < d {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
		for range chunk {
			x = x*6364136223846793005 + 1442695040888963407
		}
		now, err := threadCPU()
		if err != nil {
			return err
		}
		used = now - start
	}
	runtime.KeepAlive(x)
	proc, err := processCPU()
	if err != nil {
		return err
	}
	delay, _ := runDelay()
	_, err = fmt.Fprintf(env.Stdout, burnLine+"\n", used.Nanoseconds(), proc.Nanoseconds(), delay.Nanoseconds())
	return err
}

// burnLine is what burn prints: its thread's CPU time, its process's, and
// its run delay, in nanoseconds.
const burnLine = "thread_cpu_ns=%d process_cpu_ns=%d run_delay_ns=%d"

// BurnClocks is what a burn printed of itself (see ParseBurn).
type BurnClocks struct {
	Thread, Process, Delay time.Duration
}

// ParseBurn reads the line the burn workload prints: the CPU time it spent
// on its thread, its process's CPU time from its fork until then, and how
// long its thread waited for a CPU meanwhile.
func ParseBurn(out string) (BurnClocks, error) {
	var t, p, d int64
	if _, err := fmt.Sscanf(out, burnLine, &t, &p, &d); err != nil {
		return BurnClocks{}, fmt.Errorf("burn printed %q: %w", out, err)
	}
	return BurnClocks{time.Duration(t), time.Duration(p), time.Duration(d)}, nil
}

// spinChunk is how many iterations spin runs between two looks at its context.
const spinChunk = 1 << 20

// spin runs a fixed number of iterations of a xorshift step and prints the
// result, so the compiler cannot drop the loop.
func spin(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 1, 1); err != nil {
		return err
	}
	n, err := parseInt(env.Args[0], "iteration count", 0, math.MaxInt64)
	if err != nil {
		return err
	}
	x := uint64(88172645463325252)
	for n > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := min(n, spinChunk)
		for i := range k {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			x += uint64(i)
		}
		n -= k
	}
	_, err = fmt.Fprintf(env.Stdout, "%d\n", x)
	return err
}

// memwalk allocates a buffer and makes read-modify-write passes over it, one
// byte per 64-byte cache line, so its speed is the memory bandwidth's.
func memwalk(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 1, 2); err != nil {
		return err
	}
	size, err := parseMiB(env.Args[0])
	if err != nil {
		return err
	}
	passes := int64(10)
	if len(env.Args) > 1 {
		if passes, err = parseInt(env.Args[1], "pass count", 0, math.MaxInt64); err != nil {
			return err
		}
	}
	buf := make([]byte, size)
	var sum uint64
	for p := range passes {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := 0; i < len(buf); i += 64 {
			buf[i] += byte(p) + byte(i>>6)
			sum += uint64(buf[i])
		}
	}
	_, err = fmt.Fprintf(env.Stdout, "%d\n", sum)
	return err
}

// sleep sleeps for the duration given in its argument, or until ctx is done.
func sleep(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 1, 1); err != nil {
		return err
	}
	d, err := parseDuration(env.Args[0])
	if err != nil {
		return err
	}
	return sleepCtx(ctx, d)
}
