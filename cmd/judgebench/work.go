package main

import (
	"context"
	"io"

	"github.com/judgebench/judgebench/scenarios"
)

// runWork runs a built-in workload as this process: `judgebench work NAME ARGS`.
// The workload prints its own errors; only its exit status comes back here.
func runWork(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if code := scenarios.Main(ctx, args, stdin, stdout, stderr); code != 0 {
		return &exitError{code: code}
	}
	return nil
}
