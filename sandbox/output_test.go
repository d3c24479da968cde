package sandbox

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestOutputEnd: the harness's end of an output pipe reads what is there
// and the end without Go's poller, and waits through it, to its deadline,
// only when a writer holds the pipe open with nothing in it.
func TestOutputEnd(t *testing.T) {
	r, w, err := outputPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	w.WriteString("abc")
	buf := make([]byte, 16)
	if n, err := r.Read(buf); n != 3 || err != nil || string(buf[:n]) != "abc" {
		t.Fatalf("Read = %d %q, %v; want 3 \"abc\"", n, buf[:n], err)
	}
	if r.f != nil {
		t.Errorf("a read that found data went through the poller")
	}
	r.deadline = time.Now().Add(50 * time.Millisecond)
	if n, err := r.Read(buf); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read of an empty pipe held open = %d, %v; want the deadline", n, err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		w.WriteString("de")
		w.Close()
	}()
	r.f.SetReadDeadline(time.Time{})
	if data, err := io.ReadAll(r); err != nil || string(data) != "de" {
		t.Fatalf("ReadAll through the poller = %q, %v; want \"de\"", data, err)
	}

	r2, w2, err := outputPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	w2.WriteString("x")
	w2.Close()
	if data, err := io.ReadAll(r2); err != nil || string(data) != "x" || r2.f != nil {
		t.Fatalf("ReadAll of a closed pipe = %q, %v (poller %v); want \"x\" without the poller", data, err, r2.f != nil)
	}
}

// TestUntilOK: a file opened once for good is tried again after a failure,
// and not after a success.
func TestUntilOK(t *testing.T) {
	calls := 0
	open := untilOK(func() (int, error) {
		calls++
		if calls == 1 {
			return 0, errors.New("EMFILE")
		}
		return calls, nil
	})
	if _, err := open(); err == nil {
		t.Fatal("the first open, which failed, reported no error")
	}
	for range 2 {
		if v, err := open(); v != 2 || err != nil {
			t.Fatalf("open after a failure = %d, %v; want 2 (the second call's), nil", v, err)
		}
	}
	if calls != 2 {
		t.Errorf("open was called %d times; want 2", calls)
	}
}

// TestOutputReadAfterRun: output a program left in its pipes (the run
// ended before any reader started) is read after it whole, counted against
// the limit and compared with the expected output, as it is when read as
// it comes.
func TestOutputReadAfterRun(t *testing.T) {
	fired := 0
	c := &Command{Expect: bytes.NewReader([]byte("abc\n"))}
	p, err := newPipes(c, nil, 6, func() { fired++ })
	if err != nil {
		t.Fatal(err)
	}
	p.outW.WriteString("abd\nmore\n")
	p.errW.WriteString("oops")
	p.closeChildEnds()
	p.finish()
	if p.outR.f != nil {
		t.Errorf("output left whole in its pipe went through the poller")
	}
	if fired != 1 || p.stdoutBytes() != 9 {
		t.Errorf("past a limit of 6: exceeded fired %d times, %d bytes counted; want once, 9", fired, p.stdoutBytes())
	}
	if p.match || p.err != nil {
		t.Errorf("match %v, err %v; want a mismatch and no error", p.match, p.err)
	}
	if got := string(p.stderr.Bytes()); got != "oops" {
		t.Errorf("stderr %q; want \"oops\"", got)
	}
}

// TestOutputOfShortRuns: programs that end at once, their output read
// after them, and one that fills its pipe before any reader starts.
func TestOutputOfShortRuns(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sh := func(script string, l Limits, expect string) *Result {
		c := &Command{Path: "/bin/sh", Args: []string{"-c", script}, Limits: roomy(l)}
		if expect != "" {
			c.Expect = strings.NewReader(expect)
		}
		return s.Run(t.Context(), c)
	}
	if r := sh("head -c 3000 /dev/zero", Limits{Output: KiB}, ""); r.Verdict != OutputLimitExceeded || r.OutputBytes != 3000 {
		t.Errorf("3000 bytes under a 1 KiB limit: %s, %d bytes; want OUTPUT_LIMIT_EXCEEDED, 3000", describe(r), r.OutputBytes)
	}
	if r := sh("echo 1 2 4", Limits{}, "1 2 3\n"); r.Verdict != WrongAnswer || r.CheckerMessage == "" {
		t.Errorf("a wrong answer: %s, message %q; want WRONG_ANSWER with where it differs", describe(r), r.CheckerMessage)
	}
	if r := sh("echo 1 2 3", Limits{}, "1 2 3\n"); r.Verdict != Accepted {
		t.Errorf("a right answer: %s; want ACCEPTED", describe(r))
	}
	if r := sh("head -c 300000 /dev/zero", Limits{}, ""); r.Verdict != Accepted || r.OutputBytes != 300000 {
		t.Errorf("300000 bytes, more than a pipe holds: %s, %d bytes; want ACCEPTED, 300000", describe(r), r.OutputBytes)
	}
}
