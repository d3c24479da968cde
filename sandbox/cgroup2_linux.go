package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgroup2 is a directory of its own in the unified hierarchy, under the
// judgebench parent cgroup (see parentName). A case enters its cgroup at clone
// time (CLONE_INTO_CGROUP), so not one instruction of it runs outside.
type cgroup2 struct {
	top, parent, root string   // the delegated cgroup, top/judgebench, parent/tag
	inLeaf            bool     // this Sandbox relies on the process's stay in a leaf: see leaf
	controllers       []string // controllers the cases get: memory, pids
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
	dir := mounts[i].Path(own[""])
	top := DelegatedCgroup(mounts[i], own[""], writable)
	if top == "" {
		return nil, fmt.Errorf("cgroup v2: %s is not writable", dir)
	}
	g := &cgroup2{top: top, parent: filepath.Join(top, parentName), inLeaf: leaf.join(dir)}
	g.root = filepath.Join(g.parent, tag)
	// Another process that leaves its leaf may remove the parent meanwhile:
	// then try again.
	for try := 0; ; try++ {
		err = g.delegate(requireAll)
		if err == nil || !errors.Is(err, fs.ErrNotExist) || try == 2 {
			break
		}
		unix.Rmdir(g.root)
	}
	if err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// delegate makes g.root with the memory and pids controllers that can be had
// for the cases under it; with requireAll, both or an error.
func (g *cgroup2) delegate(requireAll bool) error {
	avail := g.available()
	if requireAll && !(slices.Contains(avail, "memory") && slices.Contains(avail, "pids")) {
		return fmt.Errorf("cgroup v2: %s lacks the memory and pids controllers", g.top)
	}
	want := slices.DeleteFunc([]string{"memory", "pids"}, func(c string) bool { return !slices.Contains(avail, c) })
	if err := os.Mkdir(g.parent, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("cgroup v2: %w", err)
	}
	g.controllers = g.enable(want)
	if requireAll && len(g.controllers) < 2 {
		return fmt.Errorf("cgroup v2: cannot enable memory and pids in %s (other processes in it?)", g.top)
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
	data, _ := os.ReadFile(filepath.Join(g.top, "cgroup.controllers"))
	return strings.Fields(string(data))
}

// enabledIn lists the controllers of want that dir enables for its children.
func enabledIn(dir string, want []string) []string {
	data, _ := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	on := strings.Fields(string(data))
	return slices.DeleteFunc(slices.Clone(want), func(c string) bool { return !slices.Contains(on, c) })
}

// enable turns the controllers of want on for the children of g.top, memory
// first, then of g.parent, and returns those that are on in both. g.top must
// hold no process first (see vacate): a domain controller (memory) cannot be
// enabled in a cgroup with processes, and a threaded one (pids) can, but
// then turns it into a thread root, below which no cgroup can take memory or
// processes. g.parent never holds one: judgebench processes that leave g.top
// go into leaves under it.
func (g *cgroup2) enable(want []string) []string {
	if on := enabledIn(g.top, want); len(on) < len(want) && g.vacate() == nil {
		enableIn(g.top, want)
	}
	on := enabledIn(g.top, want)
	enableIn(g.parent, on)
	return enabledIn(g.parent, on)
}

// enableIn writes each controller of want that dir does not enable for its
// children yet to its cgroup.subtree_control, in order, until one fails.
func enableIn(dir string, want []string) {
	sub := filepath.Join(dir, "cgroup.subtree_control")
	for _, c := range want {
		if len(enabledIn(dir, []string{c})) == 0 && writeFile(sub, "+"+c) != nil {
			return
		}
	}
}

// vacate empties g.top of processes, unless it is the root cgroup, which may
// keep them: this process moves into a leaf cgroup under g.parent, as
// delegating managers do (see leaf); other processes must leave on their own.
// When they are judgebench processes on their way into leaves of their own,
// they do within a moment, so it waits a while before giving up.
func (g *cgroup2) vacate() error {
	if !fileExists(filepath.Join(g.top, "cgroup.type")) {
		return nil // the root
	}
	deadline := time.Now().Add(enableWait)
	for {
		pids, err := procs(g.top)
		switch {
		case err != nil:
			return err
		case len(pids) == 0:
			return nil
		case !g.inLeaf && slices.Contains(pids, os.Getpid()):
			if err := leaf.enter(g.top, g.parent); err != nil {
				return err
			}
			g.inLeaf = true
			continue
		case time.Now().After(deadline):
			return fmt.Errorf("cgroup v2: %s holds other processes: %v", g.top, pids)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// enableWait is how long vacate waits for other processes to leave.
const enableWait = 100 * time.Millisecond

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
	if g.inLeaf {
		g.inLeaf = false
		err = errors.Join(err, leaf.exit())
	}
	return err
}

func (g *cgroup2) newCase(name string, l Limits) (caseGroup, error) {
	c := &case2{
		dir:     filepath.Join(g.root, name),
		mem:     slices.Contains(g.controllers, "memory"),
		pids:    slices.Contains(g.controllers, "pids"),
		fd:      -1,
		pidsSet: -1,

		memCharge: memCharge{counted: true},
	}
	if err := c.make(); err != nil {
		c.remove()
		return nil, err
	}
	if err := c.reset(l); err != nil {
		c.remove()
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	return c, nil
}

// case2 is one run's cgroup in the unified hierarchy, with the files a run
// uses kept open.
type case2 struct {
	dir       string
	fd        int
	mem, pids bool
	killed    bool // cgroup.kill was written: see kill
	// base is cpu.stat before this run: its counters only grow.
	base cpuStat

	procs, cpuStat                      ctlFile
	memMax, swapMax, memPeak, memEvents ctlFile // swap absent without swap
	memCurrent, memHigh                 ctlFile
	pidsMax                             ctlFile
	pidsSet                             int // what pids.max was last set to, or -1

	memCharge
	noReset bool // this kernel cannot reset memory.peak: the cgroup is made anew
}

// make makes the cgroup's directory and opens it and its files.
func (c *case2) make() error {
	if err := os.Mkdir(c.dir, 0o755); err != nil {
		return fmt.Errorf("cgroup v2: %w", err)
	}
	fd, err := unix.Open(c.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("cgroup v2: %w", err)
	}
	c.fd = fd
	var o ctlOpener
	c.procs = o.open(c.dir, "cgroup.procs")
	c.cpuStat = o.open(c.dir, "cpu.stat")
	if c.mem {
		c.memMax = o.open(c.dir, "memory.max")
		c.swapMax = o.openIfThere(c.dir, "memory.swap.max")
		c.memPeak = o.open(c.dir, "memory.peak")
		c.memEvents = o.open(c.dir, "memory.events")
		c.memCurrent = o.open(c.dir, "memory.current")
		c.memHigh = o.open(c.dir, "memory.high")
	}
	if c.pids {
		c.pidsMax = o.open(c.dir, "pids.max")
	}
	if err := o.done(); err != nil {
		return fmt.Errorf("cgroup v2: %w", err)
	}
	return nil
}

// closeFiles closes the cgroup's files and directory.
func (c *case2) closeFiles() {
	for _, f := range []*ctlFile{&c.procs, &c.cpuStat, &c.memMax, &c.swapMax, &c.memPeak, &c.memEvents, &c.memCurrent, &c.memHigh, &c.pidsMax} {
		f.close()
	}
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
}

// cpuStat is the CPU time of cpu.stat: usage_usec, and its user and system
// shares (user_usec, system_usec), which the kernel scales from tick samples
// so that they add up to usage.
type cpuStat struct{ usage, user, sys time.Duration }

// recycle readies the cgroup for the next run in place. One that was killed
// is made anew (see renew): some kernels kill what is cloned into a killed
// cgroup (see kill). A memory cgroup is used again as on v1 (see
// case1.recycle) where the kernel resets memory.peak (Linux 6.12: a write
// resets the peak read through that descriptor to the charge then): while
// the last runs left at most reuseLeft charged and no OOM kill
// (memory.events' oom_kill only grows); the next run's peak and limit are
// counted from what is charged as it starts (see count). A memory.high a
// page below the charge makes the kernel give back what the CPUs hold ahead
// for the cgroup before it reclaims (a limit below the charge, memory.max,
// would count an OOM event).
func (c *case2) recycle() bool {
	return !c.mem && !c.killed || !c.killed && c.reuse()
}

// renew makes the cgroup anew, for one recycle refused.
func (c *case2) renew() error {
	c.closeFiles()
	if err := removeDir(c.dir); err != nil {
		return err
	}
	c.killed, c.pidsSet, c.memBase, c.counted = false, -1, 0, true
	return c.make()
}

// reuse reports whether the memory cgroup may serve the next run (see
// recycle), and asks the CPUs to give back what they hold for it.
func (c *case2) reuse() bool {
	if c.noReset {
		return false
	}
	if err := c.memPeak.set("reset"); err != nil {
		c.noReset = true // read-only before Linux 6.12, or not ours to write
		return false
	}
	if ooms, err := c.memEvents.keys("oom_kill"); err != nil || ooms[0] > 0 {
		return false
	}
	left, err := c.memCurrent.int()
	if err != nil || pastReuse(left) {
		return false
	}
	if c.memHigh.present() {
		c.memHigh.set(strconv.FormatInt(left-int64(os.Getpagesize()), 10))
		if c.memHigh.set("max") != nil {
			return false
		}
		if left, err = c.memCurrent.int(); err != nil {
			return false
		}
	}
	if left > int64(reuseLeft) {
		return false
	}
	c.counted = false
	return true
}

func (c *case2) reset(l Limits) error {
	var errs []error
	if c.mem && !c.counted {
		if err := c.count(c.memPeak, "reset", c.memCurrent); err != nil {
			return err
		}
	}
	if c.mem {
		errs = append(errs, c.memMax.set(strconv.FormatInt(int64(l.Memory)+c.memBase, 10)))
		if c.swapMax.present() {
			errs = append(errs, c.swapMax.set("0"))
		}
	}
	if c.pids && l.Processes != c.pidsSet {
		c.pidsSet = -1
		err := c.pidsMax.set(strconv.Itoa(l.Processes))
		if err == nil {
			c.pidsSet = l.Processes
		}
		errs = append(errs, err)
	}
	c.base, _ = c.stat()
	return errors.Join(errs...)
}

func (c *case2) cloneFD() int { return c.fd }

// threadJoins: a thread alone cannot move on v2 (but in a threaded cgroup),
// so joinThread is never called.
func (c *case2) threadJoins() bool  { return false }
func (c *case2) joinThread() error  { return errors.New("cgroup v2: a thread cannot move alone") }
func (c *case2) leaveThread() error { return nil }

// joinFiles is cgroup.procs, where a child's move takes the process-wide
// lock an attach at the exec stop takes too.
func (c *case2) joinFiles() []int { return []int{c.procs.fd} }

// attach moves pid into the cgroup, through its file opened before (the
// caller may be a thread in a box); a program started into it by clone3
// needs none.
func (c *case2) attach(pid int) error {
	if err := c.procs.set(strconv.Itoa(pid)); err != nil {
		return fmt.Errorf("cgroup v2: attach: %w", err)
	}
	return nil
}
func (c *case2) hasMemory() bool { return c.mem }
func (c *case2) hasPids() bool   { return c.pids }

func (c *case2) stat() (cpuStat, error) {
	keys, err := c.cpuStat.keys("usage_usec", "user_usec", "system_usec")
	return cpuStat{time.Duration(keys[0]) * time.Microsecond, time.Duration(keys[1]) * time.Microsecond,
		time.Duration(keys[2]) * time.Microsecond}, err
}

func (c *case2) cpu() (time.Duration, error) {
	us, err := c.cpuStat.keys("usage_usec")
	return time.Duration(us[0])*time.Microsecond - c.base.usage, err
}

func (c *case2) split() (user, sys time.Duration, ok bool) {
	st, err := c.stat()
	return st.user - c.base.user, st.sys - c.base.sys, err == nil
}

func (c *case2) memory() (Size, bool, bool) {
	if !c.mem {
		return 0, false, false
	}
	peak, err := c.memPeak.int()
	if err != nil {
		return 0, false, false
	}
	ooms, _ := c.memEvents.keys("oom_kill")
	return c.peak(peak), ooms[0] > 0, true
}

func (c *case2) kill(deadline time.Time) error {
	if data, err := c.procs.read(); err == nil && len(bytes.TrimSpace(data)) == 0 {
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

// onlyLeader is false: kill's first read, of cgroup.procs through its kept
// descriptor, is as cheap.
func (c *case2) onlyLeader() bool { return false }

func (c *case2) remove() error {
	c.closeFiles()
	return removeDir(c.dir)
}
