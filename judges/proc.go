package judges

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/judgebench/judgebench/sandbox"
)

// The helpers every adapter uses: programs, files a judge wrote, its
// process group, its version.

// defaultPATH is the environment of a program whose command gives none:
// judgebench's own PATH means nothing in a box or on another host.
const defaultPATH = "PATH=/usr/local/bin:/usr/bin:/bin"

// envOrDefault is env, or defaultPATH alone when env is nil.
func envOrDefault(env []string) []string {
	if env == nil {
		return []string{defaultPATH}
	}
	return env
}

// defaultStderr is how many bytes of stderr a Result keeps when the command
// does not say (Command.StderrLimit 0).
const defaultStderr = 64 << 10

// stderrLimit is limit in bytes, defaultStderr when it is 0 or less.
func stderrLimit(limit sandbox.Size) int {
	if limit <= 0 {
		return defaultStderr
	}
	return int(limit)
}

// checkExecutable returns path's file info, or "PATH: why" when it is not
// an executable regular file.
func checkExecutable(path string) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("%s: not an executable file", path)
	}
	return st, nil
}

// lookExecutable returns the path of the program prog names (a name without
// a slash is looked up in PATH), or why it cannot run.
func lookExecutable(prog string) (string, error) {
	if !strings.Contains(prog, "/") {
		p, err := exec.LookPath(prog)
		if err != nil {
			return "", err
		}
		prog = p
	}
	if _, err := checkExecutable(prog); err != nil {
		return "", err
	}
	return prog, nil
}

// lookProgram is lookExecutable's program as an absolute path, with its
// file info (a version of the program: size and mtime).
func lookProgram(prog string) (string, fs.FileInfo, error) {
	p, err := lookExecutable(prog)
	if err != nil {
		return "", nil, err
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", nil, err
	}
	st, err := checkExecutable(abs)
	return abs, st, err
}

// readVersion runs argv, within 10s, and returns the first non-empty line
// it prints (stdout, else stderr).
func readVersion(ctx context.Context, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	c.Stdout, c.Stderr = &stdout, &stderr
	c.WaitDelay = time.Second
	if err := c.Run(); err != nil {
		if msg := firstLine(stderr.Bytes()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return "", err
	}
	if v := firstLine(stdout.Bytes()); v != "" {
		return v, nil
	}
	return firstLine(stderr.Bytes()), nil
}

// firstLine is the first non-blank line of b, trimmed.
func firstLine(b []byte) string {
	for line := range strings.Lines(string(b)) {
		if s := strings.TrimSpace(line); s != "" {
			return s
		}
	}
	return ""
}

// lastLines are the last n non-blank lines of b, trimmed, in order.
func lastLines(b []byte, n int) []string {
	var lines []string
	for line := range strings.Lines(string(b)) {
		if s := strings.TrimSpace(line); s != "" {
			lines = append(lines, s)
		}
	}
	return lines[max(0, len(lines)-n):]
}

// readHead returns the first limit bytes of the file at path (limit 0:
// defaultStderr); a missing file is empty unless must.
func readHead(path string, limit sandbox.Size, must bool) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if !must && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(stderrLimit(limit))))
}

// head is readHead's bytes, nil when the file is empty or unreadable: a
// Result's Stderr.
func head(path string, limit sandbox.Size) []byte {
	b, _ := readHead(path, limit, false)
	if len(b) == 0 {
		return nil
	}
	return b
}

// tail returns the last n bytes of the file at path (all of a shorter
// file), and whether there was more before them.
func tail(path string, n int64) (b []byte, cut bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		if _, err := f.Seek(st.Size()-n, io.SeekStart); err == nil {
			cut = true
		}
	}
	b, err = io.ReadAll(io.LimitReader(f, n))
	return b, cut, err
}

// killGroup kills the process group c's process leads, where the judge
// left anything behind; the group's id is not reused while any of it lives.
func killGroup(c *exec.Cmd) {
	if c.Process != nil {
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
}

// pinThread sets the CPUs of the calling (locked) thread, which a child it
// starts inherits, and returns what restores them.
func pinThread(cpus []int) (restore func() error, err error) {
	var old, set unix.CPUSet
	for _, c := range cpus {
		if c < 0 || c >= len(set)*64 {
			return nil, fmt.Errorf("CPU %d out of range 0-%d", c, len(set)*64-1)
		}
		set.Set(c)
	}
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, err
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("pin to CPUs %v: %w", cpus, err)
	}
	return func() error { return unix.SchedSetaffinity(0, &old) }, nil
}
