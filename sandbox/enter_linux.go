package sandbox

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// host holds this process's own namespaces and working directory, to come
// back to after entering a holder's.
var host struct {
	once sync.Once
	ns   map[string]int
	wd   string
	err  error
}

func hostNamespaces() error {
	host.once.Do(func() {
		host.ns = map[string]int{}
		for _, n := range holderNamespaces {
			fd, err := unix.Open("/proc/self/ns/"+n.name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				host.err = fmt.Errorf("isolation: %w", err)
				return
			}
			host.ns[n.name] = fd
		}
		host.wd, host.err = os.Getwd()
	})
	return host.err
}

// enter moves the calling thread into h's namespaces, so that the children it
// starts are born there: the thread's view of the files becomes the box.
// The caller has locked the thread, which must never run anything else: it
// calls leave before it touches a file again, and dies when its run is over.
func (h *holder) enter() error {
	if err := hostNamespaces(); err != nil {
		return err
	}
	// A mount namespace is a thread's own only when its filesystem
	// attributes (root, working directory) are.
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("isolation: unshare CLONE_FS: %w", err)
	}
	for _, n := range holderNamespaces {
		if err := unix.Setns(h.ns[n.name], n.flag); err != nil {
			return fmt.Errorf("isolation: enter the holder's %s namespace: %w", n.name, err)
		}
	}
	return nil
}

// leave brings the calling thread back to this process's namespaces and
// working directory after enter.
func leave() error {
	var errs []error
	for _, n := range holderNamespaces {
		if err := unix.Setns(host.ns[n.name], n.flag); err != nil {
			errs = append(errs, fmt.Errorf("isolation: back to the %s namespace: %w", n.name, err))
		}
	}
	if err := unix.Chdir(host.wd); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
