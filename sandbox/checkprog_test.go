package sandbox

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// script writes an executable /bin/sh script with body into dir and returns its path.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// privateTemp points os.TempDir at a fresh directory for the test, so that it can
// tell that runs leave nothing there, and returns it.
func privateTemp(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return dir
}

// checkEmpty fails t if dir holds anything.
func checkEmpty(t *testing.T, dir, after string) {
	t.Helper()
	left, _ := os.ReadDir(dir)
	for _, e := range left {
		if !strings.HasPrefix(e.Name(), "judgebench-isolation-") { // the Sandbox's, removed at Close
			t.Errorf("%s left %s in the temporary directory", after, e.Name())
		}
	}
}

// TestCheckerProgram judges `work sort` with checker programs that accept, reject,
// fail, crash, hang, or are missing.
func TestCheckerProgram(t *testing.T) {
	in, want := sortCase(50, 3)
	bin := t.TempDir()
	inFile := filepath.Join(bin, "case.in")
	if err := os.WriteFile(inFile, in, 0o644); err != nil {
		t.Fatal(err)
	}
	// cmp checks the checker's arguments too: the input as given, the answer as
	// expected, and the output as the program wrote it.
	cmp := script(t, bin, "cmp", `cmp -s "$1" `+inFile+` || { echo "bad input file" >&2; exit 3; }
[ "$(pwd)" = "$(dirname "$1")" ] || { echo "not run in its files' directory" >&2; exit 3; }
cmp -s "$2" "$3" || { echo "on stdout"; echo "wrong answer: output differs" >&2; echo "second line" >&2; exit 1; }
sleep 0.5`)
	quick := Limits{CPUTime: time.Second, RealTime: 300 * time.Millisecond}
	tests := []struct {
		name    string
		checker string
		expect  []byte
		limits  Limits
		verdict Verdict
		message string // CheckerMessage
		cause   string // in Result.Error
	}{
		{"accepts", cmp, want, Limits{}, Accepted, "", ""},
		{"rejects", cmp, []byte("1 2 3\n"), Limits{}, WrongAnswer, "wrong answer: output differs", ""},
		{"comment on stderr first", script(t, bin, "wa", `echo out; printf '\n  wrong answer 1st numbers differ - expected: 1, found: 9  \nmore\n' >&2; exit 1`),
			want, Limits{}, WrongAnswer, "wrong answer 1st numbers differ - expected: 1, found: 9", ""},
		{"comment on stdout", script(t, bin, "wa-out", `echo "wrong answer: from stdout"; exit 1`), want, Limits{},
			WrongAnswer, "wrong answer: from stdout", ""},
		{"presentation error", script(t, bin, "pe", `exit 2`), want, Limits{}, WrongAnswer, "", ""},
		{"long comment", script(t, bin, "long", `printf '%0300d\n' 0 >&2; exit 1`), want, Limits{},
			WrongAnswer, strings.Repeat("0", maxComment) + "…", ""},
		{"fails", script(t, bin, "fail", `echo "fail: answer file is broken" >&2; exit 3`), want, Limits{},
			SystemError, "", "checker " + filepath.Join(bin, "fail") + ": exit status 3: fail: answer file is broken"},
		{"crashes", script(t, bin, "crash", `kill -SEGV $$`), want, Limits{}, SystemError, "", "killed by SIGSEGV"},
		{"hangs", script(t, bin, "hang", `sleep 100`), want, quick, SystemError, "", "REAL_TIME_LIMIT_EXCEEDED"},
		{"spins", script(t, bin, "spin", `while :; do :; done`), want, Limits{CPUTime: 200 * time.Millisecond, RealTime: 10 * time.Second},
			SystemError, "", "CPU_TIME_LIMIT_EXCEEDED"},
		{"missing", filepath.Join(bin, "missing"), want, Limits{}, SystemError, "", ": start " + filepath.Join(bin, "missing") + ": no such file"},
	}
	tmp := privateTemp(t)
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f, err := os.Open(inFile)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				c := work(t, Limits{}, "sort")
				c.Stdin, c.Expect, c.Checker, c.CheckerLimits = f, bytes.NewReader(tt.expect), CheckProgram(tt.checker), tt.limits
				start := time.Now()
				r, out := runOut(t, s, c)
				took := time.Since(start)
				if r.Verdict != tt.verdict || r.CheckerMessage != tt.message || !strings.Contains(r.Error, tt.cause) ||
					r.Match != (tt.verdict == Accepted) || out != string(want) {
					t.Errorf("sort judged by %s = %s, message %q, match %v, %d bytes out; want %v, message %q, error naming %q",
						tt.name, describe(r), r.CheckerMessage, r.Match, len(out), tt.verdict, tt.message, tt.cause)
				}
				if r.RealTime >= 500*time.Millisecond || took > 5*time.Second {
					t.Errorf("sort judged by %s: real time %v, Run took %v; want the program's own time, and the checker stopped by its limits",
						tt.name, r.RealTime, took)
				}
				checkEmpty(t, tmp, "a run with a checker program")
			})
		}
	})
}

