package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// cgroup1 is a directory of its own in each of the v1 memory, pids and cpuacct
// hierarchies, under the judgebench parent cgroup of each (see parentName).
type cgroup1 struct {
	memory, pids, cpuacct string
	// home is the tasks files of those directories: where a start thread
	// that joined a case's cgroups goes back to (see case1.joinThread).
	home [3]ctlFile
}

var _ cgroupRoot = (*cgroup1)(nil)

func newCgroup1(tag string) (*cgroup1, error) {
	mounts, own, err := hierarchies()
	if err != nil {
		return nil, fmt.Errorf("cgroup v1: %w", err)
	}
	dir := func(controller string) (string, error) {
		for _, m := range mounts {
			if m.FSType == "cgroup" && slices.Contains(m.Options, controller) {
				top := DelegatedCgroup(m, own[controller], writable)
				if top == "" {
					return "", fmt.Errorf("cgroup v1 %s: %s is not writable", controller, m.Path(own[controller]))
				}
				d := filepath.Join(top, parentName, tag)
				if err := mkdirParent(d); err != nil {
					return "", fmt.Errorf("cgroup v1 %s: %w", controller, err)
				}
				return d, nil
			}
		}
		return "", fmt.Errorf("cgroup v1: no %s hierarchy mounted", controller)
	}
	var g cgroup1
	var errs []error
	for _, p := range []struct {
		name string
		dst  *string
	}{{"memory", &g.memory}, {"pids", &g.pids}, {"cpuacct", &g.cpuacct}} {
		d, err := dir(p.name)
		*p.dst = d
		errs = append(errs, err)
	}
	for i, d := range []string{g.memory, g.pids, g.cpuacct} {
		if d != "" {
			g.home[i], err = openCtl(filepath.Join(d, "tasks"))
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		g.close()
		return nil, err
	}
	return &g, nil
}

func (g *cgroup1) version() string { return "v1" }

func (g *cgroup1) close() error {
	for i := range g.home {
		g.home[i].close()
	}
	var errs []error
	for _, d := range []string{g.memory, g.pids, g.cpuacct} {
		if d != "" {
			errs = append(errs, removeDir(d))
		}
	}
	return errors.Join(errs...)
}

func (g *cgroup1) newCase(name string, l Limits) (caseGroup, error) {
	c := &case1{
		memDir:  filepath.Join(g.memory, name),
		pidsDir: filepath.Join(g.pids, name),
		cpuDir:  filepath.Join(g.cpuacct, name),
		pidsSet: -1,
		home:    &g.home,
	}
	for _, d := range c.dirs() {
		if err := os.Mkdir(d, 0o755); err != nil {
			c.remove()
			return nil, fmt.Errorf("cgroup v1: %w", err)
		}
	}
	if err := errors.Join(c.openMemory(), c.openOthers()); err != nil {
		c.remove()
		return nil, fmt.Errorf("cgroup v1: %w", err)
	}
	if err := c.reset(l); err != nil {
		c.remove()
		return nil, err
	}
	return c, nil
}

// case1 is one run's cgroups in the three v1 hierarchies, with the files a
// run uses kept open.
type case1 struct {
	memDir, pidsDir, cpuDir string

	memProcs, memLimit, memswLimit, memPeak, memOOM ctlFile // memsw absent without swap accounting
	pidsProcs, pidsMax                              ctlFile
	cpuProcs, cpuUsage, cpuUser, cpuSys             ctlFile    // user and sys absent before Linux 4.6
	pidsSet                                         int        // what pids.max was last set to, or -1
	tasks                                           [3]ctlFile // memory, pids, cpuacct
	home                                            *[3]ctlFile
	limits                                          Limits // of the last reset
}

// openMemory opens the files of a new memory cgroup.
func (c *case1) openMemory() error {
	var o ctlOpener
	c.tasks[0] = o.open(c.memDir, "tasks")
	c.memProcs = o.open(c.memDir, "cgroup.procs")
	c.memLimit = o.open(c.memDir, "memory.limit_in_bytes")
	c.memswLimit = o.openIfThere(c.memDir, "memory.memsw.limit_in_bytes")
	c.memPeak = o.open(c.memDir, "memory.max_usage_in_bytes")
	c.memOOM = o.open(c.memDir, "memory.oom_control")
	return o.done()
}

// openOthers opens the files of the pids and cpuacct cgroups.
func (c *case1) openOthers() error {
	var o ctlOpener
	c.tasks[1] = o.open(c.pidsDir, "tasks")
	c.pidsProcs = o.open(c.pidsDir, "cgroup.procs")
	c.pidsMax = o.open(c.pidsDir, "pids.max")
	c.tasks[2] = o.open(c.cpuDir, "tasks")
	c.cpuProcs = o.open(c.cpuDir, "cgroup.procs")
	c.cpuUsage = o.open(c.cpuDir, "cpuacct.usage")
	c.cpuUser = o.openIfThere(c.cpuDir, "cpuacct.usage_user")
	c.cpuSys = o.openIfThere(c.cpuDir, "cpuacct.usage_sys")
	return o.done()
}

func (c *case1) closeMemory() {
	for _, f := range []*ctlFile{&c.memProcs, &c.memLimit, &c.memswLimit, &c.memPeak, &c.memOOM, &c.tasks[0]} {
		f.close()
	}
}

func (c *case1) closeFiles() {
	c.closeMemory()
	for _, f := range []*ctlFile{&c.pidsProcs, &c.pidsMax, &c.cpuProcs, &c.cpuUsage, &c.cpuUser, &c.cpuSys, &c.tasks[1], &c.tasks[2]} {
		f.close()
	}
}

// prepare makes the memory cgroup anew: the last run's kernel memory (slab)
// stays charged and cannot be reclaimed, and only a new one keeps the next
// peak the program's own. The pids and cpuacct cgroups are reused as they are.
func (c *case1) prepare() error {
	c.closeMemory()
	if err := removeDir(c.memDir); err != nil {
		return err
	}
	if err := os.Mkdir(c.memDir, 0o755); err != nil {
		return fmt.Errorf("cgroup v1: %w", err)
	}
	if err := c.openMemory(); err != nil {
		return fmt.Errorf("cgroup v1: %w", err)
	}
	return nil
}

func (c *case1) reset(l Limits) error {
	c.limits = l
	if err := c.cpuUsage.set("0"); err != nil {
		return fmt.Errorf("cgroup v1: %w", err)
	}
	return c.setLimits()
}

// setLimits sets the memory and task limits of the last reset.
func (c *case1) setLimits() error {
	l := c.limits
	mem := strconv.FormatInt(int64(l.Memory), 10)
	errs := []error{c.memLimit.set(mem)}
	if l.Processes != c.pidsSet {
		c.pidsSet = -1
		if err := c.pidsMax.set(strconv.Itoa(l.Processes)); err != nil {
			errs = append(errs, err)
		} else {
			c.pidsSet = l.Processes
		}
	}
	// Without swap accounting the file is absent; with it, swap counts too.
	if c.memswLimit.present() {
		errs = append(errs, c.memswLimit.set(mem))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cgroup v1: set limits: %w", err)
	}
	return nil
}

// joinThread moves the calling thread alone into the three cgroups, so that
// the program it forks is born there and needs no attach. A thread that
// moves itself ("0" in a tasks file) spares the kernel the process-wide
// lock a move of another task takes, whose RCU grace period costs some
// milliseconds on a busy machine. The limits are lifted meanwhile: the
// thread is the harness's, and must meet neither the OOM killer nor the
// task limit; leaveThread sets them again.
func (c *case1) joinThread() error {
	errs := []error{}
	if c.memswLimit.present() {
		errs = append(errs, c.memswLimit.set("-1")) // before memory's: memsw may not be lower
	}
	errs = append(errs, c.memLimit.set("-1"), c.pidsMax.set("max"))
	c.pidsSet = -1
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cgroup v1: lift the limits: %w", err)
	}
	for i, f := range c.tasks {
		if err := f.set("0"); err != nil {
			for _, h := range c.home[:i] {
				h.set("0")
			}
			return fmt.Errorf("cgroup v1: join: %w", err)
		}
	}
	return nil
}

