package sandbox

import (
	"errors"
	"io"
	"os"
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
