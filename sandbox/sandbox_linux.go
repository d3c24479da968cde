package sandbox

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Sandbox runs programs under limits, each in a cgroup of its own when the host
// allows. It is safe for concurrent use; Close removes what New made.
type Sandbox struct {
	cgroups   cgroupRoot
	warnings  []string
	seq       atomic.Int64
	coldInput bool // tests only: leave a stdin file as it is in the page cache (see warmInput)

	mu      sync.Mutex
	free    []caseGroup // cgroups of finished runs, prepared for the next
	bgErrs  []error     // what background preparation could not do
	pending sync.WaitGroup
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
	s := &Sandbox{}
	if err := becomeSubreaper(); err != nil {
		s.warnings = append(s.warnings, "not a child subreaper: orphans without a cgroup go unnoticed: "+err.Error())
	}
	if err := removeDead(func(int) bool { return true }); err != nil {
		s.warnings = append(s.warnings, "cgroups of exited judgebench processes left: "+err.Error())
	}
	root, warns, err := newCgroupRoot(mode)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.cgroups = root
	s.warnings = append(s.warnings, warns...)
	return s, nil
}

// Cgroup names the cgroup version in use: "v1", "v2", or "none".
func (s *Sandbox) Cgroup() string {
	if s.cgroups == nil {
		return "none"
	}
	return s.cgroups.version()
}

// Warnings lists the guarantees this host could not give.
func (s *Sandbox) Warnings() []string { return slices.Clone(s.warnings) }

// Close kills what runs left that no run could claim (escapees of runs without
// a cgroup) and removes the Sandbox's cgroups. Runs must have returned.
func (s *Sandbox) Close() error {
	sweepErr := sweep(0, true, time.Now().Add(2*time.Second))
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

// caseGroup returns a cgroup for a run under l: a finished run's, reset, or a
// new one. Making and removing cgroup directories costs more than a trivial
// program's whole run, so they are reused.
func (s *Sandbox) caseGroup(l Limits) (caseGroup, error) {
	s.mu.Lock()
	var cg caseGroup
	if n := len(s.free); n > 0 {
		cg, s.free = s.free[n-1], s.free[:n-1]
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

// release hands a finished run's cgroup to the background, which prepares it
// for reuse when every task left it, else removes it. Close waits for that.
func (s *Sandbox) release(cg caseGroup, empty bool) {
	s.pending.Go(func() {
		if empty && cg.prepare() == nil {
			s.mu.Lock()
			s.free = append(s.free, cg)
			s.mu.Unlock()
			return
		}
		if err := cg.remove(); err != nil {
			s.mu.Lock()
			s.bgErrs = append(s.bgErrs, err)
			s.mu.Unlock()
		}
	})
}

func (s *Sandbox) memorySource() MemorySource {
	if s.Cgroup() == "v2" {
		return MemoryCgroupV2
	}
	return MemoryCgroupV1
}
