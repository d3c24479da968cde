//go:build !linux

package scenarios

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"
)

// errUnsupported is what the Linux-only workloads return elsewhere.
var errUnsupported = fmt.Errorf("%w on %s", errors.ErrUnsupported, runtime.GOOS)

func threadCPU() (time.Duration, error)          { return 0, errUnsupported }
func processCPU() (time.Duration, error)         { return 0, errUnsupported }
func runDelay() (time.Duration, error)           { return 0, errUnsupported }
func segv(ctx context.Context, env Env) error    { return errUnsupported }
func abort(ctx context.Context, env Env) error   { return errUnsupported }
func fork(ctx context.Context, env Env) error    { return errUnsupported }
func orphan(ctx context.Context, env Env) error  { return errUnsupported }
func hang(ctx context.Context, env Env) error    { return errUnsupported }
func rlimits(ctx context.Context, env Env) error { return errUnsupported }
func attack(ctx context.Context, env Env) error  { return errUnsupported }
