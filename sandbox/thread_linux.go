package sandbox

import (
	"os"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// goOnDoomedThread runs fn in a new goroutine locked to an OS thread that
// ends with it, for what fn does to its thread that must not outlive it
// (no_new_privs, a seccomp filter, a box's namespaces). That thread is never
// the process's main thread: Go does not end the main thread but parks it
// for good, and /proc/self shows the main thread's namespaces and cgroups,
// which must stay this process's own.
func goOnDoomedThread(fn func()) {
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() != unix.Getpid() {
			fn()
			return // the thread ends here
		}
		// The main thread stays locked here while fn runs, so fn runs on
		// another, and comes back to Go clean.
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			fn()
			close(done)
		}()
		<-done
		runtime.UnlockOSThread()
	}()
}

// This process's pid and effective ids, which judgebench never changes
// (realIDs changes a thread's real ones alone), asked of the kernel once
// instead of on every run.
var (
	ownPID  = sync.OnceValue(os.Getpid)
	ownEUID = sync.OnceValue(os.Geteuid)
	ownEGID = sync.OnceValue(os.Getegid)
)

// ownRlimits are this process's resource limits as far as asked, each read
// once: judgebench never changes its own (Go raises its soft limit of
// descriptors before main).
var ownRlimits struct {
	sync.Mutex
	of map[int]unix.Rlimit
}

// ownRlimit is this process's limit of resource res.
func ownRlimit(res int) (unix.Rlimit, error) {
	ownRlimits.Lock()
	defer ownRlimits.Unlock()
	if l, ok := ownRlimits.of[res]; ok {
		return l, nil
	}
	var l unix.Rlimit
	if err := unix.Getrlimit(res, &l); err != nil {
		return l, err
	}
	if ownRlimits.of == nil {
		ownRlimits.of = map[int]unix.Rlimit{}
	}
	ownRlimits.of[res] = l
	return l, nil
}
