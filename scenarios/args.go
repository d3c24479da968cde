package scenarios

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// maxMiB bounds memory sizes so that MiB<<20 fits in an int.
const maxMiB = 1 << 30

// usagef returns a [UsageError] with a formatted message.
func usagef(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// nargs checks that there are between lo and hi arguments.
func nargs(args []string, lo, hi int) error {
	switch {
	case len(args) < lo:
		return usagef("missing argument")
	case len(args) > hi:
		return usagef("unexpected argument %q", args[hi])
	}
	return nil
}

// parseDuration parses a non-negative Go duration.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, usagef("invalid duration %q", s)
	}
	return d, nil
}

// parseInt parses a decimal integer in [lo, hi]; what names it in errors.
func parseInt(s, what string, lo, hi int64) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, usagef("invalid %s %q (want an integer in %d..%d)", what, s, lo, hi)
	}
	return n, nil
}

// parseMiB parses a memory size in MiB and returns it in bytes.
func parseMiB(s string) (int, error) {
	n, err := parseInt(s, "size in MiB", 0, maxMiB)
	return int(n) << 20, err
}

// sleepCtx sleeps for d or until ctx is done, and returns ctx's error then.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
