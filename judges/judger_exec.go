package judges

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

// exec runs Judger with flags in its own process group, killed whole when
// ctx ends, on cpus (none: unpinned), and returns what it printed. report
// gets the latency.
func (j *judger) exec(ctx context.Context, dir string, cpus []int, flags []string, report *sandbox.JudgeReport) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, j.path, flags...)
	c.Dir, c.Stdout, c.Stderr = dir, &stdout, &stderr
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// On cancel, kill the program first, so that Judger reaps it (an orphan
	// would be left to init to reap) and returns; Judger itself, if still
	// there after WaitDelay, then the whole group below.
	c.Cancel = func() error { judgerKillOthers(c.Process.Pid); return nil }
	c.WaitDelay = 500 * time.Millisecond
	start := time.Now()
	if err := judgerStart(c, cpus); err != nil {
		return nil, err
	}
	err := c.Wait()
	report.Latency = time.Since(start)
	killGroup(c) // what the program left (Judger waits for its child only)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("judges: judger: %w", context.Cause(ctx))
	}
	if err != nil {
		return nil, fmt.Errorf("judges: judger: %w: %s", err, firstLine(append(stderr.Bytes(), stdout.Bytes()...)))
	}
	return stdout.Bytes(), nil
}

// judgerStart starts c on cpus (none: as it is): a child inherits the CPUs
// of the thread that forks it, and Judger's program those of Judger, so c is
// started from this goroutine's thread pinned for the moment.
func judgerStart(c *exec.Cmd, cpus []int) error {
	if len(cpus) == 0 {
		return judgerStartErr(c.Start())
	}
	runtime.LockOSThread()
	restore, err := pinThread(cpus)
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("judges: judger: %w", err)
	}
	err = c.Start()
	if restore() == nil {
		runtime.UnlockOSThread() // else the pinned thread ends with the goroutine
	}
	return judgerStartErr(err)
}

// judgerStartErr is err from starting Judger, nil or said so.
func judgerStartErr(err error) error {
	if err != nil {
		return fmt.Errorf("judges: judger: start: %w", err)
	}
	return nil
}

// judgerKillOthers kills every process of the process group pgid but its
// leader, Judger.
func judgerKillOthers(pgid int) {
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == pgid {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold anything but ')'.
		i := bytes.LastIndexByte(stat, ')')
		if f := strings.Fields(string(stat[i+1:])); i >= 0 && len(f) > 2 && f[2] == strconv.Itoa(pgid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
