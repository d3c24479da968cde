package sandbox

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkRun compares the per-run cost of the sandbox, at each cgroup mode
// and isolation level, with a plain os/exec run of the same trivial program.
//
//	go test -run '^$' -bench BenchmarkRun -benchtime 2000x ./sandbox
func BenchmarkRun(b *testing.B) {
	skipIfEmulated(b)
	const prog = "/bin/true"
	b.Run("os-exec", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command(prog).Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range modes() {
		for _, level := range Isolations() {
			b.Run("sandbox-"+string(mode)+"-"+string(level), func(b *testing.B) {
				s, err := New(Options{Cgroup: mode, Isolation: level})
				if err != nil {
					b.Skipf("cgroup mode %s: %v", mode, err)
				}
				defer s.Close()
				b.ResetTimer()
				for b.Loop() {
					if r := s.Run(context.Background(), &Command{Path: prog}); r.Verdict != Accepted {
						b.Fatal(describe(r))
					}
				}
			})
		}
	}
}

// BenchmarkVforkStart is what the vfork start of a program costs the
// starting thread (start-us: from the call until the child is in its exec)
// by clone, whose child has Go's runtime set its signal handlers back one
// system call a signal; by clone3 with CLONE_CLEAR_SIGHAND, which has the
// kernel do it; and by clone3 whose child first loads a filter of its own
// (a box's start on v2, see noClone3Filter).
//
//	go test -run '^$' -bench BenchmarkVforkStart -benchtime 1000x ./sandbox
func BenchmarkVforkStart(b *testing.B) {
	skipIfEmulated(b)
	if !canVfork {
		b.Skip("no vfork start on this architecture")
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	for _, c := range []struct {
		name string
		into cgroupEntry
	}{
		{"clone", cgroupEntry{fd: -1}},
		{"clone3", cgroupEntry{fd: -1, clone3: true}},
		{"clone3-filter", cgroupEntry{fd: -1, clone3: true, denyClone3: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			if c.into.denyClone3 && os.Geteuid() != 0 {
				b.Skip("a filter loaded without no_new_privs takes root")
			}
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var start time.Duration
			for b.Loop() {
				attr := &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{null.Fd(), null.Fd(), null.Fd()}}
				t0 := time.Now()
				sp, err := vforkExec("/bin/true", []string{"true"}, attr, nil, c.into)
				start += time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				var ws unix.WaitStatus
				wait4(sp.pid, &ws, nil)
				removeLive(sp.pid)
			}
			if clone3Refused.Load() && c.into.clone3 {
				b.Skip("clone3 with CLONE_CLEAR_SIGHAND is refused here: it was a clone")
			}
			b.ReportMetric(float64(start.Microseconds())/float64(b.N), "start-us")
		})
	}
}
