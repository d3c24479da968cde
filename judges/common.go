package judges

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// finish completes the result r of cmd that the judge ran, its standard
// output in the file output (none: ""): the output goes to cmd.Stdout, is
// compared with cmd.Expect (an ACCEPTED run whose output is wrong becomes
// WRONG_ANSWER), and judgebench's own verdict from the judge's figures is
// noted where it differs.
func finish(ctx context.Context, cmd *sandbox.Command, r *sandbox.Result, output string) {
	l := cmd.Limits.WithDefaults()
	if output != "" {
		if st, err := os.Stat(output); err == nil {
			r.OutputBytes = st.Size()
		}
		if cmd.Stdout != nil {
			if err := copyTo(cmd.Stdout, output); err != nil && r.Error == "" {
				r.Error = "judges: read the output: " + err.Error()
			}
		}
	}
	own, why := ownVerdict(r, l)
	if cmd.Expect != nil && output != "" && (r.Verdict == sandbox.Accepted || own == sandbox.Accepted) {
		match, msg, err := check(ctx, cmd, output)
		switch {
		case err != nil:
			r.Verdict, r.Error = sandbox.SystemError, "judges: check the output: "+err.Error()
		case match:
			r.Match = true
		default:
			r.CheckerMessage = msg
			if r.Verdict == sandbox.Accepted {
				r.Verdict = sandbox.WrongAnswer
			}
			if own == sandbox.Accepted {
				own = sandbox.WrongAnswer
			}
		}
	}
	if r.Judge != nil && own != r.Verdict && r.Verdict != sandbox.SystemError {
		r.Judge.Verdict, r.Judge.Why = own, why
	}
}

// ownVerdict is what judgebench decides from r's figures under l, and why,
// when it is not simply the judge's: CPU time over the limit, real time
// over the limit, memory over the limit, a signal or a non-zero exit, in
// judgebench's order of precedence.
func ownVerdict(r *sandbox.Result, l sandbox.Limits) (sandbox.Verdict, string) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
	switch {
	case r.Verdict == sandbox.SystemError:
		return r.Verdict, ""
	case r.CPUTime > l.CPUTime:
		return sandbox.CPUTimeLimitExceeded, fmt.Sprintf("cpu_time %s over the limit of %s", ms(r.CPUTime), ms(l.CPUTime))
	case r.RealTime > l.RealTime:
		return sandbox.RealTimeLimitExceeded, fmt.Sprintf("real_time %s over the limit of %s", ms(r.RealTime), ms(l.RealTime))
	case r.Memory > l.Memory:
		return sandbox.MemoryLimitExceeded, fmt.Sprintf("memory %v over the limit of %v", r.Memory, l.Memory)
	case r.OutputBytes > int64(l.Output):
		return sandbox.OutputLimitExceeded, fmt.Sprintf("output %d bytes over the limit of %v", r.OutputBytes, l.Output)
	case r.Signal != 0 || r.ExitCode != 0:
		return sandbox.RuntimeError, fmt.Sprintf("exit code %d, signal %d, within every limit", r.ExitCode, r.Signal)
	case r.Verdict == sandbox.WrongAnswer:
		return r.Verdict, ""
	}
	return sandbox.Accepted, fmt.Sprintf("exited 0 within every limit (cpu_time %s, real_time %s, memory %v)", ms(r.CPUTime), ms(r.RealTime), r.Memory)
}

// check compares the output file with cmd.Expect under cmd.Checker: a
// built-in checker here, a checker program run as `PATH input output
// answer` (exit status 0: accepted).
func check(ctx context.Context, cmd *sandbox.Command, output string) (match bool, msg string, err error) {
	if cmd.Checker.Kind != sandbox.KindProgram {
		got, err := os.Open(output)
		if err != nil {
			return false, "", err
		}
		defer got.Close()
		return cmd.Checker.Compare(cmd.Expect, bufio.NewReaderSize(got, 64<<10))
	}
	dir, err := os.MkdirTemp("", "judgebench-check-")
	if err != nil {
		return false, "", err
	}
	defer os.RemoveAll(dir)
	input, answer := filepath.Join(dir, "input"), filepath.Join(dir, "answer")
	in := io.Reader(bytes.NewReader(nil))
	if f, ok := cmd.Stdin.(*os.File); ok {
		in, err = os.Open(f.Name())
		if err != nil {
			return false, "", err
		}
	}
	for _, f := range []struct {
		path string
		r    io.Reader
	}{{input, in}, {answer, cmd.Expect}} {
		out, err := os.Create(f.path)
		if err != nil {
			return false, "", err
		}
		_, err = io.Copy(out, f.r)
		if err = errors.Join(err, out.Close()); err != nil {
			return false, "", err
		}
	}
	if c, ok := in.(io.Closer); ok {
		c.Close()
	}
	var stderr bytes.Buffer
	c := exec.CommandContext(ctx, cmd.Checker.Program, input, output, answer)
	c.Stderr = &stderr
	err = c.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() > 0 {
		line, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return false, line, nil
	}
	return err == nil, "", err
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
