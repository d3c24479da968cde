package sandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// Isolation says how far a judged program is kept from the harness, the
// host and the other runs.
type Isolation string

// The isolation levels, weakest first.
const (
	// IsolationNone runs the program as the harness runs: its uid, its
	// environment, its working directory. It exists to measure what
	// isolation costs, and for the distorting measure modes, whose trap only
	// shows for a child started the Go way.
	IsolationNone Isolation = "none"
	// IsolationProcess runs the program as a uid of its own (one per worker
	// slot), with no supplementary groups, no_new_privs, no descriptor but
	// 0, 1 and 2, a new session without a controlling terminal, a minimal
	// environment, stdin as an anonymous copy (a memfd), and a fresh working
	// directory of its own, removed after the run. As root the directory is
	// a tmpfs of Options.Disk. Without root the uid is the harness's: the
	// program can reach the harness (Sandbox.Warnings says so).
	IsolationProcess Isolation = "process"
	// IsolationNamespaces is IsolationProcess in a box: new PID, IPC, UTS,
	// mount and network (loopback only) namespaces, in which the program
	// sees the system directories read-only, a few devices, its working
	// directory /box and a private /tmp and /dev/shm (one tmpfs of
	// Options.Disk), and nothing of the harness's or the problem's files;
	// and a seccomp filter that denies what would leave the box or reach
	// beyond it. The namespaces are held by a minimal init per worker slot,
	// PID 1 of its namespace, which kills what a run left when it ends, and
	// dies with the harness, taking every process of its box with it. It
	// needs root.
	IsolationNamespaces Isolation = "namespaces"
)

// Isolations returns every isolation level, weakest first.
func Isolations() []Isolation {
	return []Isolation{IsolationNone, IsolationProcess, IsolationNamespaces}
}

// ParseIsolation parses "none", "process" or "namespaces".
func ParseIsolation(s string) (Isolation, error) {
	for _, i := range Isolations() {
		if string(i) == s {
			return i, nil
		}
	}
	names := make([]string, 0, 3)
	for _, i := range Isolations() {
		names = append(names, string(i))
	}
	return "", fmt.Errorf("unknown isolation %q (use %s)", s, strings.Join(names, ", "))
}

// String returns the name of i.
func (i Isolation) String() string { return string(i) }

// Set parses s with ParseIsolation into i: with String and Type, *Isolation
// is a flag value.
func (i *Isolation) Set(s string) error {
	v, err := ParseIsolation(s)
	if err != nil {
		return err
	}
	*i = v
	return nil
}

// Type returns "level", the name flag usage gives an Isolation argument.
func (i *Isolation) Type() string { return "level" }

// UIDRange is a range of uids (and gids of the same numbers) that isolated
// programs run as: one per worker slot, First to First+Count-1.
type UIDRange struct {
	First, Count int
}

// DefaultUIDs is the range used when Options.UIDs is zero: above isolate's
// customary 60000-60999 and the 62000-62063 of its build in this project's
// peers, below 65534 (nobody).
var DefaultUIDs = UIDRange{First: 63000, Count: 1000}

// ParseUIDRange parses "FIRST-LAST", both between 1 and 65533.
func ParseUIDRange(s string) (UIDRange, error) {
	a, b, ok := strings.Cut(s, "-")
	first, err1 := strconv.Atoi(a)
	last, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || first < 1 || last < first || last > 65533 {
		return UIDRange{}, fmt.Errorf("invalid uid range %q (want FIRST-LAST, e.g. 63000-63999, within 1-65533)", s)
	}
	return UIDRange{First: first, Count: last - first + 1}, nil
}

// String returns r as "FIRST-LAST".
func (r UIDRange) String() string { return fmt.Sprintf("%d-%d", r.First, r.First+r.Count-1) }

// Set parses s with ParseUIDRange into r.
func (r *UIDRange) Set(s string) error {
	v, err := ParseUIDRange(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Type returns "range".
func (r *UIDRange) Type() string { return "range" }

// uid returns the uid of worker slot, wrapping around the range.
func (r UIDRange) uid(slot int) int { return r.First + ((slot%r.Count)+r.Count)%r.Count }