func (c *case1) threadJoins() bool { return true }

// leaveThread moves the calling thread back to the Sandbox's cgroups, and
// sets the limits again.
func (c *case1) leaveThread() error {
	var errs []error
	for _, h := range c.home {
		errs = append(errs, h.set("0"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cgroup v1: leave: %w", err)
	}
	return c.setLimits()
}

func (c *case1) dirs() []string { return []string{c.memDir, c.pidsDir, c.cpuDir} }

func (c *case1) cloneFD() int { return -1 }

// attach moves pid into the three cgroups, through files opened before: the
// caller may be a thread in a box, which sees no cgroup file by its path.
func (c *case1) attach(pid int) error {
	p := strconv.Itoa(pid)
	for _, f := range []ctlFile{c.memProcs, c.pidsProcs, c.cpuProcs} {
		if err := f.set(p); err != nil {
			return fmt.Errorf("cgroup v1: attach: %w", err)
		}
	}
	return nil
}

func (c *case1) cpu() (time.Duration, error) {
	ns, err := c.cpuUsage.int()
	return time.Duration(ns), err
}

// split reads the user and system shares that cpuacct samples at the tick:
// cpuacct.usage_user and usage_sys (nanoseconds, Linux 4.6+), else the user
// and system ticks of cpuacct.stat.
func (c *case1) split() (user, sys time.Duration, ok bool) {
	if c.cpuUser.present() && c.cpuSys.present() {
		u, err1 := c.cpuUser.int()
		s, err2 := c.cpuSys.int()
		if err1 == nil && err2 == nil {
			return time.Duration(u), time.Duration(s), true
		}
	}
	stat := filepath.Join(c.cpuDir, "cpuacct.stat")
	u, err1 := readKey(stat, "user")
	s, err2 := readKey(stat, "system")
	return time.Duration(u), time.Duration(s), err1 == nil && err2 == nil
}

func (c *case1) memory() (Size, bool, bool) {
	peak, err := c.memPeak.int()
	if err != nil {
		return 0, false, false
	}
	ooms, _ := c.memOOM.keys("oom_kill")
	return Size(peak), ooms[0] > 0, true
}

func (c *case1) hasMemory() bool { return true }
func (c *case1) hasPids() bool   { return true }

func (c *case1) kill(deadline time.Time) error {
	// Every task of the run is in the pids cgroup: it was entered before the
	// program's first instruction and children inherit it.
	return killProcs(c.pidsDir, deadline)
}

func (c *case1) remove() error {
	c.closeFiles()
	var errs []error
	for _, d := range c.dirs() {
		errs = append(errs, removeDir(d))
	}
	return errors.Join(errs...)
}
