package scenarios

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// exit returns an [ExitError] with the code given in its argument.
func exit(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 1, 1); err != nil {
		return err
	}
	code, err := parseInt(env.Args[0], "exit code", 0, 255)
	if err != nil {
		return err
	}
	return &ExitError{Code: int(code)}
}

// panicking panics, and nothing recovers it.
func panicking(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 0, 0); err != nil {
		return err
	}
	panic("judgebench work panic: deliberate")
}

// goroutines runs N cases (each sleeps 50ms, then reports) in goroutines of
// this one process, as a naive in-process judge would, recovering nothing:
// the last case panics at 10ms, and the panic ends the process, every case
// still running with it.
func goroutines(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 1, 1); err != nil {
		return err
	}
	n, err := parseInt(env.Args[0], "case count", 1, 64)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range int(n) {
		wg.Go(func() {
			if i == int(n)-1 {
				time.Sleep(10 * time.Millisecond)
				panic(fmt.Sprintf("case %d of %d panicked", i+1, n))
			}
			time.Sleep(50 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(env.Stdout, "case %d: done\n", i+1)
		})
	}
	wg.Wait()
	return nil
}

// floodChunk is the filler flood writes, 64 KiB of "y\n".
var floodChunk = bytes.Repeat([]byte("y\n"), 32<<10)

// flood writes filler to stdout or stderr: BYTES bytes, or with BYTES 0 until
// a write fails. Its arguments may come in either order.
func flood(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 0, 2); err != nil {
		return err
	}
	w, total, err := floodArgs(env)
	if err != nil {
		return err
	}
	for n := int64(0); total == 0 || n < total; {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk := floodChunk
		if total > 0 {
			chunk = chunk[:min(int64(len(chunk)), total-n)]
		}
		k, err := w.Write(chunk)
		n += int64(k)
		if err != nil {
			return err
		}
	}
	return nil
}

// floodArgs returns flood's stream and byte count.
func floodArgs(env Env) (io.Writer, int64, error) {
	w, total := env.Stdout, int64(0)
	var sawStream, sawBytes bool
	for _, a := range env.Args {
		switch {
		case (a == "stdout" || a == "stderr") && !sawStream:
			sawStream = true
			if a == "stderr" {
				w = env.Stderr
			}
		case !sawBytes:
			sawBytes = true
			n, err := parseInt(a, "byte count", 0, math.MaxInt64)
			if err != nil {
				return nil, 0, err
			}
			total = n
		default:
			return nil, 0, usagef("unexpected argument %q", a)
		}
	}
	return w, total, nil
}
