package scenarios

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// result is what a workload run as a child process did.
type result struct {
	stdout, stderr string
	code           int            // exit status, -1 when killed by a signal
	signal         syscall.Signal // the signal that killed it, or 0
}

// work runs `judgebench work args...` as a child process: the test binary
// itself, whose TestMain runs the workload.
func work(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], append([]string{"work"}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	// A child built with -race sleeps a second at exit unless told not to.
	cmd.Env = append(os.Environ(), "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := errors.AsType[*exec.ExitError](err); err != nil && !ok {
		t.Fatalf("work %q: %v", args, err)
	}
	r := result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
		r.signal = ws.Signal()
	}
	return r
}

func TestProcessExit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args   []string
		code   int
		signal syscall.Signal
	}{
		{[]string{"exit", "0"}, 0, 0},
		{[]string{"exit", "3"}, 3, 0},
		{[]string{"segv"}, -1, syscall.SIGSEGV},
		{[]string{"abort"}, -1, syscall.SIGABRT},
		{[]string{"panic"}, 2, 0},
		{[]string{"alloc", "64"}, 0, 0},
		{[]string{"sleep", "10ms"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r := work(t, nil, tt.args...)
			if r.code != tt.code || r.signal != tt.signal {
				t.Errorf("work %q = status %d, signal %v; want %d, %v (stderr %q)", tt.args, r.code, r.signal, tt.code, tt.signal, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("work %q stdout = %q; want \"\"", tt.args, r.stdout)
			}
		})
	}
}

func TestProcessPanic(t *testing.T) {
	t.Parallel()
	r := work(t, nil, "panic")
	if r.code != 2 || !strings.Contains(r.stderr, "panic: judgebench work panic: deliberate") {
		t.Errorf("work panic = status %d, stderr %q; want 2 and the panic message", r.code, r.stderr)
	}
}

func TestProcessUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"nope"}, {"burn", "abc"}, {"exit", "300"}, {"segv", "x"}, {"orphan", "setsid", "x"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := work(t, nil, args...)
			if r.code != 2 || !strings.HasPrefix(r.stderr, "judgebench: ") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("work %q = status %d, stderr %q; want 2 and one line starting \"judgebench: \"", args, r.code, r.stderr)
			}
		})
	}
}

func TestProcessBurn(t *testing.T) {
	t.Parallel()
	const d = 50 * time.Millisecond
	r := work(t, nil, "burn", d.String())
	clocks, err := ParseBurn(r.stdout)
	if err != nil || r.code != 0 {
		t.Fatalf("work burn %v = status %d, stdout %q, stderr %q: %v", d, r.code, r.stdout, r.stderr, err)
	}
	thread, process := clocks.Thread, clocks.Process
	if thread < d || thread > d+5*time.Millisecond {
		t.Errorf("work burn %v: thread_cpu = %v; want in [%v, %v]", d, thread, d, d+5*time.Millisecond)
	}
	if process < thread {
		t.Errorf("work burn %v: process_cpu = %v; want >= thread_cpu %v", d, process, thread)
	}
}

func TestProcessSort(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 1000, 100000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			in, want := SortCase(n, int64(n))
			r := work(t, in, "sort")
			if r.code != 0 || r.stdout != string(want) {
				t.Errorf("work sort on SortCase(%d) = status %d, %d bytes; want 0, %d bytes (stderr %q)", n, r.code, len(r.stdout), len(want), r.stderr)
			}
		})
	}
}

func TestProcessFlood(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args           []string
		stdout, stderr int
	}{
		{[]string{"flood", "1000000"}, 1000000, 0},
		{[]string{"flood", "1000000", "stdout"}, 1000000, 0},
		{[]string{"flood", "1001", "stderr"}, 0, 1001},
		{[]string{"flood", "stderr", "65536"}, 0, 65536},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r := work(t, nil, tt.args...)
			if r.code != 0 || len(r.stdout) != tt.stdout || len(r.stderr) != tt.stderr {
				t.Errorf("work %q = status %d, %d bytes out, %d bytes err; want 0, %d, %d", tt.args, r.code, len(r.stdout), len(r.stderr), tt.stdout, tt.stderr)
			}
			if out := r.stdout + r.stderr; !strings.HasPrefix(out, "y\ny\n") {
				t.Errorf("work %q wrote %.10q...; want y\\n filler", tt.args, out)
			}
		})
	}
}

func TestProcessRlimits(t *testing.T) {
	t.Parallel()
	r := work(t, nil, "rlimits")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if r.code != 0 || len(lines) != 8 {
		t.Fatalf("work rlimits = status %d, %d lines %q; want 0, 8 lines", r.code, len(lines), r.stdout)
	}
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != rlimitNames[i].name {
			t.Errorf("work rlimits line %d = %q; want \"%s SOFT HARD\"", i+1, line, rlimitNames[i].name)
		}
	}
}

func TestProcessOrphan(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"orphan", "1m"}, {"orphan", "setsid", "1m"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := work(t, nil, args...)
			pid, err := strconv.Atoi(strings.TrimSuffix(r.stdout, "\n"))
			if r.code != 0 || err != nil {
				t.Fatalf("work %q = status %d, stdout %q; want 0 and a pid", args, r.code, r.stdout)
			}
			t.Cleanup(func() { unix.Kill(pid, unix.SIGKILL) })
			if err := unix.Kill(pid, 0); err != nil {
				t.Errorf("work %q: grandchild %d: %v; want it alive", args, pid, err)
			}
			sid, err := unix.Getsid(pid)
			if setsid := args[1] == "setsid"; err != nil || (sid == pid) != setsid {
				t.Errorf("work %q: getsid(%d) = %d, %v; want own session %v", args, pid, sid, err, setsid)
			}
		})
	}
}
