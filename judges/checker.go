package judges

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/judgebench/judgebench/sandbox"
	"golang.org/x/sys/unix"
)

// replayable returns cmd, or, when a checker program will read the input
// again and cmd's stdin is not a regular file (a judge reads a reader once),
// a copy of cmd that reads a copy of it in w; done removes that copy.
func (w *workdir) replayable(cmd *sandbox.Command) (*sandbox.Command, func(), error) {
	nop := func() {}
	if cmd.Checker.Kind != sandbox.KindProgram || cmd.Expect == nil || cmd.Stdin == nil {
		return cmd, nop, nil
	}
	if f, ok := cmd.Stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return cmd, nop, nil
		}
	}
	path, done, err := w.input(cmd)
	if err != nil {
		return nil, nil, fmt.Errorf("stdin: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		done()
		return nil, nil, fmt.Errorf("stdin: %w", err)
	}
	c := *cmd
	c.Stdin = f
	return &c, func() { f.Close(); done() }, nil
}

// check compares the output file with cmd.Expect under cmd.Checker: a
// built-in checker here; a checker program run as `PATH input output answer`
// under cmd.CheckerLimits' real time, in a process group of its own, whose
// exit status 0 accepts, 1 or 2 rejects (its first line of stderr says why),
// and anything else is an error, as the sandbox judges one.
func check(ctx context.Context, cmd *sandbox.Command, output string) (match bool, msg string, err error) {
	if cmd.Checker.Kind != sandbox.KindProgram {
		got, err := os.Open(output)
		if err != nil {
			return false, "", err
		}
		defer got.Close()
		return cmd.Checker.Compare(cmd.Expect, bufio.NewReaderSize(got, 64<<10))
	}
	dir, err := os.MkdirTemp("", "judgebench-check-")
	if err != nil {
		return false, "", err
	}
	defer os.RemoveAll(dir)
	input, answer := filepath.Join(dir, "input"), filepath.Join(dir, "answer")
	in := io.Reader(bytes.NewReader(nil))
	if f, ok := cmd.Stdin.(*os.File); ok { // a regular file: see replayable
		g, err := os.Open(f.Name())
		if err != nil {
			return false, "", err
		}
		defer g.Close()
		in = g
	}
	for _, f := range []struct {
		path string
		r    io.Reader
	}{{input, in}, {answer, cmd.Expect}} {
		out, err := os.Create(f.path)
		if err != nil {
			return false, "", err
		}
		_, err = io.Copy(out, f.r)
		if err = errors.Join(err, out.Close()); err != nil {
			return false, "", err
		}
	}
	return runChecker(ctx, cmd.Checker.Program, cmd.CheckerLimits.WithCheckerDefaults(), input, output, answer)
}

// runChecker runs the checker program on the three files.
func runChecker(ctx context.Context, program string, l sandbox.Limits, input, output, answer string) (bool, string, error) {
	ctx, cancel := context.WithTimeout(ctx, l.RealTime)
	defer cancel()
	var stderr bytes.Buffer
	c := exec.CommandContext(ctx, program, input, output, answer)
	c.Stderr = &stderr
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return unix.Kill(-c.Process.Pid, unix.SIGKILL) }
	err := c.Run()
	if c.Process != nil {
		unix.Kill(-c.Process.Pid, unix.SIGKILL) // what it left in its group
	}
	comment := firstLine(stderr.Bytes())
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return false, "", fmt.Errorf("checker %s: %w after %v", program, ctx.Err(), l.RealTime)
	case err == nil:
		return true, "", nil
	case errors.As(err, &exit) && (exit.ExitCode() == 1 || exit.ExitCode() == 2):
		return false, comment, nil
	case errors.As(err, &exit):
		return false, "", fmt.Errorf("checker %s failed (%v): %s", program, exit.ProcessState, strings.TrimSpace(comment))
	}
	return false, "", fmt.Errorf("checker %s: %w", program, err)
}
