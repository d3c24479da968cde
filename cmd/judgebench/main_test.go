package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets the test binary pose as judgebench itself when its first
// argument is no test flag: tests run it as a subprocess (for signals and
// exit codes) and as the judged program (`judgebench work ...`), so they
// need no build step and no compiler. It tells by its arguments, not its
// environment: an isolated program gets a minimal one.
func TestMain(m *testing.M) {
	// go test always passes -test.* flags first, fuzz workers too.
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-test.") {
		main()
	}
	os.Setenv("GORACE", "atexit_sleep_ms=0")
	os.Exit(m.Run())
}

// judgebench returns the path of the binary that poses as judgebench.
func judgebench(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// result is what one command line did.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line in this process, as main would.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
	code := exitStatus(err, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// runProcess runs the command line as a separate judgebench process.
func runProcess(ctx context.Context, t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.CommandContext(ctx, judgebench(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// checkOneLineError asserts the contract for exit status 2: one line on
// stderr starting "judgebench: ", and no Go stack trace.
func checkOneLineError(t *testing.T, args []string, r result) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "judgebench: ") || strings.Contains(r.stderr, "goroutine ") ||
		strings.Contains(r.stderr, "strconv.") {
		t.Errorf("judgebench %q: stderr %q; want one line starting \"judgebench: \"", args, r.stderr)
	}
}
