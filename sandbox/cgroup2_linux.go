package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgroup2 is a directory of its own in the unified hierarchy. A case enters its
// cgroup at clone time (CLONE_INTO_CGROUP), so not one instruction of it runs
// outside.
type cgroup2 struct {
	parent, root string
	moved        string   // the cgroup this process moved itself into, if any
	enabled      []string // controllers this process enabled in parent
	controllers  []string // controllers the cases get: memory, pids
}

var _ cgroupRoot = (*cgroup2)(nil)

func newCgroup2(tag string, requireAll bool) (*cgroup2, error) {
	mounts, own, err := hierarchies()
	if err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	i := slices.IndexFunc(mounts, func(m CgroupMount) bool { return m.FSType == "cgroup2" })
	if i < 0 || own[""] == "" {
		return nil, errors.New("cgroup v2: no unified hierarchy mounted")
	}
	g := &cgroup2{parent: mounts[i].Path(own[""])}
	g.root = filepath.Join(g.parent, tag)
	if err := g.delegate(tag, requireAll); err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// delegate makes g.root with the memory and pids controllers that can be had
// for the cases under it; with requireAll, both or an error.
func (g *cgroup2) delegate(tag string, requireAll bool) error {
	avail := g.available()
	if requireAll && !(slices.Contains(avail, "memory") && slices.Contains(avail, "pids")) {
		return fmt.Errorf("cgroup v2: %s lacks the memory and pids controllers", g.parent)
	}
	for _, c := range []string{"memory", "pids"} {
		if slices.Contains(avail, c) && g.enable(tag, c) == nil {
			g.controllers = append(g.controllers, c)
		}
	}
	if requireAll && len(g.controllers) < 2 {
		return fmt.Errorf("cgroup v2: cannot enable memory and pids in %s", g.parent)
	}
	if err := os.Mkdir(g.root, 0o755); err != nil {
		return fmt.Errorf("cgroup v2: %w", err)
	}
	// memory.peak came in Linux 5.19; without it the controller limits but
	// cannot measure, and VmHWM must.
	if slices.Contains(g.controllers, "memory") && !fileExists(filepath.Join(g.root, "memory.peak")) {
		if requireAll {
			return errors.New("cgroup v2: no memory.peak (Linux 5.19+)")
		}
		g.controllers = slices.DeleteFunc(g.controllers, func(c string) bool { return c == "memory" })
	}
	if len(g.controllers) == 0 {
		return nil
	}
	sub := "+" + strings.Join(g.controllers, " +")
	if err := writeFile(filepath.Join(g.root, "cgroup.subtree_control"), sub); err != nil {
		return fmt.Errorf("cgroup v2: %w", err)
	}
	return nil
}

func (g *cgroup2) available() []string {
	data, _ := os.ReadFile(filepath.Join(g.parent, "cgroup.controllers"))
	return strings.Fields(string(data))
}

// enable turns controller c on for parent's children. A cgroup with processes
// of its own cannot do that (the no-internal-process rule), so this process
// first moves itself into a child "harness" cgroup, as delegating managers do.
func (g *cgroup2) enable(tag, c string) error {
	sub := filepath.Join(g.parent, "cgroup.subtree_control")
	if data, err := os.ReadFile(sub); err == nil && slices.Contains(strings.Fields(string(data)), c) {
		return nil
	}
	err := writeFile(sub, "+"+c)
	if errors.Is(err, unix.EBUSY) && g.moved == "" {
		moved := filepath.Join(g.parent, tag+"-harness")
		if err := os.Mkdir(moved, 0o755); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(moved, "cgroup.procs"), strconv.Itoa(os.Getpid())); err != nil {
			unix.Rmdir(moved)
			return err
		}
		g.moved = moved
		err = writeFile(sub, "+"+c)
	}
	if err == nil {
		g.enabled = append(g.enabled, c)
	}
	return err
}

func (g *cgroup2) warnings() []string {
	var w []string
	if !slices.Contains(g.controllers, "memory") {
		w = append(w, "cgroup v2 without the memory controller (or memory.peak): memory from VmHWM at a ptrace exit stop")
	}
	if !slices.Contains(g.controllers, "pids") {
		w = append(w, "cgroup v2 without the pids controller: tasks limited by RLIMIT_NPROC, which does not bind root")
	}
	return w
}

