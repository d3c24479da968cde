// Command judgebench runs an online-judge workload under different scheduling
// models and measures what concurrency does to its timings, verdicts and errors.
package main

import (
	"context"
	"os"
	"syscall"
)

func main() {
	ctx := context.Background()
	// A built-in workload is a judged program: signals must reach it as they
	// would any program, so only the harness commands catch them.
	if len(os.Args) < 2 || os.Args[1] != "work" {
		var stop func()
		ctx, stop = notifyContext(ctx, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		defer stop()
	}
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	os.Exit(exitStatus(err, os.Stderr))
}
