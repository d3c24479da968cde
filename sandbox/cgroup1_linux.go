package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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
		memSet:  -1,
		home:    &g.home,

		memCharge: memCharge{counted: true},
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
	memUsage                                        ctlFile
	memSet                                          int64 // the limits last set (memory's may be lower since: see recycle), or -1: none
	memCharge
	pidsProcs, pidsMax, pidsCurrent     ctlFile
	cpuProcs, cpuUsage, cpuUser, cpuSys ctlFile    // user and sys absent before Linux 4.6
	pidsSet                             int        // what pids.max was last set to, or -1
	tasks                               [3]ctlFile // memory, pids, cpuacct
	home                                *[3]ctlFile
	limits                              Limits // of the last reset
}

// openMemory opens the files of a new memory cgroup.
func (c *case1) openMemory() error {
	var o ctlOpener
	c.tasks[0] = o.open(c.memDir, "tasks")
	c.memProcs = o.open(c.memDir, "cgroup.procs")
	c.memLimit = o.open(c.memDir, "memory.limit_in_bytes")
	c.memswLimit = o.openIfThere(c.memDir, "memory.memsw.limit_in_bytes")
	c.memPeak = o.open(c.memDir, "memory.max_usage_in_bytes")
	c.memUsage = o.open(c.memDir, "memory.usage_in_bytes")
	c.memOOM = o.open(c.memDir, "memory.oom_control")
	return o.done()
}

// openOthers opens the files of the pids and cpuacct cgroups.
func (c *case1) openOthers() error {
	var o ctlOpener
	c.tasks[1] = o.open(c.pidsDir, "tasks")
	c.pidsProcs = o.open(c.pidsDir, "cgroup.procs")
	c.pidsMax = o.open(c.pidsDir, "pids.max")
	c.pidsCurrent = o.open(c.pidsDir, "pids.current")
	c.tasks[2] = o.open(c.cpuDir, "tasks")
	c.cpuProcs = o.open(c.cpuDir, "cgroup.procs")
	c.cpuUsage = o.open(c.cpuDir, "cpuacct.usage")
	c.cpuUser = o.openIfThere(c.cpuDir, "cpuacct.usage_user")
	c.cpuSys = o.openIfThere(c.cpuDir, "cpuacct.usage_sys")
	return o.done()
}

func (c *case1) closeMemory() {
	for _, f := range []*ctlFile{&c.memProcs, &c.memLimit, &c.memswLimit, &c.memPeak, &c.memUsage, &c.memOOM, &c.tasks[0]} {
		f.close()
	}
}

func (c *case1) closeFiles() {
	c.closeMemory()
	for _, f := range []*ctlFile{&c.pidsProcs, &c.pidsMax, &c.pidsCurrent, &c.cpuProcs, &c.cpuUsage, &c.cpuUser, &c.cpuSys, &c.tasks[1], &c.tasks[2]} {
		f.close()
	}
}

// reuseLeft is the most a memory cgroup may hold charged from its last runs
// and be used again; past it, it is made anew. (A variable for tests.)
var reuseLeft Size = 512 * KiB

// pastReuse reports whether a memory cgroup charged with left bytes is made
// anew whatever a limit a page below the charge gives back: the charges the
// CPUs hold ahead for it (64 pages each at most) and a reclaim pass (32
// pages). Its limit is then not written: the reclaim would be for nothing,
// and the write runs before the run's result is returned (see
// Sandbox.release).
func pastReuse(left int64) bool {
	page := int64(os.Getpagesize())
	return left > int64(reuseLeft)+(64*int64(runtime.NumCPU())+32)*page
}

// recycle readies the memory cgroup for the next run in place. A memory
// cgroup made and removed a case costs the next case on a small machine (a
// trivial case at the default 1.05 against 0.95 ms, 0.58 against 0.44 ms of
// the harness's CPU; BenchmarkLaunch), so it is used again while what the
// last runs left charged there is at most reuseLeft and it saw no OOM kill
// (whose count never goes back); else it is made anew. What stays charged is
// kernel memory (slab: dentries, the dead tasks' objects; tens of KiB a run,
// some hundreds for a Go program) that no reclaim takes back, and the
// charges each CPU holds ahead for the cgroup (up to 64 pages a CPU), which
// its next charges there use first. The next run's peak and limit are
// counted from what is charged when it starts (see count), so a peak read in
// a cgroup used again can be short by what the CPUs held ahead then, and by
// what the runs before left that is freed during it (a dead task's last
// objects go after an RCU grace period): at most reuseLeft. A limit a page
// below the charge makes the kernel take back what every CPU holds ahead
// before it refuses (or takes) the limit; frees after that hold some again.
// Measured here, 60 runs each: /bin/true 512 KiB in 45 and 256 to 420 KiB in
// the rest (0 to 512 KiB without the limit; always 512 KiB in a new cgroup,
// whose first charge on a CPU takes the 64 pages), alloc 0 1.75 MiB in 40
// and 1.25 to 1.90 MiB in the rest (1.50 or 1.75 MiB in a new one).
// memory.force_empty would take back more, but drains every CPU's page lists
// too: 0.8 ms of the harness's CPU a case. The pids and cpuacct cgroups are
// used again as they are.
func (c *case1) recycle() bool {
	if ooms, err := c.memOOM.keys("oom_kill"); err == nil && ooms[0] == 0 {
		if left, err := c.memUsage.int(); err == nil && !pastReuse(left) {
			// A limit below the charge is refused (EBUSY) once nothing
			// could be given back; the run's limit is set again at reset.
			c.memLimit.set(strconv.FormatInt(left-int64(os.Getpagesize()), 10))
			if left, err := c.memUsage.int(); err == nil && left <= int64(reuseLeft) {
				c.counted = false
				return true
			}
		}
	}
	return false
}

