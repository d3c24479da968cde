package main

import (
	"context"
	"io"

	"github.com/judgebench/judgebench/harness"
)

// runWorker is a process-model worker (`judgebench worker`): one case as JSON
// on stdin, its outcome as JSON on stdout. The harness starts it; people don't.
func runWorker(ctx context.Context, _ []string, stdin io.Reader, stdout, _ io.Writer) error {
	return harness.Work(ctx, stdin, stdout)
}