// TestCheckerProgramInput: whatever Stdin is (a pipe, a reader, nothing) the
// program reads it and the checker gets it as a file.
func TestCheckerProgramInput(t *testing.T) {
	in, want := sortCase(20, 5)
	dir := t.TempDir()
	inFile := filepath.Join(dir, "case.in")
	if err := os.WriteFile(inFile, in, 0o644); err != nil {
		t.Fatal(err)
	}
	same := script(t, dir, "same-input", `[ -f "$1" ] && cmp -s "$1" `+inFile+` && cmp -s "$2" "$3"`)
	empty := script(t, dir, "empty-input", `[ -f "$1" ] && [ ! -s "$1" ]`)
	tmp := privateTemp(t)
	s := newSandbox(t, CgroupAuto)
	pipe := func(t *testing.T) *os.File {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() { w.Write(in); w.Close() }()
		t.Cleanup(func() { r.Close() })
		return r
	}
	tests := []struct {
		name    string
		command func(t *testing.T) *Command
	}{
		{"reader", func(t *testing.T) *Command {
			c := work(t, Limits{}, "sort")
			c.Stdin, c.Expect, c.Checker = bytes.NewReader(in), bytes.NewReader(want), CheckProgram(same)
			return c
		}},
		{"pipe", func(t *testing.T) *Command {
			c := work(t, Limits{}, "sort")
			c.Stdin, c.Expect, c.Checker = pipe(t), bytes.NewReader(want), CheckProgram(same)
			return c
		}},
		{"nothing", func(t *testing.T) *Command {
			c := work(t, Limits{}, "exit", "0")
			c.Expect, c.Checker = strings.NewReader(""), CheckProgram(empty)
			return c
		}},
	}
	for _, tt := range tests {
		if r := s.Run(t.Context(), tt.command(t)); r.Verdict != Accepted {
			t.Errorf("%s as stdin: %s; want ACCEPTED, the checker seeing the input as a file", tt.name, describe(r))
		}
		checkEmpty(t, tmp, tt.name+" as stdin")
	}
}

// TestCheckerProgramNotRun: the checker runs only when the program's own verdict
// would be ACCEPTED or WRONG_ANSWER, and only with an expected output.
func TestCheckerProgramNotRun(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "ran")
	chk := script(t, dir, "chk", `touch `+mark+`; exit 1`)
	tests := []struct {
		name    string
		limits  Limits
		args    []string
		expect  bool
		verdict Verdict
	}{
		{"cpu time", Limits{CPUTime: 100 * time.Millisecond}, []string{"spin", "1000000000000"}, true, CPUTimeLimitExceeded},
		{"output", Limits{Output: 64 * KiB}, []string{"flood"}, true, OutputLimitExceeded},
		{"runtime error", Limits{}, []string{"exit", "3"}, true, RuntimeError},
		{"no expected output", Limits{}, []string{"exit", "0"}, false, Accepted},
	}
	tmp := privateTemp(t)
	s := newSandbox(t, CgroupAuto)
	for _, tt := range tests {
		c := work(t, tt.limits, tt.args[0], tt.args[1:]...)
		c.Checker = CheckProgram(chk)
		if tt.expect {
			c.Expect = strings.NewReader("")
		}
		r := s.Run(t.Context(), c)
		_, err := os.Stat(mark)
		if r.Verdict != tt.verdict || r.CheckerMessage != "" || err == nil {
			t.Errorf("%s: %s, checker ran: %v; want %v, the checker not run", tt.name, describe(r), err == nil, tt.verdict)
		}
		os.Remove(mark)
		checkEmpty(t, tmp, tt.name)
	}
}

