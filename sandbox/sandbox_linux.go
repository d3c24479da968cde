package sandbox

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Sandbox runs programs under limits, each in a cgroup of its own when the host
// allows. It is safe for concurrent use; Close removes what New made.
type Sandbox struct {
	cgroups   cgroupRoot
	isolation Isolation
	iso       *isolator // nil at IsolationNone
	warnings  []string
	seq       atomic.Int64
	coldInput bool // tests only: leave a stdin file as it is in the page cache (see warmInput)

	mu      sync.Mutex
	free    []caseGroup // cgroups of finished runs, prepared for the next
	bgErrs  []error     // what the background could not do: renew or remove a cgroup
	pending sync.WaitGroup
}

// DefaultIsolation is the isolation level of a Sandbox whose Options name
// none: namespaces as root, else process. (New falls back to process, with a
// warning, when the host refuses the namespaces.)
func DefaultIsolation() Isolation {
	if os.Geteuid() == 0 {
		return IsolationNamespaces
	}
	return IsolationProcess
}

// New prepares a Sandbox as opts say. It makes this process a child subreaper
// (see PR_SET_CHILD_SUBREAPER), so that orphans of runs come back to it to be
// killed. Whatever the mode, it first removes the cgroups that judgebench
// processes which have exited left behind (killed before they could close
// their Sandboxes), with every task still in them: see RemoveLeftovers. A
// cgroup mode that the host cannot give is an error.
func New(opts Options) (*Sandbox, error) {
	mode := opts.Cgroup
	if mode == "" {
		mode = CgroupAuto
	}
	if _, err := ParseCgroupMode(string(mode)); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s := &Sandbox{isolation: opts.Isolation}
	if s.isolation == "" {
		s.isolation = DefaultIsolation()
	}
	if _, err := ParseIsolation(string(s.isolation)); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	// Before any child (a box's holder) is started.
	if err := closeOnExec(); err != nil {
		s.warnings = append(s.warnings, "descriptors this process inherited may reach the programs: "+err.Error())
	}
	if err := becomeSubreaper(); err != nil {
		s.warnings = append(s.warnings, "not a child subreaper: orphans without a cgroup go unnoticed: "+err.Error())
	}
	if err := removeDead(func(int) bool { return true }); err != nil {
		s.warnings = append(s.warnings, "what exited judgebench processes left (cgroups, isolation directories): "+err.Error())
	}
	// The cgroups before the box's holder: on v2, a delegated cgroup enables
	// controllers for its children only once it holds no process (see
	// cgroup2.vacate), and a holder started there first would stay, leaving
	// the Sandbox without cgroups.
	root, warns, err := newCgroupRoot(mode)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.cgroups = root
	s.warnings = append(s.warnings, warns...)
	if s.isolation != IsolationNone {
		iso, warns, err := newIsolator(opts, s.isolation)
		if err != nil && opts.Isolation == "" && s.isolation == IsolationNamespaces {
			// The default asks for the strongest level the host allows.
			s.warnings = append(s.warnings, fmt.Sprintf("isolation process, not namespaces: %v", err))
			s.isolation = IsolationProcess
			iso, warns, err = newIsolator(opts, s.isolation)
		}
		if err != nil {
			if root != nil {
				root.close()
			}
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		s.iso, s.warnings = iso, append(s.warnings, warns...)
	}
	return s, nil
}

// Cgroup names the cgroup version in use: "v1", "v2", or "none".
func (s *Sandbox) Cgroup() string {
	if s.cgroups == nil {
		return "none"
	}
	return s.cgroups.version()
}

// Isolation is the isolation level of the Sandbox's runs.
func (s *Sandbox) Isolation() Isolation { return s.isolation }

// Warnings lists the guarantees this host could not give.
func (s *Sandbox) Warnings() []string { return slices.Clone(s.warnings) }

// Close kills what runs left that no run could claim (escapees of runs without
// a cgroup) and removes the Sandbox's cgroups. Runs must have returned.
func (s *Sandbox) Close() error {
	sweepErr := sweep(0, true, time.Now().Add(2*time.Second))
	if s.iso != nil {
		sweepErr = errors.Join(sweepErr, s.iso.close())
	}
	if s.cgroups == nil {
		return sweepErr
	}
	s.pending.Wait()
	s.mu.Lock()
	free, errs := s.free, s.bgErrs
	s.free, s.bgErrs = nil, nil
	s.mu.Unlock()
	for _, cg := range free {
		errs = append(errs, cg.remove())
	}
	return errors.Join(append(errs, sweepErr, s.cgroups.close())...)
}

// minFree is how many prepared cgroups there are before one is used again:
// the oldest, so that what its recycle asked of the kernel (see
// case1.recycle) has a run's time to be done.
var minFree = 2

// caseGroup returns a cgroup for a run under l: a finished run's, reset, or a
// new one. Making and removing cgroup directories costs more than a trivial
// program's whole run, so they are reused.
func (s *Sandbox) caseGroup(l Limits) (caseGroup, error) {
	s.mu.Lock()
	var cg caseGroup
	if len(s.free) >= minFree {
		cg, s.free = s.free[0], s.free[1:]
	}
	s.mu.Unlock()
	if cg != nil {
		if cg.reset(l) == nil {
			return cg, nil
		}
		cg.remove()
	}
	return s.cgroups.newCase("run-"+strconv.FormatInt(s.seq.Add(1), 10), l)
}

// release takes back a finished run's cgroup. One every task left is
// recycled in line where it can be: its few reads and writes cost less than
// waking a thread to do them, which moved the harness between CPUs (at
// none on v1, 0.85-0.87x of os/exec's rate to 0.90-0.98x; see README's
// Performance). The background renews the others (a new directory) or
// removes them; Close waits for that.
func (s *Sandbox) release(cg caseGroup, empty bool) {
	if empty && cg.recycle() {
		s.putFree(cg)
		return
	}
	s.pending.Go(func() {
		if empty && cg.renew() == nil {
			s.putFree(cg)
			return
		}
		if err := cg.remove(); err != nil {
			s.mu.Lock()
			s.bgErrs = append(s.bgErrs, err)
			s.mu.Unlock()
		}
	})
}

// putFree adds a prepared cgroup to those the next runs take.
func (s *Sandbox) putFree(cg caseGroup) {
	s.mu.Lock()
	s.free = append(s.free, cg)
	s.mu.Unlock()
}

func (s *Sandbox) memorySource() MemorySource {
	if s.Cgroup() == "v2" {
		return MemoryCgroupV2
	}
	return MemoryCgroupV1
}

// closeOnExec marks every descriptor of this process above 2 close-on-exec,
// so that none reaches a program: Go opens its own so, but what this process
// inherited (a shell's saved descriptors, a pipe of whatever started it) is
// not. The harness keeps using them.
func closeOnExec() error {
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err == nil {
		return nil
	}
	entries, err := os.ReadDir("/proc/self/fd") // kernels before 5.11
	if err != nil {
		return err
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC)
		}
	}
	return nil
}
