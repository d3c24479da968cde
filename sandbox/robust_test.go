package sandbox

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

func sh(script string, l Limits) *Command {
	return &Command{Path: "/bin/sh", Args: []string{"-c", script}, Limits: roomy(l)}
}

// TestRunsKeepTheirOrphans: while run A's orphan (a grandchild whose parent
// exited, reparented to the harness) still works for A, other runs finish;
// their cleanup must not kill it.
func TestRunsKeepTheirOrphans(t *testing.T) {
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		a := sh(`p=$(sh -c 'sleep 5 >/dev/null & echo $!'); sleep 0.6; kill -0 $p && echo alive || echo dead`, Limits{})
		var wg sync.WaitGroup
		var out string
		var res *Result
		wg.Go(func() { res, out = runOut(t, s, a) })
		time.Sleep(200 * time.Millisecond)
		for range 3 {
			s.Run(t.Context(), &Command{Path: "/bin/true"})
		}
		wg.Wait()
		if res.Verdict != Accepted || strings.TrimSpace(out) != "alive" {
			t.Errorf("run A while others finished = %s, printed %q; want its orphan alive", describe(res), out)
		}
	})
}

// TestEscapeDuringTeardown: the program exits while a child of its group
// still runs, and that child has a setsid grandchild it orphans only when
// teardown kills it. The grandchild must die too, and quickly.
func TestEscapeDuringTeardown(t *testing.T) {
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		// The program waits for the grandchild's pid, however slowly a busy
		// machine starts the child, then exits.
		c := sh(`f=$(mktemp); (setsid sleep 100 & echo $! >$f; sleep 0.3; exec sleep 100) &
			until [ -s $f ]; do sleep 0.01; done; cat $f; rm $f; exit 0`, Limits{})
		start := time.Now()
		r, out := runOut(t, s, c)
		took := time.Since(start)
		pid, err := strconv.Atoi(strings.TrimSpace(out))
		if within := coarse(t, 500*time.Millisecond); r.Verdict != Accepted || err != nil || took > within {
			t.Fatalf("escape = %s after %v, printed %q; want ACCEPTED at once (within %v)", describe(r), took, out, within)
		}
		checkGone(t, s, pid, "setsid grandchild")
	})
}

// countingReader counts the reads made of it, and can be told to fail.
type countingReader struct {
	r     io.Reader
	reads atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.r.Read(p)
}

func TestHarnessIOFailures(t *testing.T) {
	s := newSandbox(t, CgroupAuto)
	boom := errors.New("boom")
	tests := []struct {
		name  string
		edit  func(*Command)
		cause string
	}{
		{"stdin fails", func(c *Command) { c.Stdin = iotest.ErrReader(boom) }, "read stdin: boom"},
		{"expected output fails", func(c *Command) { c.Expect = iotest.ErrReader(boom) }, "boom"},
		{"stdout writer fails", func(c *Command) { c.Stdout = errWriter{boom} }, "boom"},
		{"unknown checker", func(c *Command) { c.Checker = Checker{Kind: 9} }, "unknown checker"},
	}
	for _, tt := range tests {
		c := work(t, Limits{}, "sort")
		c.Stdin = strings.NewReader("3 3 2 1")
		tt.edit(c)
		r := s.Run(t.Context(), c)
		if r.Verdict != SystemError || !strings.Contains(r.Error, tt.cause) {
			t.Errorf("%s: %s; want SYSTEM_ERROR naming %q", tt.name, describe(r), tt.cause)
		}
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

// TestStdinCopyEndsWithRun: a program that reads nothing of a large stdin
// must not leave the copy running after Run returns.
func TestStdinCopyEndsWithRun(t *testing.T) {
	s := newSandbox(t, CgroupAuto)
	in := &countingReader{r: bytes.NewReader(make([]byte, 64<<20))}
	c := work(t, Limits{}, "exit", "0")
	c.Stdin = in
	if r := s.Run(t.Context(), c); r.Verdict != Accepted {
		t.Fatalf("exit 0 with 64MiB of stdin = %s", describe(r))
	}
	n := in.reads.Load()
	time.Sleep(50 * time.Millisecond)
	if m := in.reads.Load(); m != n {
		t.Errorf("stdin read %d more times after Run returned; want the copy stopped", m-n)
	}
}

func TestLimitReaderFiresOnce(t *testing.T) {
	calls := 0
	l := &limitReader{r: iotest.OneByteReader(strings.NewReader(strings.Repeat("x", 100))), limit: 10, exceeded: func() { calls++ }}
	got, err := io.ReadAll(l)
	if calls != 1 || len(got) > 10 || l.n != 100 || err != nil {
		t.Errorf("limitReader(10) over 100 bytes: exceeded called %d times, passed %d bytes, counted %d, err %v; want 1, <= 10, 100, nil",
			calls, len(got), l.n, err)
	}
}

func TestPollDelay(t *testing.T) {
	tests := []struct {
		left time.Duration
		rate float64
		want time.Duration
	}{
		{time.Second, 1, 50 * time.Millisecond},
		{40 * time.Millisecond, 1, 20 * time.Millisecond},
		{40 * time.Millisecond, 8, 2500 * time.Microsecond},
		{40 * time.Millisecond, 0, 20 * time.Millisecond},
		{0, 1, time.Millisecond},
	}
	for _, tt := range tests {
		if got := pollDelay(tt.left, tt.rate); got != tt.want {
			t.Errorf("pollDelay(%v, %v) = %v; want %v", tt.left, tt.rate, got, tt.want)
		}
	}
}
