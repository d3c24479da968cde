package sandbox

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sigState is the blocked and ignored signals of a status file (SigBlk,
// SigIgn).
func sigState(status string) (blocked, ignored string) {
	for line := range strings.Lines(status) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":\t"); ok {
			switch k {
			case "SigBlk":
				blocked = v
			case "SigIgn":
				ignored = v
			}
		}
	}
	return blocked, ignored
}

// TestProgramSignals: a program starts with the signal mask of the
// harness's threads and ignores what the harness ignores, however its
// process was cloned: by clone3 with CLONE_CLEAR_SIGHAND (its handlers set
// back by the kernel, its mask by the child), by clone (Go's reset), and by
// clone after a clone3 refused (ENOSYS, as a seccomp profile or a kernel
// before 5.5 refuses it), which makes later starts clone; and at every
// isolation level.
func TestProgramSignals(t *testing.T) {
	runtime.LockOSThread()
	self, err := os.ReadFile("/proc/thread-self/status")
	runtime.UnlockOSThread()
	if err != nil {
		t.Fatal(err)
	}
	wantBlocked, wantIgnored := sigState(string(self))
	check := func(t *testing.T, how, status string) {
		t.Helper()
		if blocked, ignored := sigState(status); blocked == "" || blocked != wantBlocked || ignored != wantIgnored {
			t.Errorf("%s: the program's SigBlk %q, SigIgn %q; want %q and %q, the harness's", how, blocked, ignored, wantBlocked, wantIgnored)
		}
	}
	t.Run("vfork", func(t *testing.T) {
		if !canVfork {
			t.Skip("no vfork start on this architecture")
		}
		null := devNullFd(t)
		// cat's status from a start as into says; the thread's own errors.
		start := func(into cgroupEntry) (string, error) {
			r, w, err := os.Pipe()
			if err != nil {
				return "", err
			}
			defer r.Close()
			attr := &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{null, w.Fd(), w.Fd()}}
			sp, err := vforkExec("/bin/cat", []string{"cat", "/proc/self/status"}, attr, nil, into)
			w.Close()
			if err != nil {
				return "", err
			}
			var out bytes.Buffer
			out.ReadFrom(r)
			var ws unix.WaitStatus
			wait4(sp.pid, &ws, nil)
			removeLive(sp.pid)
			return out.String(), nil
		}
		for _, c := range []struct {
			how  string
			into cgroupEntry
		}{{"clone3", cgroupEntry{fd: -1, clone3: true}}, {"clone", cgroupEntry{fd: -1}}} {
			status, err := start(c.into)
			if err != nil {
				t.Fatalf("%s: %v", c.how, err)
			}
			check(t, c.how, status)
		}
		if clone3Refused.Load() {
			t.Skip("clone3 with CLONE_CLEAR_SIGHAND is refused here: no refusal to bring about")
		}
		type result struct {
			status string
			err    error
		}
		done := make(chan result)
		goOnDoomedThread(func() {
			var res result
			if res.err = noNewPrivs(); res.err == nil {
				if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(noClone3Filter()))); e != 0 {
					res.err = e
				}
			}
			if res.err == nil {
				res.status, res.err = start(cgroupEntry{fd: -1, clone3: true})
			}
			done <- res
		})
		res := <-done
		refused := clone3Refused.Swap(false)
		if res.err != nil {
			t.Fatalf("clone3 refused: %v", res.err)
		}
		check(t, "clone after a clone3 refused", res.status)
		if !refused {
			t.Error("a clone3 refused with ENOSYS left later starts trying it")
		}
	})
	forEachLevel(t, func(t *testing.T, s *Sandbox) {
		r, out := runOut(t, s, &Command{Path: "/bin/cat", Args: []string{"/proc/self/status"}, Limits: roomy(Limits{})})
		if r.Verdict != Accepted {
			t.Fatal(describe(r))
		}
		check(t, string(s.Isolation()), out)
	})
}

// devNullFd is a descriptor of /dev/null for the test's life.
func devNullFd(t *testing.T) uintptr {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f.Fd()
}
