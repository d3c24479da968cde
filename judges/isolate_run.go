package judges

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

// Run runs cmd in its slot's box.
func (e *isolateExec) Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result {
	j := &sandbox.JudgeReport{Executor: "isolate"}
	cmd, replayed, err := e.wd.replayable(cmd)
	if err != nil {
		return failed(j, fmt.Errorf("judges: isolate: %w", err))
	}
	defer replayed()
	b, err := e.box(ctx, cmd.Slot)
	if err != nil {
		return failed(j, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return failed(j, errors.New("judges: isolate: executor closed"))
	}
	prog, in, done, err := e.wd.prepare(cmd)
	if err != nil {
		return failed(j, fmt.Errorf("judges: isolate: %w", err))
	}
	defer done()
	f := caseFiles{in: in, out: e.wd.file(".out"), err: e.wd.file(".err"), meta: e.wd.file(".meta")}
	defer func() { os.Remove(f.out); os.Remove(f.err); os.Remove(f.meta) }()
	start := time.Now()
	st, err := e.exec(ctx, e.runArgs(b, cmd, prog, f.meta), f, cmd.CPUs)
	j.Latency = time.Since(start)
	r := e.result(ctx, b, cmd, st, err, f, j)
	if err := b.scrub(); err != nil && r.Error == "" {
		r.Error = "judges: isolate: empty the box: " + err.Error()
	}
	if r.Verdict != sandbox.SystemError {
		finish(ctx, cmd, r, f.out)
	}
	return r
}

// runArgs is isolate's command line that runs cmd's program prog in b.
func (e *isolateExec) runArgs(b *isolateBox, cmd *sandbox.Command, prog, meta string) []string {
	l := cmd.Limits.WithDefaults()
	mem := "--mem="
	args := []string{"-b", strconv.Itoa(b.id)}
	if e.cg {
		mem = "--cg-mem="
		args = append(args, "--cg")
	}
	args = append(args, "-s", "-M", meta,
		"--time="+seconds(l.CPUTime), "--wall-time="+seconds(l.RealTime),
		mem+kib(l.Memory), "--stack="+kib(l.Stack), "--processes="+strconv.Itoa(l.Processes),
		"--fsize="+kib(l.Output+1), // past the limit, so that finish sees a program pass it
		"-E", defaultPATH)
	for _, kv := range cmd.Env {
		if strings.Contains(kv, "=") { // a bare name would inherit judgebench's
			args = append(args, "-E", kv)
		}
	}
	args = append(args, "--dir=/judgebench="+e.wd.dir, "--run", "--", "/judgebench/"+filepath.Base(prog))
	return append(args, cmd.Args...)
}

// caseFiles are the paths of one case's files: stdin, and the stdout,
// stderr and meta file isolate writes.
type caseFiles struct{ in, out, err, meta string }

// exec runs isolate with args and the case's files f, pinned to cpus when
// there are some, and returns how it ended. On cancel isolate gets SIGTERM,
// on which it kills the box and writes its meta file; one still alive 2s
// later is killed with its process group (the box's PID namespace ends with
// isolate's proxy, its init).
func (e *isolateExec) exec(ctx context.Context, args []string, f caseFiles, cpus []int) (*os.ProcessState, error) {
	var std [3]*os.File
	for i, p := range []struct {
		path string
		flag int
	}{{f.in, os.O_RDONLY}, {f.out, os.O_WRONLY | os.O_CREATE | os.O_TRUNC}, {f.err, os.O_WRONLY | os.O_CREATE | os.O_TRUNC}} {
		fh, err := os.OpenFile(p.path, p.flag, 0o600)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		std[i] = fh
	}
	c := exec.CommandContext(ctx, e.path, args...)
	c.Stdin, c.Stdout, c.Stderr = std[0], std[1], std[2]
	// Pdeathsig: a judgebench that dies takes its cases with it. It fires
	// when the thread that started isolate ends: that thread stays locked
	// to this goroutine until isolate has ended.
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
	c.WaitDelay = 2 * time.Second
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if len(cpus) > 0 {
		restore, err := pinThread(cpus)
		if err != nil {
			return nil, err
		}
		defer restore()
	}
	err := c.Start()
	if err == nil {
		err = c.Wait()
	}
	if c.ProcessState != nil && !c.ProcessState.Exited() {
		killGroup(c) // its box's processes, when isolate itself was killed
	}
	if c.ProcessState != nil {
		return c.ProcessState, nil // its exit status is read from it
	}
	return nil, err
}

// result is the case's result from isolate's end st (nil: it did not
// start, for err) and its meta file. A box isolate left in doubt (it was
// killed, or failed) is initialized again.
func (e *isolateExec) result(ctx context.Context, b *isolateBox, cmd *sandbox.Command, st *os.ProcessState, err error, f caseFiles, j *sandbox.JudgeReport) *sandbox.Result {
	m, merr := readMeta(f.meta)
	j.Status, j.Raw = m.status(), m.JSON()
	r := m.result()
	r.Stderr = head(f.err, cmd.StderrLimit)
	code := st.ExitCode()
	msg := m.get("message")
	if msg == "" {
		msg = firstLine(r.Stderr)
	}
	switch {
	case ctx.Err() != nil:
		r = failed(j, fmt.Errorf("judges: isolate: %w", context.Cause(ctx)))
	case st == nil:
		r = failed(j, fmt.Errorf("judges: isolate: %w", err))
	case code >= 2 || code < 0 || m.get("status") == "XX":
		r = failed(j, fmt.Errorf("judges: isolate: exit status %d: %s", code, msg))
	case merr != nil:
		r = failed(j, fmt.Errorf("judges: isolate: meta file: %w", merr))
	}
	r.Judge, r.Isolation = j, isolation
	if st != nil && (code >= 2 || code < 0) && !strings.Contains(msg, "currently in use") {
		// Not the case's context, which may be what ended it; --wait, but
		// not for ever.
		ictx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := e.init(ictx, b, true); err != nil {
			r.Error += "; " + err.Error()
		}
		cancel()
	}
	return r
}

// seconds is d in seconds as isolate's options take them.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// kib is s in KiB, rounded up, as isolate's options take sizes.
func kib(s sandbox.Size) string { return strconv.FormatInt(int64((s+sandbox.KiB-1)/sandbox.KiB), 10) }