// renew makes the memory cgroup anew, for one recycle refused.
func (c *case1) renew() error {
	c.closeMemory()
	c.counted, c.memBase, c.memSet = true, 0, -1
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

// memCharge is what a memory cgroup used again carries over from the runs
// before it (see case1.recycle, case2.recycle): the base its next run's
// peak and limit are counted from.
type memCharge struct {
	memBase int64 // what the last runs left charged
	counted bool  // memBase is what is charged now
}

// count resets an empty memory cgroup's peak, by writing reset to peak,
// and takes what is charged (usage) for the base of the next run's peak and
// limit. It is done at reset, a run after recycle (see minFree): the other
// CPUs give back what recycle asked of them soon after, and the objects of
// dead tasks are freed. With no task left the charge only falls, maybe
// between the reset and the look: the reset is repeated until the peak is
// the base.
func (m *memCharge) count(peak ctlFile, reset string, usage ctlFile) error {
	for range 3 {
		if err := peak.set(reset); err != nil {
			return err
		}
		base, err := usage.int()
		if err != nil {
			return err
		}
		p, err := peak.int()
		if err != nil {
			return err
		}
		if p <= base {
			m.memBase, m.counted = base, true
			return nil
		}
	}
	return errors.New("the memory charge of an empty cgroup keeps falling")
}

// peak is a peak read in the cgroup, less the base.
func (m *memCharge) peak(read int64) Size { return Size(max(read-m.memBase, 0)) }

func (c *case1) reset(l Limits) error {
	c.limits = l
	if !c.counted {
		if err := c.count(c.memPeak, "0", c.memUsage); err != nil {
			return fmt.Errorf("cgroup v1: %w", err)
		}
	}
	if err := c.cpuUsage.set("0"); err != nil {
		return fmt.Errorf("cgroup v1: %w", err)
	}
	return c.setLimits()
}

// setLimits sets the memory and task limits of the last reset. The memory
// limit is the run's own, above what the last runs left charged.
func (c *case1) setLimits() error {
	l := c.limits
	limit := int64(l.Memory) + c.memBase
	mem := strconv.FormatInt(limit, 10)
	// memsw may not be below memory's limit: a higher limit is set there
	// first, a lower one after.
	var errs []error
	raise := c.memswLimit.present() && c.memSet >= 0 && limit > c.memSet
	if raise {
		errs = append(errs, c.memswLimit.set(mem))
	}
	errs = append(errs, c.memLimit.set(mem))
	if l.Processes != c.pidsSet {
		c.pidsSet = -1
		if err := c.pidsMax.set(strconv.Itoa(l.Processes)); err != nil {
			errs = append(errs, err)
		} else {
			c.pidsSet = l.Processes
		}
	}
	// Without swap accounting the file is absent; with it, swap counts too.
	if c.memswLimit.present() && !raise {
		errs = append(errs, c.memswLimit.set(mem))
	}
	c.memSet = -1
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cgroup v1: set limits: %w", err)
	}
	c.memSet = limit
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
	c.pidsSet, c.memSet = -1, -1
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

// joinFiles are the three tasks files: a thread that moves itself alone
// takes no process-wide lock (see joinThread), and a child before its
// exec is a process of one thread.
func (c *case1) joinFiles() []int { return []int{c.tasks[0].fd, c.tasks[1].fd, c.tasks[2].fd} }

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

// memory is the peak of the run over the base counted at its reset (see
// count).
func (c *case1) memory() (Size, bool, bool) {
	peak, err := c.memPeak.int()
	if err != nil {
		return 0, false, false
	}
	ooms, _ := c.memOOM.keys("oom_kill")
	return c.peak(peak), ooms[0] > 0, true
}

func (c *case1) hasMemory() bool { return true }
func (c *case1) hasPids() bool   { return true }

func (c *case1) kill(deadline time.Time) error {
	// Every task of the run is in the pids cgroup: it was entered before the
	// program's first instruction and children inherit it.
	return killProcs(c.pidsDir, deadline)
}

// onlyLeader reads pids.current, which counts a task until it is reaped:
// a read of cgroup.procs, which never shows a zombie, takes a walk of its
// path (through a kept descriptor v1 may show a list it made before) and
// some 13 microseconds a case.
func (c *case1) onlyLeader() bool {
	n, err := c.pidsCurrent.int()
	return err == nil && n == 1 // 0: the leader left, so others may have
}

func (c *case1) remove() error {
	c.closeFiles()
	var errs []error
	for _, d := range c.dirs() {
		errs = append(errs, removeDir(d))
	}
	return errors.Join(errs...)
}
