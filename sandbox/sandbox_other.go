//go:build !linux

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"runtime"
)

// Sandbox runs programs under limits. Only Linux has one.
type Sandbox struct{}

var errUnsupported = fmt.Errorf("sandbox: %w on %s", errors.ErrUnsupported, runtime.GOOS)

// New returns an error wrapping errors.ErrUnsupported.
func New(Options) (*Sandbox, error) { return nil, errUnsupported }

// Run returns a SYSTEM_ERROR.
func (s *Sandbox) Run(context.Context, *Command) *Result {
	return &Result{Verdict: SystemError, ExitCode: -1, Error: errUnsupported.Error()}
}

// Cgroup returns "none".
func (s *Sandbox) Cgroup() string { return "none" }

// Warnings returns nil.
func (s *Sandbox) Warnings() []string { return nil }

// Close does nothing.
func (s *Sandbox) Close() error { return nil }

func signalName(sig int) string { return fmt.Sprintf("signal %d", sig) }

// RemoveLeftovers does nothing.
func RemoveLeftovers(int) error { return nil }
