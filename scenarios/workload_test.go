package scenarios

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWorkloads(t *testing.T) {
	ws := Workloads()
	if !slices.IsSortedFunc(ws, func(a, b Workload) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("Workloads() is not sorted by name")
	}
	for _, w := range ws {
		if w.Name == "" || w.Summary == "" || w.Run == nil || strings.Contains(w.Summary, "\n") {
			t.Errorf("workload %q: empty name, summary or run, or a summary of several lines", w.Name)
		}
		if first, _, _ := strings.Cut(w.Usage, " "); first != w.Name {
			t.Errorf("workload %q: Usage = %q; want it to start with the name", w.Name, w.Usage)
		}
		if got, ok := Lookup(w.Name); !ok || got.Name != w.Name {
			t.Errorf("Lookup(%q) = %q, %v; want %q, true", w.Name, got.Name, ok, w.Name)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Errorf("Lookup(%q) = _, true; want false", "nope")
	}
}

// runMain runs Main in process and returns its status, stdout and stderr.
func runMain(ctx context.Context, stdin string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := Main(ctx, args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestMainInProcess(t *testing.T) {
	tests := []struct {
		args       []string
		stdin      string
		code       int
		stdout     string
		stderrHead string // prefix of stderr; "" means stderr must be empty
	}{
		{args: []string{"exit", "0"}},
		{args: []string{"exit", "3"}, code: 3},
		{args: []string{"exit", "255"}, code: 255},
		{args: []string{"sleep", "1ms"}},
		{args: []string{"spin", "0"}, stdout: "88172645463325252\n"},
		{args: []string{"memwalk", "0", "1"}, stdout: "0\n"},
		{args: []string{"alloc", "1"}},
		{args: []string{"sort"}, stdin: "3\n3 -1 2\n", stdout: "-1 2 3\n"},
		{args: []string{"sort"}, stdin: "0", stdout: "\n"},
		{args: []string{"sort"}, stdin: "2 1", code: 2, stderrHead: "judgebench: work sort: read integer 2 of 2: unexpected end of input\n"},
		{args: []string{"nope"}, code: 2, stderrHead: "judgebench: work nope: unknown workload"},
		{args: []string{"burn"}, code: 2, stderrHead: "judgebench: work burn: missing argument (usage: judgebench work burn DURATION [kernel])\n"},
		{args: []string{"burn", "abc"}, code: 2, stderrHead: "judgebench: work burn: invalid duration \"abc\""},
		{args: []string{"exit", "300"}, code: 2, stderrHead: "judgebench: work exit: invalid exit code \"300\""},
		{args: []string{"sleep", "1s", "2s"}, code: 2, stderrHead: "judgebench: work sleep: unexpected argument \"2s\""},
		{args: []string{"flood", "1", "stderr", "x"}, code: 2, stderrHead: "judgebench: work flood: unexpected argument \"x\""},
		{args: []string{"alloc", "-1"}, code: 2, stderrHead: "judgebench: work alloc: invalid size in MiB \"-1\""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runMain(t.Context(), tt.stdin, tt.args...)
			if code != tt.code || stdout != tt.stdout {
				t.Errorf("Main(%q) = %d, stdout %q; want %d, %q", tt.args, code, stdout, tt.code, tt.stdout)
			}
			if !strings.HasPrefix(stderr, tt.stderrHead) || (tt.stderrHead == "") != (stderr == "") {
				t.Errorf("Main(%q) stderr = %q; want it to start with %q", tt.args, stderr, tt.stderrHead)
			}
			if tt.code == 2 && strings.Count(stderr, "\n") != 1 {
				t.Errorf("Main(%q) stderr = %q; want one line", tt.args, stderr)
			}
		})
	}
}

func TestMainList(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"--help"}, {"-h"}} {
		code, stdout, stderr := runMain(t.Context(), "", args...)
		if code != 0 || stderr != "" {
			t.Errorf("Main(%q) = %d, stderr %q; want 0, \"\"", args, code, stderr)
		}
		for _, w := range Workloads() {
			if !strings.Contains(stdout, w.Usage) || !strings.Contains(stdout, w.Summary) {
				t.Errorf("Main(%q) stdout lacks %q and its summary:\n%s", args, w.Usage, stdout)
			}
		}
	}
}

func TestExitError(t *testing.T) {
	w, _ := Lookup("exit")
	err := w.Run(t.Context(), Env{Args: []string{"7"}})
	ee, ok := errors.AsType[*ExitError](err)
	if !ok || ee.Code != 7 || err.Error() != "exit status 7" {
		t.Errorf("exit 7 returned %v; want *ExitError{7} \"exit status 7\"", err)
	}
	err = w.Run(t.Context(), Env{Args: []string{"x"}})
	if _, ok := errors.AsType[*UsageError](err); !ok {
		t.Errorf("exit x returned %T %v; want a *UsageError", err, err)
	}
}

// TestCancel checks that the workloads that may run for long stop when their
// context is done.
func TestCancel(t *testing.T) {
	tests := [][]string{
		{"sleep", "1h"},
		{"alloc", "1", "1h"},
		{"burn", "1h"},
		{"spin", "1000000000000"},
		{"memwalk", "1", "1000000000"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
			defer cancel()
			w, _ := Lookup(args[0])
			var out bytes.Buffer
			err := w.Run(ctx, Env{Args: args[1:], Stdout: &out})
			if !errors.Is(err, context.DeadlineExceeded) || out.Len() != 0 {
				t.Errorf("%q with a done context = %v, stdout %q; want %v, \"\"", args, err, out.String(), context.DeadlineExceeded)
			}
		})
	}
}

func TestSelfCommand(t *testing.T) {
	cmd := SelfCommand("sleep", "1s")
	want := []string{cmd.Args[0], "work", "sleep", "1s"}
	if cmd.Path != "/proc/self/exe" || !slices.Equal(cmd.Args, want) {
		t.Errorf("SelfCommand(sleep, 1s) = %q %q; want /proc/self/exe %q", cmd.Path, cmd.Args, want)
	}
}

// TestParseBurn reads what burn printed: its thread burnt what it was asked,
// its process at least that, and a line that is no burn's is refused.
func TestParseBurn(t *testing.T) {
	code, out, stderr := runMain(t.Context(), "", "burn", "5ms")
	if code != 0 {
		t.Fatalf("burn 5ms = %d, stderr %q", code, stderr)
	}
	c, err := ParseBurn(out)
	if err != nil || c.Thread < 5*time.Millisecond || c.Process < c.Thread || c.Delay < 0 {
		t.Errorf("ParseBurn(%q) = %+v, %v; want a thread clock of 5ms or more, a process clock above it", out, c, err)
	}
	for _, bad := range []string{"", "spin 3\n", "thread_cpu_ns=1 process_cpu_ns=x run_delay_ns=0\n"} {
		if c, err := ParseBurn(bad); err == nil {
			t.Errorf("ParseBurn(%q) = %+v; want an error", bad, c)
		}
	}
}
