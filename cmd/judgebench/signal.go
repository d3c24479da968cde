package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// signalError is the cause of a context cancelled by a signal.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "stopped by " + signalName(e.sig) }

// notifyContext returns a context cancelled, with a signalError as its cause,
// by the first of sigs to arrive. Later ones are ignored while the command
// writes what it has; stop restores their default action.
func notifyContext(parent context.Context, sigs ...os.Signal) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	go func() {
		select {
		case s := <-ch:
			cancel(signalError{s.(syscall.Signal)})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}

// interrupted is the error of a command stopped by cause after it wrote what
// it had: exit status 128 + the signal's number (130 for SIGINT, 129 for
// SIGHUP, 143 for SIGTERM), or 130 when no signal says.
func interrupted(cause error) error {
	code := 128 + int(syscall.SIGINT)
	if e, ok := errors.AsType[signalError](cause); ok {
		code = 128 + int(e.sig)
	}
	return &exitError{code: code, msg: "interrupted"}
}

// signalName is the conventional name of sig: SIGINT, SIGHUP, SIGTERM.
func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}
