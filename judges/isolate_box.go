package judges

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// isolateBox is a box an executor holds: its id, its directory and
// judgebench's lock on it. One case runs in it at a time.
type isolateBox struct {
	id   int
	dir  string   // box_root/ID, as --init printed it
	lock *os.File // flocked; holds dir while the box is initialized

	mu     sync.Mutex // held by the case running in the box
	closed bool       // cleaned up by Close
}

// errBoxBusy is an --init that found the box in use by another isolate.
var errBoxBusy = errors.New("box in use")

// isolateLocks makes and returns the directory of judgebench's box locks,
// the same for every judgebench on the host.
func isolateLocks() (string, error) {
	dir := "/tmp/judgebench-isolate-boxes"
	if st, err := os.Stat("/run"); err == nil && st.IsDir() {
		dir = "/run/judgebench/isolate-boxes"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("judges: isolate: box locks: %w", err)
	}
	return dir, nil
}

// box returns slot's box, taking and initializing the first free one on
// the slot's first case.
func (e *isolateExec) box(ctx context.Context, slot int) (*isolateBox, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("judges: isolate: executor closed")
	}
	if b := e.boxes[slot]; b != nil {
		return b, nil
	}
	for id := range e.conf.NumBoxes {
		b, err := e.take(ctx, id)
		if err != nil {
			return nil, err
		}
		if b != nil {
			e.boxes[slot] = b
			return b, nil
		}
	}
	return nil, fmt.Errorf("judges: isolate: all %d boxes of %s are taken", e.conf.NumBoxes, e.conf.BoxRoot)
}

// take locks and initializes box id, or returns nil when another holds it:
// a judgebench (its lock), or anyone else who initialized it (see foreign).
// A box a dead judgebench left initialized is taken.
func (e *isolateExec) take(ctx context.Context, id int) (*isolateBox, error) {
	// Boxes of two configurations may share a uid, and a uid's process
	// count; they share nothing else: lock by uid.
	name := filepath.Join(e.locks, fmt.Sprintf("uid-%d", e.conf.FirstUID+id))
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("judges: isolate: box lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, fmt.Errorf("judges: isolate: lock %s: %w", name, err)
	}
	b := &isolateBox{id: id, dir: filepath.Join(e.conf.BoxRoot, strconv.Itoa(id)), lock: f}
	if e.foreign(b) {
		f.Close()
		return nil, nil
	}
	if err := e.init(ctx, b, false); err != nil {
		f.Close()
		if errors.Is(err, errBoxBusy) {
			return nil, nil
		}
		return nil, err
	}
	return b, nil
}

// foreign reports whether someone other than a judgebench initialized b:
// isolate's lock file of the box is not empty, and judgebench's lock does
// not name the box, as it does from --init to Close.
func (e *isolateExec) foreign(b *isolateBox) bool {
	if e.conf.LockRoot == "" {
		return false
	}
	st, err := os.Stat(filepath.Join(e.conf.LockRoot, strconv.Itoa(b.id)))
	if err != nil || st.Size() == 0 {
		return false
	}
	ours, _ := os.ReadFile(b.lock.Name())
	return string(ours) != b.dir
}

// init (re)initializes b, waiting for the box when wait is set (a killed
// isolate's last process may still hold it), and marks b's lock with the
// box's directory.
func (e *isolateExec) init(ctx context.Context, b *isolateBox, wait bool) error {
	args := []string{"--init"}
	if wait {
		args = append(args, "--wait")
	}
	out, err := e.command(ctx, b, args...)
	if err != nil {
		if strings.Contains(err.Error(), "currently in use") {
			return errBoxBusy
		}
		return err
	}
	if dir := strings.TrimSpace(out); dir != "" {
		b.dir = dir
	}
	if err := b.lock.Truncate(0); err != nil {
		return fmt.Errorf("judges: isolate: box lock: %w", err)
	}
	if _, err := b.lock.WriteAt([]byte(b.dir), 0); err != nil {
		return fmt.Errorf("judges: isolate: box lock: %w", err)
	}
	return nil
}

// command runs isolate on b with args (--init, --cleanup) and returns its
// standard output.
func (e *isolateExec) command(ctx context.Context, b *isolateBox, args ...string) (string, error) {
	all := []string{"-b", strconv.Itoa(b.id)}
	if e.cg {
		all = append(all, "--cg")
	}
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, e.path, append(all, args...)...)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("judges: isolate: box %d %s: %v: %s", b.id, args[0], err, firstLine(stderr.Bytes()))
	}
	return stdout.String(), nil
}

// scrub empties what a program may have left in b (its /box and /tmp),
// so that every case starts from an empty box.
func (b *isolateBox) scrub() error {
	err := clearDir(filepath.Join(b.dir, "box"))
	tmp := filepath.Join(b.dir, "tmp")
	ents, _ := os.ReadDir(tmp)
	for _, d := range ents {
		if d.IsDir() {
			err = errors.Join(err, clearDir(filepath.Join(tmp, d.Name())))
		}
	}
	return err
}

// clearDir removes everything in dir.
func clearDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, d := range ents {
		err = errors.Join(err, os.RemoveAll(filepath.Join(dir, d.Name())))
	}
	return err
}
