package harness

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// MaxParallel is the most cases a plan may run at once.
const MaxParallel = 1024

// Plan is one run: the cases and every setting to cross them with.
type Plan struct {
	Cases      []scenarios.Case
	Limits     sandbox.Limits
	Models     []results.Model
	Measures   []results.Measure
	Parallel   []int
	GOMAXPROCS []int       // 0: the default
	Pin        results.Pin // "": off
	// CPUs are the CPUs worker slots may use (--cpus), each one of this
	// process's cpuset, isolated CPUs included; nil means the CPUs this
	// process may run on but the isolated ones. Pinned worker slots take
	// them in host.Spread order, slot i the i-th; unpinned ones run their
	// cases on all of them when they are given.
	CPUs []int
	// Placements are the orders pinned worker slots take CPUs in, each
	// measured as a setting of its own; nil: host.Spread.
	Placements []host.Strategy
	Repeat     int
	// FirstRepeat is the number of the first repetition; the samples of a
	// plan that continues another are numbered after it.
	FirstRepeat int
	Shuffle     bool
	Seed        int64 // of the shuffle
	// HarnessHold is memory the harness holds, touched, while it runs.
	HarnessHold sandbox.Size
	Cgroup      sandbox.CgroupMode
	// Isolation is the isolation level of the cases measured exact; ""
	// is the strongest the host allows. The distorting measure modes run
	// their cases at IsolationNone: their trap only shows for a child the
	// harness forks itself, the Go way.
	Isolation sandbox.Isolation
	UIDs      sandbox.UIDRange // of isolated cases, a uid per worker slot; zero: the default
	Disk      sandbox.Size     // an isolated case's working directory; 0: the default
	Env       []string         // added to an isolated case's environment, KEY=VALUE
	// Executor runs the cases; nil is judgebench's own sandbox. Another
	// executor (a judge of package judges) runs the serial and pool models
	// only, measured exact, unpinned: the rest is the sandbox's own.
	Executor Executor
	// Progress, if set, is called after every case; from one goroutine at a
	// time.
	Progress func(Progress)
}

// Progress is how far a run has come: cases done of the total, and the
// group of the case that just ended.
type Progress struct {
	Done, Total int
	Group       results.Key
}

// Settings returns the record of p's settings, with the limits in force.
func (p *Plan) Settings() results.Settings {
	var program []string
	if len(p.Cases) > 0 {
		program = p.Cases[0].Program
	}
	l := p.Limits.WithDefaults()
	var checker sandbox.Checker
	if len(p.Cases) > 0 {
		checker = p.Cases[0].Checker
	}
	s := results.Settings{
		Models: p.Models, Measure: p.Measures, Parallel: p.Parallel, GOMAXPROCS: p.GOMAXPROCS,
		Pin: cmp.Or(p.Pin, results.PinOff), Repeat: p.Repeat, Shuffle: p.Shuffle, Seed: p.Seed,
		CPUTime: l.CPUTime.String(), RealTime: l.RealTime.String(), Memory: l.Memory.String(),
		Output: l.Output.String(), Stack: l.Stack.String(), Processes: l.Processes,
		Program: program, Cgroup: string(cmp.Or(p.Cgroup, sandbox.CgroupAuto)), HarnessHold: int64(p.HarnessHold),
		Checker: checker.String(), Isolation: results.Isolation(cmp.Or(p.Isolation, sandbox.DefaultIsolation())),
		CPUs: host.FormatCPUList(p.CPUs),
	}
	if p.Executor != nil {
		s.Isolation, s.Cgroup = results.IsolationJudge, ""
	}
	return s
}

// sandboxOptions are the options of the Sandbox that runs p's cases at
// isolation level i.
func (p *Plan) sandboxOptions(i sandbox.Isolation) sandbox.Options {
	return sandbox.Options{Cgroup: p.Cgroup, Isolation: i, UIDs: p.UIDs, Disk: p.Disk, Env: p.Env}
}

