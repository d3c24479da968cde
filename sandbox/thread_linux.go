package sandbox

import (
	"runtime"

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
