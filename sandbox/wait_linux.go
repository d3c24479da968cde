package sandbox

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"golang.org/x/sys/unix"
)

// si_code values of a waitid siginfo for a stopped child (CLD_TRAPPED,
// CLD_STOPPED in <signal.h>); x/sys/unix does not name them.
const (
	cldTrapped = 4
	cldStopped = 5
)

// waitExit waits until the program has exited, handling its ptrace stops on
// the way, and leaves it unreaped (WNOWAIT): until reap, its pid and its
// process group cannot be reused.
func (r *run) waitExit() error {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, r.pid, &info, unix.WEXITED|unix.WNOWAIT|unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("sandbox: wait: %w", err)
		}
		if info.Code != cldTrapped && info.Code != cldStopped {
			return nil
		}
		if err := r.resume(); err != nil {
			return err
		}
	}
}

// resume takes a stop of the traced program and lets it go on: at its exit
// stop it first notes the peak memory; a signal it was sent is passed on,
// except the ones that would stop it.
func (r *run) resume() error {
	var ws unix.WaitStatus
	if _, err := wait4(r.pid, &ws, nil); err != nil {
		return fmt.Errorf("sandbox: wait: %w", err)
	}
	if !ws.Stopped() {
		return nil
	}
	sig := ws.StopSignal()
	if sig == unix.SIGTRAP {
		switch ws.TrapCause() {
		case unix.PTRACE_EVENT_EXIT:
			r.noteHWM()
			sig = 0
		case unix.PTRACE_EVENT_EXEC:
			sig = 0
		}
	}
	switch sig {
	case unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		sig = 0 // a judged program does not get to stop itself
	}
	unix.PtraceCont(r.pid, int(sig))
	return nil
}

// reap collects the exited (or killed) program with its rusage, and forgets it.
func (r *run) reap() (unix.WaitStatus, unix.Rusage, error) {
	var ws unix.WaitStatus
	var ru unix.Rusage
	defer removeLive(r.pid)
	for {
		if _, err := wait4(r.pid, &ws, &ru); err != nil {
			return ws, ru, fmt.Errorf("sandbox: reap: %w", err)
		}
		if ws.Exited() || ws.Signaled() {
			return ws, ru, nil
		}
		unix.PtraceCont(r.pid, 0) // a stop of a program killed while traced
	}
}

// wait4 is unix.Wait4 on any child (__WALL), again after EINTR.
func wait4(pid int, ws *unix.WaitStatus, ru *unix.Rusage) (int, error) {
	for {
		wpid, err := unix.Wait4(pid, ws, unix.WALL, ru)
		if err != unix.EINTR {
			return wpid, err
		}
	}
}

// noteHWM records the program's VmHWM if it is the highest seen, and returns
// it. An execve starts a new image whose VmHWM starts again, so the watchdog
// notes it too.
func (r *run) noteHWM() Size {
	hwm := vmHWM(r.pid)
	for {
		old := r.hwm.Load()
		if int64(hwm) <= old || r.hwm.CompareAndSwap(old, int64(hwm)) {
			return hwm
		}
	}
}

// vmHWM reads the peak RSS of a live (or exit-stopped) process. (Not from
// taskstats, which is cheaper but sums the RSS counters without their
// per-CPU parts: 120 KiB short for a process holding 39 MiB, where /proc
// sums them whole.) One read of a page finds it in today's status files;
// the rest is read only when its line is not all there.
func vmHWM(pid int) Size {
	data, err := readOnceUntil("/proc/"+strconv.Itoa(pid)+"/status", func(data []byte) bool {
		return wholeLine(data, "\nVmHWM:")
	})
	if err != nil {
		return 0
	}
	return parseHWM(data)
}

// wholeLine reports whether data holds the line that key begins, to its
// newline.
func wholeLine(data []byte, key string) bool {
	i := bytes.Index(data, []byte(key))
	return i >= 0 && bytes.IndexByte(data[i+len(key):], '\n') >= 0
}

// parseHWM is the VmHWM line of a /proc/PID/status, "VmHWM:\t  1234 kB";
// 0 when there is none (a process whose memory is gone) or it is no size.
func parseHWM(status []byte) Size {
	_, rest, ok := bytes.Cut(status, []byte("\nVmHWM:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(line), []byte("kB")))), 10, 64)
	if err != nil || kb < 0 || kb > math.MaxInt64/int64(KiB) {
		return 0
	}
	return Size(kb) * KiB
}