// Validate reports the first thing in p that no run can do, as a usage error.
func (p *Plan) Validate() error {
	var errs []error
	if len(p.Cases) == 0 {
		errs = append(errs, errors.New("no cases"))
	}
	for _, m := range p.Models {
		if _, err := results.ParseModel(string(m)); err != nil {
			errs = append(errs, err)
		}
	}
	for _, m := range p.Measures {
		if _, err := results.ParseMeasure(string(m)); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := results.ParsePin(string(p.Pin)); p.Pin != "" && err != nil {
		errs = append(errs, err)
	}
	if _, err := sandbox.ParseIsolation(string(p.Isolation)); p.Isolation != "" && err != nil {
		errs = append(errs, err)
	}
	for _, n := range p.Parallel {
		if n < 1 || n > MaxParallel {
			errs = append(errs, fmt.Errorf("parallelism %d: must be 1 to %d", n, MaxParallel))
		}
	}
	if len(p.CPUs) > 0 {
		if _, err := host.WorkerCPUs(p.CPUs); err != nil {
			errs = append(errs, fmt.Errorf("cpus: %w", err))
		}
	}
	for _, n := range p.GOMAXPROCS {
		if n < 0 {
			errs = append(errs, fmt.Errorf("GOMAXPROCS %d: must be 0 (the default) or more", n))
		}
	}
	if slices.Contains(p.Models, results.InProc) {
		errs = append(errs, inProcessable(p.Cases))
	}
	if len(p.Models) == 0 || len(p.Measures) == 0 || len(p.Parallel) == 0 || len(p.GOMAXPROCS) == 0 {
		errs = append(errs, errors.New("models, measure modes, parallelism and GOMAXPROCS each need a value"))
	} else if errors.Join(errs...) == nil && len(p.settings()) == 0 {
		errs = append(errs, errors.New("nothing to run: inproc measures only exact (add --measure exact or another model)"))
	}
	if p.Executor != nil {
		errs = append(errs, p.judgeable())
	}
	if errors.Join(errs...) == nil {
		errs = append(errs, checkInputs(p.Cases))
		if p.Executor == nil { // another judge may run its cases elsewhere
			errs = append(errs, p.fits(host.ReadCapacity()))
		}
	}
	return errors.Join(errs...)
}

// judgeable reports what of p only the sandbox can do, when another
// executor is to run it.
func (p *Plan) judgeable() error {
	name := executorName(p.Executor)
	for _, m := range p.Models {
		if m == results.InProc || m == results.Process {
			return fmt.Errorf("model %s: only judgebench's sandbox runs it, not the executor %s (use serial or pool)", m, name)
		}
	}
	for _, m := range p.Measures {
		if m != results.Exact {
			return fmt.Errorf("measure %s: only judgebench's sandbox measures that way, not the executor %s (use exact)", m, name)
		}
	}
	if p.Pin != "" && p.Pin != results.PinOff {
		return fmt.Errorf("pin %s: only judgebench's sandbox pins cases, not the executor %s (configure the judge's own CPUs)", p.Pin, name)
	}
	if p.HarnessHold > 0 {
		return fmt.Errorf("the harness's held memory only matters to judgebench's sandbox, not the executor %s", name)
	}
	return nil
}

// checkInputs reports the first case whose input or expected output is a file that
// is not a regular file: a named pipe, whose reads may never end, a device, a
// directory.
func checkInputs(cases []scenarios.Case) error {
	for _, c := range cases {
		for _, f := range []string{c.StdinFile, c.ExpectFile} {
			if f == "" {
				continue
			}
			if err := sandbox.CheckInput(f); err != nil {
				return fmt.Errorf("case %s: %w", c.Name, err)
			}
		}
	}
	return nil
}

// fits reports a parallelism of p whose cases the machine cannot hold at
// once: the memory limits of that many cases (and what the harness itself
// holds) beyond the memory that can still be had, or their task limits beyond
// the tasks that can still be made. A run that oversubscribes the CPUs is
// allowed: that is a setting to measure. One case at a time always is: its
// limit is an upper bound that it cannot reach, not a need.
func (p *Plan) fits(c host.Capacity) error {
	n := 0
	for _, st := range p.settings() {
		n = max(n, min(st.parallel, len(p.Cases)))
	}
	if n < 2 {
		return nil
	}
	if uids := cmp.Or(p.UIDs, sandbox.DefaultUIDs); p.Isolation != sandbox.IsolationNone && n > uids.Count {
		return fmt.Errorf("parallelism %d: %d cases at once need as many uids, more than the %d of the range %v; run fewer at once, or give a wider --uids",
			n, n, uids.Count, uids)
	}
	l := p.Limits.WithDefaults()
	if need := sandbox.Size(n)*l.Memory + p.HarnessHold; c.Memory > 0 && need > c.Memory {
		return fmt.Errorf("parallelism %d: %d cases at once under a memory limit of %v need %s, more than the %s that can be had (%s); run fewer at once, or lower the memory limit",
			n, n, l.Memory, gib(need), gib(c.Memory), c.MemoryFrom)
	}
	if need := n * l.Processes; c.Tasks > 0 && need > c.Tasks {
		return fmt.Errorf("parallelism %d: %d cases at once of up to %d tasks each need %d tasks, more than the %d that can be made (%s); run fewer at once, or lower the process limit",
			n, n, l.Processes, need, c.Tasks, c.TasksFrom)
	}
	return nil
}

// Fitting returns n, or less when the machine cannot hold n cases under l at
// once (see Plan.Validate); at least 1. It is for a default parallelism,
// which should fit where an explicit one that does not is refused.
func Fitting(l sandbox.Limits, n int) int {
	c := host.ReadCapacity()
	l = l.WithDefaults()
	if c.Memory > 0 {
		n = min(n, int(c.Memory/l.Memory))
	}
	if c.Tasks > 0 {
		n = min(n, c.Tasks/l.Processes)
	}
	return max(n, 1)
}

// gib prints a size in GiB to a tenth.
func gib(s sandbox.Size) string { return fmt.Sprintf("%.1fGiB", float64(s)/float64(sandbox.GiB)) }

// inProcessable reports a case the inproc model cannot run: an external
// program, or a built-in workload that would take the harness down with it.
func inProcessable(cases []scenarios.Case) error {
	for _, c := range cases {
		if c.Workload == "" {
			return fmt.Errorf("case %s: the inproc model runs built-in workloads only, not the program %q", c.Name, strings.Join(c.Program, " "))
		}
		if w, ok := scenarios.Lookup(c.Workload); !ok || !w.InProcess {
			return fmt.Errorf("case %s: workload %q cannot run in-process (it would take the harness down)", c.Name, c.Workload)
		}
		if c.Checker.Kind == sandbox.KindProgram {
			return fmt.Errorf("case %s: the inproc model compares output itself: it cannot run the checker program %s", c.Name, c.Checker.Program)
		}
	}
	return nil
}

// setting is one group's scheduling: a model with one value of each sweep.
type setting struct {
	model      results.Model
	measure    results.Measure
	parallel   int
	gomaxprocs int
	pinned     bool
	placement  host.Strategy     // of a pinned setting
	isolation  results.Isolation // what the harness ran it at
	executor   string            // what ran its cases: sandbox, or a judge's name
}

// key is the group key of st.
func (st setting) key() results.Key {
	return results.Key{Model: st.model, Measure: st.measure, Parallelism: st.parallel, GOMAXPROCS: st.gomaxprocs,
		Pinned: st.pinned, Placement: string(st.placement), Isolation: st.isolation, Executor: st.executor}
}

// placements are the orders pinned worker slots take CPUs in.
func (p *Plan) placements() []host.Strategy {
	if len(p.Placements) == 0 {
		return []host.Strategy{host.Spread}
	}
	return p.Placements
}

// settings crosses the plan's sweeps, leaving out the meaningless ones: serial
// runs one case at a time, and inproc measures its own way (exact only).
// GOMAXPROCS 0 is the default's value, and a setting given twice runs once.
// Serial comes first, so its verdicts can be the reference of the rest.
func (p *Plan) settings() []setting {
	var out []setting
	models := slices.Clone(p.Models)
	slices.SortStableFunc(models, func(a, b results.Model) int {
		return boolInt(b == results.Serial) - boolInt(a == results.Serial)
	})
	for _, m := range models {
		for _, ms := range p.Measures {
			if m == results.InProc && ms != results.Exact {
				continue
			}
			parallel := p.Parallel
			if m == results.Serial {
				parallel = []int{1} // one case at a time, whatever the sweep
			}
			for _, n := range parallel {
				for _, g := range p.GOMAXPROCS {
					if g == 0 {
						g = host.DefaultGOMAXPROCS()
					}
					for _, pin := range p.Pin.Pinned() {
						placements := []host.Strategy{""}
						if pin {
							placements = p.placements()
						}
						for _, pl := range placements {
							st := setting{m, ms, n, g, pin, pl, "", executorName(p.Executor)}
							if !slices.Contains(out, st) {
								out = append(out, st)
							}
						}
					}
				}
			}
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