func (g *cgroup2) version() string { return "v2" }

func (g *cgroup2) close() error {
	err := removeDir(g.root)
	if g.moved == "" {
		return err
	}
	// Give back what was borrowed: controllers off, this process home again.
	for _, c := range g.enabled {
		writeFile(filepath.Join(g.parent, "cgroup.subtree_control"), "-"+c)
	}
	if werr := writeFile(filepath.Join(g.parent, "cgroup.procs"), strconv.Itoa(os.Getpid())); werr != nil {
		return errors.Join(err, fmt.Errorf("cgroup v2: move back to %s (%s is left): %w", g.parent, g.moved, werr))
	}
	return errors.Join(err, removeDir(g.moved))
}

func (g *cgroup2) newCase(name string, l Limits) (caseGroup, error) {
	c := &case2{
		dir:  filepath.Join(g.root, name),
		mem:  slices.Contains(g.controllers, "memory"),
		pids: slices.Contains(g.controllers, "pids"),
		fd:   -1,
	}
	if err := os.Mkdir(c.dir, 0o755); err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	fd, err := unix.Open(c.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	c.fd = fd
	if err == nil {
		err = c.reset(l)
	}
	if err != nil {
		c.remove()
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	return c, nil
}

// case2 is one run's cgroup in the unified hierarchy.
type case2 struct {
	dir       string
	fd        int
	mem, pids bool
	killed    bool          // cgroup.kill was written: see kill
	cpuBase   time.Duration // usage_usec before this run: it only grows
}

func (c *case2) prepare() error {
	switch {
	case c.mem:
		// The last run's kernel memory stays charged, and memory.peak and
		// oom_kill only grow: only a new cgroup measures the next run exactly.
		return errors.New("cgroup v2: a memory cgroup is not reused")
	case c.killed:
		return errors.New("cgroup v2: a killed cgroup is not reused")
	}
	return nil
}

func (c *case2) reset(l Limits) error {
	var errs []error
	if c.mem {
		errs = append(errs, writeFile(filepath.Join(c.dir, "memory.max"), strconv.FormatInt(int64(l.Memory), 10)))
		if swap := filepath.Join(c.dir, "memory.swap.max"); fileExists(swap) {
			errs = append(errs, writeFile(swap, "0"))
		}
	}
	if c.pids {
		errs = append(errs, writeFile(filepath.Join(c.dir, "pids.max"), strconv.Itoa(l.Processes)))
	}
	c.cpuBase, _ = c.usage()
	return errors.Join(errs...)
}

func (c *case2) cloneFD() int     { return c.fd }
func (c *case2) attach(int) error { return nil }
func (c *case2) hasMemory() bool  { return c.mem }
func (c *case2) hasPids() bool    { return c.pids }

func (c *case2) usage() (time.Duration, error) {
	us, err := readKey(filepath.Join(c.dir, "cpu.stat"), "usage_usec")
	return time.Duration(us) * time.Microsecond, err
}

func (c *case2) cpu() (time.Duration, error) {
	d, err := c.usage()
	return d - c.cpuBase, err
}

func (c *case2) memory() (Size, bool, bool) {
	if !c.mem {
		return 0, false, false
	}
	peak, err := readInt(filepath.Join(c.dir, "memory.peak"))
	if err != nil {
		return 0, false, false
	}
	ooms, _ := readKey(filepath.Join(c.dir, "memory.events"), "oom_kill")
	return Size(peak), ooms > 0, true
}

func (c *case2) kill(deadline time.Time) error {
	if pids, err := procs(c.dir); err == nil && len(pids) == 0 {
		return nil
	}
	// cgroup.kill (Linux 5.14) kills every task at once, forks in flight
	// included. Some kernels (6.18 here) then also kill every later child
	// cloned into the cgroup (CLONE_INTO_CGROUP compares kill sequence numbers
	// of two cgroups), so a killed cgroup is never reused.
	c.killed = true
	if err := writeFile(filepath.Join(c.dir, "cgroup.kill"), "1"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("cgroup v2: kill: %w", err)
	}
	return killProcs(c.dir, deadline)
}

func (c *case2) remove() error {
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
	return removeDir(c.dir)
}