// TestCheckerProgramFilesRemoved: the files go on every path, also when the run
// cannot start or its setup fails.
func TestCheckerProgramFilesRemoved(t *testing.T) {
	tmp := privateTemp(t)
	s := newSandbox(t, CgroupAuto)
	chk := CheckProgram("/bin/true")
	tests := []struct {
		name  string
		c     *Command
		cause string
	}{
		{"missing program", &Command{Path: filepath.Join(tmp, "nope"), Expect: strings.NewReader(""), Checker: chk}, "no such file"},
		{"bad checker limits", &Command{Path: "/bin/true", Expect: strings.NewReader(""), Checker: chk,
			CheckerLimits: Limits{CPUTime: -1}}, "checker limits"},
		{"expected output fails", &Command{Path: "/bin/true", Expect: failingReader{}, Checker: chk}, "expected output: boom"},
		{"stdin fails", &Command{Path: "/bin/true", Stdin: failingReader{}, Expect: strings.NewReader(""), Checker: chk}, "read stdin: boom"},
	}
	for _, tt := range tests {
		if r := s.Run(t.Context(), tt.c); r.Verdict != SystemError || !strings.Contains(r.Error, tt.cause) {
			t.Errorf("%s: %s; want SYSTEM_ERROR naming %q", tt.name, describe(r), tt.cause)
		}
		checkEmpty(t, tmp, tt.name)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errBoom }

var errBoom = errors.New("boom")

func TestCheckerComment(t *testing.T) {
	tests := []struct {
		stderr, stdout, want string
	}{
		{"", "", ""},
		{"wrong answer\nmore", "out", "wrong answer"},
		{"\n \n  ok  \n", "", "ok"},
		{"", "from stdout\n", "from stdout"},
		{" \n", "from stdout", "from stdout"},
		{"a\tb\x00c\x1b[31m", "", "a b c [31m"},
		{"bad \xff utf-8", "", "bad \uFFFD utf-8"},
		{strings.Repeat("é", 150), "", strings.Repeat("é", 100) + "…"},
		{strings.Repeat("x", 199) + "é", "", strings.Repeat("x", 199) + "…"},
	}
	for _, tt := range tests {
		if got := checkerComment([]byte(tt.stderr), []byte(tt.stdout)); got != tt.want {
			t.Errorf("checkerComment(%q, %q) = %q; want %q", tt.stderr, tt.stdout, got, tt.want)
		}
	}
}

func TestCheckerVerdict(t *testing.T) {
	tests := []struct {
		r       Result
		comment string
		want    Verdict
		cause   string
	}{
		{Result{Verdict: Accepted}, "ok", Accepted, ""},
		{Result{Verdict: RuntimeError, ExitCode: 1}, "wa", WrongAnswer, ""},
		{Result{Verdict: RuntimeError, ExitCode: 2}, "pe", WrongAnswer, ""},
		{Result{Verdict: RuntimeError, ExitCode: 3}, "fail", 0, "exit status 3: fail"},
		{Result{Verdict: RuntimeError, ExitCode: 7}, "", 0, "exit status 7"},
		{Result{Verdict: RuntimeError, ExitCode: -1, Signal: 9}, "", 0, "killed by SIGKILL"},
		{Result{Verdict: SystemError, Error: "sandbox: interrupted"}, "", 0, "interrupted"},
		{Result{Verdict: MemoryLimitExceeded, CPUTime: time.Second, RealTime: 2 * time.Second}, "", 0,
			"MEMORY_LIMIT_EXCEEDED (cpu 1s, real 2s)"},
	}
	for _, tt := range tests {
		got, err := checkerVerdict(&tt.r, tt.comment)
		if got != tt.want || (err == nil) != (tt.cause == "") || (err != nil && err.Error() != tt.cause) {
			t.Errorf("checkerVerdict(%v exit %d signal %d, %q) = %v, %v; want %v, %q",
				tt.r.Verdict, tt.r.ExitCode, tt.r.Signal, tt.comment, got, err, tt.want, tt.cause)
		}
	}
}

func TestWithCheckerDefaults(t *testing.T) {
	got := Limits{}.WithCheckerDefaults()
	want := Limits{CPUTime: 10 * time.Second, RealTime: 20 * time.Second, Memory: 512 * MiB, Output: 64 * MiB, Stack: 512 * MiB, Processes: 64}
	if got != want {
		t.Errorf("Limits{}.WithCheckerDefaults() = %+v; want %+v", got, want)
	}
	got = Limits{CPUTime: time.Second, Memory: 64 * MiB}.WithCheckerDefaults()
	if got.RealTime != 2*time.Second || got.Memory != 64*MiB || got.Stack != 64*MiB {
		t.Errorf("Limits{1s, 64MiB}.WithCheckerDefaults() = %+v; want real 2s, memory and stack 64MiB", got)
	}
}

// TestCheckerProgramCancel: a cancelled context stops a checker that hangs, too.
func TestCheckerProgramCancel(t *testing.T) {
	tmp := privateTemp(t)
	chk := script(t, t.TempDir(), "chk", `sleep 100`)
	s := newSandbox(t, CgroupAuto)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	c := work(t, Limits{}, "exit", "0")
	c.Expect, c.Checker = strings.NewReader(""), CheckProgram(chk)
	start := time.Now()
	r := s.Run(ctx, c)
	if took := time.Since(start); r.Verdict != SystemError || !strings.Contains(r.Error, "interrupted") || took > 3*time.Second {
		t.Errorf("cancelled during the checker: %s after %v; want SYSTEM_ERROR interrupted within 3s", describe(r), took)
	}
	checkEmpty(t, tmp, "a cancelled checker")
}
