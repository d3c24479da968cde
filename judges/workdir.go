package judges

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

// workdir is an executor's own temporary directory: the copies of programs
// every uid may run, and each case's files (input, output, result), removed
// by Close. It is 0711, so that a judge's unprivileged uid can reach a file
// in it by its name but list nothing.
type workdir struct {
	dir string

	mu     sync.Mutex
	copies map[programKey]string
}

// programKey identifies one version of a program file.
type programKey struct {
	path  string
	size  int64
	mtime time.Time
}

func newWorkdir(prefix string) (*workdir, error) {
	dir, err := os.MkdirTemp("", "judgebench-"+prefix+"-")
	if err != nil {
		return nil, fmt.Errorf("judges: %w", err)
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("judges: %w", err)
	}
	return &workdir{dir: dir, copies: map[programKey]string{}}, nil
}

// Close removes the directory and everything in it.
func (w *workdir) Close() error { return os.RemoveAll(w.dir) }

// file returns the path of a new, empty, unguessable file name in w (the
// file is not made) with the given suffix.
func (w *workdir) file(suffix string) string {
	var b [8]byte
	rand.Read(b[:])
	return filepath.Join(w.dir, hex.EncodeToString(b[:])+suffix)
}

// program returns a path of the program cmd names that any uid may read
// and execute: a copy in w, made once per version of the program (the
// harness's programs often live in directories only root can enter).
// A name without a slash is looked up in PATH.
func (w *workdir) program(path string) (string, error) {
	abs, st, err := lookProgram(path)
	if err != nil {
		return "", err
	}
	key := programKey{abs, st.Size(), st.ModTime()}
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.copies[key]; ok {
		return c, nil
	}
	dst := w.file("-" + filepath.Base(abs))
	if err := copyFile(dst, abs, 0o755); err != nil {
		return "", err
	}
	w.copies[key] = dst
	return dst, nil
}

// copyFile copies src to a new file dst of mode perm.
func copyFile(dst, src string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Chmod(perm); err != nil { // past the umask
		out.Close()
		return err
	}
	return out.Close()
}

// input returns the path of a file holding cmd's stdin: the file itself when
// Stdin is an *os.File, /dev/null when it is nil, else a copy in w of what
// it reads. done removes a copy.
func (w *workdir) input(cmd *sandbox.Command) (path string, done func(), err error) {
	switch in := cmd.Stdin.(type) {
	case nil:
		return os.DevNull, func() {}, nil
	case *os.File:
		if abs, err := filepath.Abs(in.Name()); err == nil {
			if st, err := os.Stat(abs); err == nil && st.Mode().IsRegular() {
				return abs, func() {}, nil
			}
		}
	}
	path = w.file(".in")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", nil, err
	}
	if _, err = io.Copy(f, cmd.Stdin); err == nil {
		err = f.Close()
	} else {
		f.Close()
	}
	if err != nil {
		os.Remove(path)
		return "", nil, err
	}
	return path, func() { os.Remove(path) }, nil
}

// prepare is program and input for cmd: its program's copy and its stdin's
// path, and what removes that stdin's copy.
func (w *workdir) prepare(cmd *sandbox.Command) (prog, in string, done func(), err error) {
	if prog, err = w.program(cmd.Path); err != nil {
		return "", "", nil, fmt.Errorf("program: %w", err)
	}
	if in, done, err = w.input(cmd); err != nil {
		return "", "", nil, fmt.Errorf("stdin: %w", err)
	}
	return prog, in, done, nil
}

// args is cmd's program path and arguments as argv: the program first.
func args(program string, cmd *sandbox.Command) []string {
	return append([]string{program}, cmd.Args...)
}

// failed is the Result of a case the judge could not run: a SYSTEM_ERROR
// with the cause, and the judge's report so far.
func failed(j *sandbox.JudgeReport, err error) *sandbox.Result {
	return &sandbox.Result{Verdict: sandbox.SystemError, ExitCode: -1, Error: err.Error(), Judge: j, Isolation: isolation}
}

// copyTo copies the file at path to w.
func copyTo(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// millis is a duration of ms milliseconds.
func millis(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// isolation is the isolation Results of another judge record: the judge's
// own.
const isolation = sandbox.Isolation("judge")
