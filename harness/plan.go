package harness

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// The scheduling models. The pitfall variants do what their pitfall does, on
// purpose: they lose errors, and the groups count how many.
const (
	Serial     = "serial"          // one case at a time: the reference
	Pool       = "pool"            // N goroutine workers, each running sandboxed children
	Process    = "process"         // one judgebench worker process per case, the case sent as JSON
	InProc     = "inproc"          // the built-in workload's Go code in a goroutine of the harness
	FireForget = "pool-fireforget" // a failed case's result is dropped
	FirstErr   = "pool-firsterr"   // only the first error survives, as with errgroup's Wait
	ExitBlind  = "pool-exitblind"  // exit status and signal ignored: only the output is compared
)

// Models lists every model, correct ones first.
func Models() []string {
	return []string{Serial, Pool, Process, InProc, FireForget, FirstErr, ExitBlind}
}

// The measure modes.
const (
	Exact          = "exact"           // the sandbox's own figures
	RusageChildren = "rusage-children" // CPU as a delta of getrusage(RUSAGE_CHILDREN) around the case
	RUMaxRSS       = "ru-maxrss"       // memory as the raw ru_maxrss of the child
)

// Measures lists every measure mode.
func Measures() []string { return []string{Exact, RusageChildren, RUMaxRSS} }

// Plan is one run: the cases and every setting to cross them with.
type Plan struct {
	Cases      []scenarios.Case
	Limits     sandbox.Limits
	Models     []string
	Measures   []string
	Parallel   []int
	GOMAXPROCS []int  // 0: the default
	Pin        []bool // from off (false), on (true), both
	Repeat     int
	Shuffle    bool
	Seed       int64 // of the shuffle
	// HarnessHold is memory the harness holds, touched, while it runs.
	HarnessHold sandbox.Size
	Cgroup      sandbox.CgroupMode
	// Progress, if set, is called after every case with the cases done and
	// the total; from one goroutine at a time.
	Progress func(done, total int)
}

// Validate reports the first thing in p that no run can do, as a usage error.
func (p *Plan) Validate() error {
	var errs []error
	if len(p.Cases) == 0 {
		errs = append(errs, errors.New("no cases"))
	}
	for _, m := range p.Models {
		if !slices.Contains(Models(), m) {
			errs = append(errs, fmt.Errorf("unknown model %q (use %s)", m, strings.Join(Models(), ", ")))
		}
	}
	for _, m := range p.Measures {
		if !slices.Contains(Measures(), m) {
			errs = append(errs, fmt.Errorf("unknown measure mode %q (use %s)", m, strings.Join(Measures(), ", ")))
		}
	}
	for _, n := range p.Parallel {
		if n < 1 {
			errs = append(errs, fmt.Errorf("parallelism %d: must be at least 1", n))
		}
	}
	for _, n := range p.GOMAXPROCS {
		if n < 0 {
			errs = append(errs, fmt.Errorf("GOMAXPROCS %d: must be 0 (the default) or more", n))
		}
	}
	if slices.Contains(p.Models, InProc) {
		errs = append(errs, inProcessable(p.Cases))
	}
	if len(p.Models) == 0 || len(p.Measures) == 0 || len(p.Parallel) == 0 || len(p.GOMAXPROCS) == 0 || len(p.Pin) == 0 {
		errs = append(errs, errors.New("models, measure modes, parallelism, GOMAXPROCS and pinning each need a value"))
	} else if errors.Join(errs...) == nil && len(p.settings()) == 0 {
		errs = append(errs, errors.New("nothing to run: inproc measures only exact (add --measure exact or another model)"))
	}
	return errors.Join(errs...)
}

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
	}
	return nil
}

// setting is one group's scheduling: a model with one value of each sweep.
type setting struct {
	model, measure string
	parallel       int
	gomaxprocs     int
	pinned         bool
}

// settings crosses the plan's sweeps, leaving out the meaningless ones: serial
// runs one case at a time, and inproc measures its own way (exact only).
// GOMAXPROCS 0 is the default's value, and a setting given twice runs once.
// Serial comes first, so its verdicts can be the reference of the rest.
func (p *Plan) settings() []setting {
	var out []setting
	models := slices.Clone(p.Models)
	slices.SortStableFunc(models, func(a, b string) int {
		return boolInt(b == Serial) - boolInt(a == Serial)
	})
	for _, m := range models {
		for _, ms := range p.Measures {
			if m == InProc && ms != Exact {
				continue
			}
			parallel := p.Parallel
			if m == Serial {
				parallel = []int{1} // one case at a time, whatever the sweep
			}
			for _, n := range parallel {
				for _, g := range p.GOMAXPROCS {
					if g == 0 {
						g = gomaxprocsDefault
					}
					for _, pin := range p.Pin {
						if st := (setting{m, ms, n, g, pin}); !slices.Contains(out, st) {
							out = append(out, st)
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
