package judges

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// gjProcess is a go-judge that judgebench started for an executor's life,
// as an operator runs one privately: in an empty directory of its own (so
// that it reads no mount.yaml or seccomp.yaml), on a loopback port, with
// its own file store and cgroup prefix.
type gjProcess struct {
	bin    string   // the go-judge binary, absolute
	flags  []string // what it was started with
	url    string
	dir    string // its working directory: store/ and its stderr, go-judge.log
	prefix string // its -cgroup-prefix, judgebench's to remove
	cgroup string // cgroup v2: the cgroup judgebench made to start it in; "" on v1

	cmd    *exec.Cmd
	exited chan struct{} // closed once it has ended and been reaped
	err    error         // how it ended, once exited is closed
}

// gjStarts numbers the go-judges this process starts, for their prefixes.
var gjStarts atomic.Int64

// errGJExited is a go-judge that ended before it answered.
var errGJExited = errors.New("exited before it answered")

// startGoJudge starts the go-judge at bin, with extra flags after
// judgebench's (tests only), and waits until it answers GET /version. A
// port another process took meanwhile is tried again with another.
func startGoJudge(ctx context.Context, bin string, extra ...string) (*gjProcess, error) {
	dir, err := os.MkdirTemp("", "judgebench-gojudge-")
	if err != nil {
		return nil, fmt.Errorf("judges: go-judge: %w", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "store"), 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("judges: go-judge: %w", err)
	}
	p := &gjProcess{bin: bin, dir: dir, prefix: fmt.Sprintf("judgebench-gojudge-%d-%d", os.Getpid(), gjStarts.Add(1))}
	for attempt := 1; ; attempt++ {
		addr, err := gjFreeAddr()
		if err == nil {
			err = p.start(addr, extra)
		}
		if err == nil {
			if err = p.ready(ctx); err == nil {
				return p, nil
			}
		}
		retry := attempt < 3 && errors.Is(err, errGJExited) && gjPortTaken(addr)
		if serr := p.stop(retry); serr != nil {
			err = fmt.Errorf("%w; %w", err, serr)
		}
		if !retry {
			return nil, fmt.Errorf("judges: go-judge: %s: %w", bin, err)
		}
	}
}

// start starts go-judge on addr, in its own process group, from a thread
// that stays locked until go-judge has ended: Pdeathsig sends it SIGTERM
// when that thread ends, so that it dies with judgebench.
func (p *gjProcess) start(addr string, extra []string) error {
	p.url = "http://" + addr
	p.flags = append([]string{"-http-addr", addr, "-dir", filepath.Join(p.dir, "store"), "-cgroup-prefix", p.prefix, "-silent"}, extra...)
	log, err := os.Create(filepath.Join(p.dir, "go-judge.log"))
	if err != nil {
		return err
	}
	defer log.Close() // go-judge has its own copy
	c := exec.Command(p.bin, p.flags...)
	c.Dir, c.Stderr = p.dir, log
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	cgfd, err := p.makeCgroup()
	if err != nil {
		return err
	}
	if cgfd != nil {
		defer cgfd.Close()
		c.SysProcAttr.UseCgroupFD, c.SysProcAttr.CgroupFD = true, int(cgfd.Fd())
	}
	started := make(chan error, 1)
	p.cmd, p.exited = c, make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		if err := c.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = c.Wait()
		killGroup(c) // what its containers left, if anything
		close(p.exited)
	}()
	if err := <-started; err != nil {
		p.cmd = nil
		return err
	}
	return nil
}

// ready waits up to 10s for go-judge to answer GET /version.
func (p *gjProcess) ready(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/version", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%w (%v)%s", errGJExited, p.err, p.stderr())
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer to GET %s/version within 10s%s", p.url, p.stderr())
		}
	}
}

// stderr is the last lines go-judge wrote to stderr, on one line after a
// colon, or that it wrote none.
func (p *gjProcess) stderr() string {
	b, _, _ := tail(filepath.Join(p.dir, "go-judge.log"), 4<<10)
	if lines := lastLines(b, 3); len(lines) > 0 {
		return ": " + strings.Join(lines, " | ")
	}
	return "; nothing on stderr"
}

// stop ends go-judge (SIGTERM; SIGKILL to its group 5s later) and removes
// the cgroups it made and, unless again (it is started again), its
// directory.
func (p *gjProcess) stop(again bool) error {
	select {
	case <-p.exited:
	default:
		if p.cmd == nil { // it did not start
			break
		}
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			killGroup(p.cmd)
			<-p.exited
		}
	}
	err := p.removeCgroups()
	if !again {
		err = errors.Join(err, os.RemoveAll(p.dir))
	}
	return err
}

// parallelism is how many commands go-judge runs at once: its -parallelism,
// by default its CPU count, which it shares with judgebench (it inherits
// judgebench's CPU affinity).
func (p *gjProcess) parallelism() int {
	if i := slices.Index(p.flags, "-parallelism"); i >= 0 && i+1 < len(p.flags) {
		if n, err := strconv.Atoi(p.flags[i+1]); err == nil && n > 0 {
			return n
		}
	}
	return runtime.NumCPU()
}

// gjFreeAddr is a loopback address with a port nothing listened on a moment
// ago.
func gjFreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// gjPortTaken reports whether something listens on addr: a go-judge that
// exited at once lost its port to it (go-judge exits, silently, when it
// cannot listen).
func gjPortTaken(addr string) bool {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return true
	}
	l.Close()
	return false
}
