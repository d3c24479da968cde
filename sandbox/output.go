package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// pipes are a run's stdin, stdout and stderr. Stdout and stderr always go
// through pipes, so that neither a flood nor a program that never exits can
// grow the harness's memory without bound.
//
// A goroutine reading a pipe costs wake-ups of Go's scheduler when the
// program writes and when it exits, a sixth of the whole cost of a
// trivial case (BenchmarkLaunch). So the pipes are read by goroutines only
// once the run has lasted readerGrace (the watchdog's first check starts
// them), or at once when the expected output would not fit in a pipe; a run
// that ends sooner leaves its output in the pipes, read on the run's own
// thread after every task of it has gone. A program that fills a pipe
// (64 KiB) sooner waits for the readers at most that long.
type pipes struct {
	stdin                *os.File // the child's end
	stdinW               *os.File // the harness's end when Stdin is copied
	outR, errR           *outputEnd
	outW, errW           *os.File
	wg                   sync.WaitGroup
	expect, match        bool
	diff                 string   // where the output first differs, from Checker.Compare
	outFile              *os.File // for a checker program: the output goes here, not to Compare
	stdout               *limitReader
	stderr               boundedBuffer
	closeStdinAfterStart bool
	c                    *Command
	readers              sync.Once // the output readers are started, or read in line
	// err is a failure of the harness's side: reading Stdin or Expect,
	// writing Stdout, or a pipe held open after the run. Set before finish
	// returns; it makes the run a SYSTEM_ERROR.
	err error
	mu  sync.Mutex
}

func (p *pipes) fail(err error) {
	p.mu.Lock()
	p.err = errors.Join(p.err, err)
	p.mu.Unlock()
}

// newPipes makes the pipes of a run of c. With files (a checker program judges the
// output) the program reads the input file, and its output goes to the output file.
func newPipes(c *Command, files *checkFiles, limit Size, exceeded func()) (p *pipes, err error) {
	p = &pipes{expect: c.Expect != nil}
	defer func() {
		if err != nil {
			p.closeAll()
		}
	}()
	if files != nil {
		p.stdin, err = files.openInput()
		p.closeStdinAfterStart, p.outFile = true, files.out
	} else {
		err = p.openStdin(c.Stdin)
	}
	if err != nil {
		return p, err
	}
	if p.outR, p.outW, err = outputPipe(); err != nil {
		return p, err
	}
	if p.errR, p.errW, err = outputPipe(); err != nil {
		return p, err
	}
	p.stdout = &limitReader{r: p.outR, limit: int64(limit), exceeded: exceeded}
	p.stderr.limit = c.stderrLimit()
	p.c = c
	if expectedSize(c.Expect) >= pipeSize/2 {
		p.startReaders()
	}
	return p, nil
}

// readerGrace is how long a run's output may stay in its pipes before
// goroutines read them (see pipes), and pipeSize what a pipe holds.
const (
	readerGrace = 2 * time.Millisecond
	pipeSize    = 64 << 10
)

// startReaders starts the goroutines that read stdout and stderr, unless
// they run already or the output was read in line.
func (p *pipes) startReaders() {
	p.readers.Do(func() {
		p.outR.toFile()
		p.errR.toFile()
		p.wg.Go(p.readOutput)
		p.wg.Go(p.readStderr)
	})
}

func (p *pipes) readStderr() { copyPooled(&p.stderr, p.errR) }

// expectedSize is the size of an expected output that says it, else 0.
func expectedSize(expect io.Reader) int64 {
	switch e := expect.(type) {
	case *os.File:
		if fi, err := e.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	case interface{ Len() int }:
		return int64(e.Len())
	}
	return 0
}

func (p *pipes) openStdin(in io.Reader) error {
	switch f := in.(type) {
	case nil:
		null, err := devNull()
		p.stdin = null
		return err
	case *os.File:
		p.stdin = f
		return nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	p.stdin, p.stdinW, p.closeStdinAfterStart = r, w, true
	p.wg.Go(func() { p.copyStdin(w, in) })
	return nil
}

// copyStdin feeds the program. A program that stops reading early is its own
// business (the write fails); a reader that fails is the harness's.
func (p *pipes) copyStdin(w *os.File, in io.Reader) {
	defer w.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			p.fail(fmt.Errorf("sandbox: read stdin: %w", err))
			return
		}
	}
}

// readOutput reads stdout to its end: to the output file of a checker
// program, through the checker, and to Stdout.
func (p *pipes) readOutput() {
	c := p.c
	var w io.Writer = io.Discard
	if c.Stdout != nil {
		w = c.Stdout
	}
	var err error
	switch {
	case p.outFile != nil:
		_, err = copyPooled(io.MultiWriter(p.outFile, w), p.stdout)
	case c.Expect != nil:
		p.match, p.diff, err = c.Checker.Compare(c.Expect, io.TeeReader(p.stdout, w))
	default:
		_, err = copyPooled(w, p.stdout)
	}
	if _, derr := copyPooled(io.Discard, p.stdout); err == nil {
		err = derr // whatever happened, keep the pipe empty
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = errors.New("held open after the run by a process the harness could not kill")
	}
	if err != nil {
		p.fail(fmt.Errorf("sandbox: stdout: %w", err))
	}
}

