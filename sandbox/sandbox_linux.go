package sandbox

import (
	"fmt"
	"sync/atomic"
)

// Sandbox runs programs under limits, each in a cgroup of its own when the host
// allows. It is safe for concurrent use; Close removes what New made.
type Sandbox struct {
	cgroups  cgroupRoot
	warnings []string
	seq      atomic.Int64
}

// New prepares a Sandbox as opts say. It makes this process a child subreaper
// (see PR_SET_CHILD_SUBREAPER), so that orphans of runs come back to it to be
// killed. A cgroup mode that the host cannot give is an error.
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
func (s *Sandbox) Warnings() []string { return s.warnings }

// Close removes the Sandbox's cgroups. Runs must have returned.
func (s *Sandbox) Close() error {
	if s.cgroups == nil {
		return nil
	}
	return s.cgroups.close()
}

func (s *Sandbox) memorySource() MemorySource {
	if s.Cgroup() == "v2" {
		return MemoryCgroupV2
	}
	return MemoryCgroupV1
}
