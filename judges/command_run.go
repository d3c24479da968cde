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
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

// commandCase is one case's files and the values of its placeholders.
type commandCase struct {
	dir    string // {dir}, removed after the case
	stdout string // the program's output
	stderr string // the program's stderr
	result string // {result}
	values map[string]string
	lists  map[string][]string
	done   func() // removes a copy of the input
}

// firstUID is the uid of slot 0's program; slot N's is firstUID+N, below
// lastUID: apart from isolate's boxes (60000-60999, 62000-62063),
// judgebench's sandbox (63000-63999) and the judger adapter (64000-64499).
const firstUID, lastUID = 64500, 65000

// Run runs one case through the judge.
func (j *commandJudge) Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result {
	rep := &sandbox.JudgeReport{Executor: "command:" + j.raw.Name}
	cmd, replayed, err := j.w.replayable(cmd)
	if err != nil {
		return failed(rep, fmt.Errorf("judges: %s: %w", j.raw.Name, err))
	}
	defer replayed()
	c, err := j.prepare(cmd)
	if err != nil {
		return failed(rep, fmt.Errorf("judges: %s: %w", j.raw.Name, err))
	}
	defer c.remove()
	data, err := j.exec(ctx, cmd, c, rep)
	if err != nil {
		return failed(rep, fmt.Errorf("judges: %s: %w", j.raw.Name, err))
	}
	r, err := j.result(c, data, rep)
	if err != nil {
		return failed(rep, fmt.Errorf("judges: %s: %w", j.raw.Name, err))
	}
	if r.Stderr, err = readHead(c.stderr, cmd.StderrLimit, false); err != nil && r.Error == "" {
		r.Error = "judges: read the stderr: " + err.Error()
	}
	finish(ctx, cmd, r, c.stdout)
	return r
}

// prepare makes cmd's files and the values of its placeholders.
func (j *commandJudge) prepare(cmd *sandbox.Command) (*commandCase, error) {
	if cmd.Slot < 0 || firstUID+cmd.Slot >= lastUID {
		return nil, fmt.Errorf("slot %d: want 0 to %d", cmd.Slot, lastUID-firstUID-1)
	}
	prog, err := j.w.program(cmd.Path)
	if err != nil {
		return nil, err
	}
	c := &commandCase{dir: j.w.file(""), done: func() {}}
	if err := os.Mkdir(c.dir, 0o711); err != nil {
		return nil, err
	}
	if err := os.Chmod(c.dir, 0o711); err != nil {
		c.remove()
		return nil, err
	}
	c.stdout, c.stderr, c.result = filepath.Join(c.dir, "stdout"), filepath.Join(c.dir, "stderr"), filepath.Join(c.dir, "result")
	for _, f := range []string{c.stdout, c.stderr} {
		if err := createFile(f, 0o666); err != nil { // the judge may open it as the program's uid
			c.remove()
			return nil, err
		}
	}
	c.values = limitValues(cmd.Limits.WithDefaults())
	for k, v := range j.raw.Vars {
		c.values[k] = v
	}
	c.values["program"], c.values["dir"], c.values["result"] = prog, c.dir, c.result
	c.values["program_dir"], c.values["program_name"] = filepath.Split(prog)
	c.values["program_dir"] = filepath.Clean(c.values["program_dir"])
	c.values["slot"], c.values["uid"] = strconv.Itoa(cmd.Slot), strconv.Itoa(firstUID+cmd.Slot)
	c.values["stdout"], c.values["stderr"] = c.stdout, c.stderr
	if j.raw.Stdin == "file" {
		if c.values["stdin"], c.done, err = j.w.input(cmd); err != nil {
			c.remove()
			return nil, fmt.Errorf("the input: %w", err)
		}
	}
	c.lists = map[string][]string{"args": cmd.Args, "env": cmd.Env}
	return c, nil
}

// remove removes the case's files.
func (c *commandCase) remove() {
	c.done()
	os.RemoveAll(c.dir)
}

// createFile makes an empty file of mode perm at path.
func createFile(path string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil { // past the umask
		f.Close()
		return err
	}
	return f.Close()
}

