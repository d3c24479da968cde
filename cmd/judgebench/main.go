// Command judgebench runs an online-judge workload under different scheduling
// models and measures what concurrency does to its timings, verdicts and errors.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx := context.Background()
	// A built-in workload is a judged program: signals must reach it as they
	// would any program, so only the harness commands catch them.
	if len(os.Args) < 2 || os.Args[1] != "work" {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	os.Exit(exitStatus(err, os.Stderr))
}
