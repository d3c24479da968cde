package scenarios

import (
	"context"
	"runtime"
	"time"
)

// pageSize is the stride alloc writes at: one byte in every 4 KiB page, so
// every page of the buffer becomes resident.
const pageSize = 4 << 10

// alloc allocates MIB MiB as one slice, touches every page of it so that the
// resident set really grows by that much, and holds it for HOLD.
func alloc(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 1, 2); err != nil {
		return err
	}
	size, err := parseMiB(env.Args[0])
	if err != nil {
		return err
	}
	var hold time.Duration
	if len(env.Args) > 1 {
		if hold, err = parseDuration(env.Args[1]); err != nil {
			return err
		}
	}
	buf := make([]byte, size)
	for i := 0; i < len(buf); i += pageSize {
		buf[i] = 1
	}
	err = sleepCtx(ctx, hold)
	runtime.KeepAlive(buf)
	return err
}