// limitValues are the placeholders of the limits l.
func limitValues(l sandbox.Limits) map[string]string {
	ceil := func(n, unit int64) string { return strconv.FormatInt((n+unit-1)/unit, 10) }
	secs := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
	return map[string]string{
		"cpu_time_ms": ceil(int64(l.CPUTime), 1e6), "cpu_time_s": secs(l.CPUTime), "cpu_time_ns": strconv.FormatInt(int64(l.CPUTime), 10),
		"real_time_ms": ceil(int64(l.RealTime), 1e6), "real_time_s": secs(l.RealTime), "real_time_ns": strconv.FormatInt(int64(l.RealTime), 10),
		"memory_bytes": strconv.FormatInt(int64(l.Memory), 10), "memory_kib": ceil(int64(l.Memory), 1<<10), "memory_mib": ceil(int64(l.Memory), 1<<20),
		"stack_bytes": strconv.FormatInt(int64(l.Stack), 10), "stack_kib": ceil(int64(l.Stack), 1<<10),
		"output_bytes": strconv.FormatInt(int64(l.Output), 10), "output_kib": ceil(int64(l.Output), 1<<10),
		"processes": strconv.Itoa(l.Processes),
	}
}

// maxResult is how much of the judge's stdout, stderr or result file is read.
const maxResult = 1 << 20

// exec runs the judge on case c in a process group of its own, killed on
// every way out, and returns the judge's result as it wrote it.
func (j *commandJudge) exec(ctx context.Context, cmd *sandbox.Command, c *commandCase, rep *sandbox.JudgeReport) ([]byte, error) {
	argv := expandArgv(j.run, c.values, c.lists)
	backstop := 2*cmd.Limits.WithDefaults().RealTime + 10*time.Second
	runCtx, cancel := context.WithTimeout(ctx, backstop)
	defer cancel()
	x := exec.CommandContext(runCtx, argv[0], argv[1:]...)
	x.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	x.Cancel = func() error { killGroup(x); return nil }
	x.WaitDelay = time.Second
	var judgeOut, judgeErr headBuffer
	x.Stdout, x.Stderr = &judgeOut, &judgeErr
	if j.raw.Stdin == "pipe" {
		x.Stdin = cmd.Stdin
	}
	for _, s := range []struct {
		mode string
		path string
		to   *io.Writer
	}{{j.raw.Stdout, c.stdout, &x.Stdout}, {j.raw.Stderr, c.stderr, &x.Stderr}} {
		if s.mode == "pipe" {
			f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			*s.to = f
		}
	}
	start := time.Now()
	err := x.Run()
	rep.Latency = time.Since(start)
	killGroup(x) // what the judge left behind
	if err := j.judgeFailed(ctx, runCtx, err, backstop, c, &judgeErr); err != nil {
		return nil, err
	}
	switch from := j.raw.Result.From; {
	case from == "stdout":
		return judgeOut.Bytes(), nil
	case from == "stderr":
		return judgeErr.Bytes(), nil
	}
	data, err := readHead(j.from.expand(c.values), maxResult, true)
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("the judge wrote no result: %w", err)
	}
	return data, err
}

// judgeFailed returns why the judge did not run the case, given what its
// run returned, or nil when it did.
func (j *commandJudge) judgeFailed(ctx, runCtx context.Context, err error, backstop time.Duration, c *commandCase, stderr *headBuffer) error {
	why := func() string {
		msg := stderr.Bytes()
		if j.raw.Stderr == "pipe" {
			msg = head(c.stderr, 0)
		}
		if line := firstLine(msg); line != "" {
			return ": " + line
		}
		return ""
	}
	switch exit, _ := errors.AsType[*exec.ExitError](err); {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("cancelled: %w", context.Cause(ctx))
	case runCtx.Err() != nil:
		return fmt.Errorf("the judge ran past %v (twice the real-time limit and 10s): killed", backstop)
	case exit != nil && !slices.Contains(j.raw.OKExit, exit.ExitCode()):
		return fmt.Errorf("the judge ended with %s%s", exit.ProcessState, why())
	case exit == nil:
		return err
	}
	return nil
}

// headBuffer keeps the first maxResult bytes written to it and drops the
// rest.
type headBuffer struct{ bytes.Buffer }

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := maxResult - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