// copyBuffers are the output readers' buffers, used again from run to run.
var copyBuffers = sync.Pool{New: func() any { return new([32 << 10]byte) }}

// copyPooled is io.Copy through a buffer of copyBuffers. Neither end shows
// io.Copy more than Read and Write: an *os.File's WriteTo would copy
// through a buffer of its own, made anew each time.
func copyPooled(dst io.Writer, src io.Reader) (int64, error) {
	buf := copyBuffers.Get().(*[32 << 10]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, buf[:])
}

func (p *pipes) childFiles() []uintptr {
	return []uintptr{p.stdin.Fd(), p.outW.Fd(), p.errW.Fd()}
}

// closeChildEnds closes the harness's copies of the ends the child got, so that
// the readers see EOF once every task of the run has exited.
func (p *pipes) closeChildEnds() {
	if p.closeStdinAfterStart {
		p.stdin.Close()
	}
	p.outW.Close()
	p.errW.Close()
}

// finish reads the output to its end, or waits for the readers that do.
// Every task of the run is dead by now, so EOF is due at once; the deadline
// only guards against a task the harness could not find (no cgroup, and an
// orphan it could not kill).
func (p *pipes) finish() {
	deadline := time.Now().Add(time.Second)
	if p.stdinW != nil {
		p.stdinW.SetWriteDeadline(time.Now()) // the program is gone: stop feeding it
	}
	inLine := false
	p.readers.Do(func() { inLine = true })
	if inLine {
		p.outR.deadline, p.errR.deadline = deadline, deadline
		p.readOutput()
		p.readStderr()
	} else {
		p.outR.f.SetReadDeadline(deadline)
		p.errR.f.SetReadDeadline(deadline)
	}
	p.wg.Wait()
	p.closeAll()
}

func (p *pipes) closeAll() {
	for _, e := range []*outputEnd{p.outR, p.errR} {
		if e != nil {
			e.Close()
		}
	}
	for _, f := range []*os.File{p.outW, p.errW} {
		if f != nil {
			f.Close()
		}
	}
	if p.closeStdinAfterStart && p.stdin != nil {
		p.stdin.Close()
	}
}

func (p *pipes) stdoutBytes() int64 {
	if p == nil || p.stdout == nil {
		return 0
	}
	return p.stdout.n
}

// outputEnd is the harness's end of an output pipe: a non-blocking
// descriptor, read directly while there is something to read or the end,
// and through Go's poller, as an *os.File made when first needed, once a
// read would wait. Not safe for concurrent use.
type outputEnd struct {
	fd       int      // -1 once f has it
	f        *os.File // nil until a read waits, or goroutines read it
	deadline time.Time
}

// errWait is readNow's answer when a read would have to wait.
var errWait = errors.New("the read would wait")

func (e *outputEnd) Read(p []byte) (int, error) {
	if e.f == nil {
		if n, err := readNow(e.fd, p); err != errWait {
			return n, err
		}
		e.toFile()
	}
	return e.f.Read(p)
}

// toFile hands the descriptor to Go's poller, with the deadline when there
// is one.
func (e *outputEnd) toFile() {
	if e.f != nil {
		return
	}
	e.f, e.fd = os.NewFile(uintptr(e.fd), "|0"), -1
	if !e.deadline.IsZero() {
		e.f.SetReadDeadline(e.deadline)
	}
}

func (e *outputEnd) Close() error {
	if e.f != nil {
		return e.f.Close()
	}
	if e.fd < 0 {
		return nil
	}
	fd := e.fd
	e.fd = -1
	return closeFD(fd)
}

// devNull is the stdin of a program given none, opened once for every run.
var devNull = untilOK(func() (*os.File, error) { return os.Open(os.DevNull) })

// untilOK returns a function that gives open's result once it has
// succeeded, and calls it again after a failure: a file opened once for
// good must not stay unopened for one EMFILE.
func untilOK[T any](open func() (T, error)) func() (T, error) {
	var (
		mu sync.Mutex
		v  T
		ok bool
	)
	return func() (T, error) {
		mu.Lock()
		defer mu.Unlock()
		if ok {
			return v, nil
		}
		got, err := open()
		if err != nil {
			return got, err
		}
		v, ok = got, true
		return v, nil
	}
}

// limitReader counts what it reads. Past limit it calls exceeded once, drains
// its source to the end without passing anything on, and reports EOF.
type limitReader struct {
	r        io.Reader
	limit, n int64
	exceeded func()
	fired    bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n <= l.limit {
		return n, err
	}
	if !l.fired {
		l.fired = true
		l.exceeded()
	}
	for err == nil {
		n, err = l.r.Read(p)
		l.n += int64(n)
	}
	return 0, io.EOF
}

// boundedBuffer keeps the first limit bytes written to it and drops the rest.
type boundedBuffer struct {
	buf   bytes.Buffer
	limit int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// Bytes returns a copy of what was kept.
func (b *boundedBuffer) Bytes() []byte { return bytes.Clone(b.buf.Bytes()) }
