package harness

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// Calibration configures Calibrate.
type Calibration struct {
	Durations []time.Duration // CPU times the burn workload spends; default 10ms, 100ms, 1s
	Parallel  []int           // cases at once; default 1 and the CPU count
	Repeat    int             // runs of each duration at each parallelism; default 5
	Tolerance float64         // allowed error as a fraction of the program's own clock; default 0.01
	// Floor is the error always allowed, whatever the tolerance: a process's
	// CPU time includes its exit, after its last look at its own clock, which
	// costs a Go program 0.5 to 1ms of CPU on one development machine and
	// 2.2 to 2.4ms on a slower one. Default: twice the burn program's exit
	// as measured on this host outside any judge (see Calibrator.ExitCost),
	// and at least 2ms. In a box the exit costs more: on the slower machine
	// the error of judgebench's sandbox was 2.3 to 2.5ms at isolation none,
	// the plain exit's, and 2.4 to 3.6ms at namespaces, with or without
	// cgroups.
	Floor time.Duration
	// Kernel are the CPU times of burns that spend most of their time in
	// the kernel, at every parallelism; default 100ms.
	Kernel    []time.Duration
	Cgroup    sandbox.CgroupMode
	Isolation sandbox.Isolation // "": the strongest the host allows
	// Executor runs the burns; nil is a sandbox of Cgroup and Isolation.
	Executor Executor
	// NoLimits leaves out the limit checks.
	NoLimits bool
	// Progress, if set, is called after every burn; from one goroutine at a
	// time.
	Progress func(Progress)
}

func (c *Calibration) defaults() {
	if len(c.Durations) == 0 {
		c.Durations = []time.Duration{10 * time.Millisecond, 100 * time.Millisecond, time.Second}
	}
	if len(c.Parallel) == 0 {
		c.Parallel = slices.Compact([]int{1, host.DefaultGOMAXPROCS()})
	}
	if c.Repeat <= 0 {
		c.Repeat = 5
	}
	if c.Tolerance == 0 {
		c.Tolerance = 0.01
	}
	if c.Kernel == nil {
		c.Kernel = []time.Duration{100 * time.Millisecond}
	}
}

// Calibrator runs a calibration: a [Job] whose samples are the burns.
type Calibrator struct {
	c   Calibration
	sb  *sandbox.Sandbox // its own, when no Executor was given
	ex  Executor
	exe string
	// Points are the calibration's findings, in the order run: by
	// parallelism, then duration (the kernel burns last).
	Points []results.CalibrationPoint
	// Limits are the limit checks, in the order run.
	Limits []results.LimitCheck
	// ExitCost is the CPU time the burn program spends after its last look
	// at its own clock, its exit above all, as a plain fork, exec and wait
	// of it on this host count it (the median of exitRuns runs): the part
	// of the error that is no judge's. Zero when the floor was given.
	ExitCost time.Duration
	done     int // burns recorded
}

// Floor is the error always allowed (see Calibration.Floor).
func (k *Calibrator) Floor() time.Duration { return k.c.Floor }

// total is the number of burns the calibration runs.
func (k *Calibrator) total() int {
	n := 0
	for _, par := range k.c.Parallel {
		n += par * k.c.Repeat * (len(k.c.Durations) + len(k.c.Kernel))
	}
	if !k.c.NoLimits {
		n += len(limitChecks(k.checkMemory()))
	}
	return n
}

// NewCalibrator prepares the calibration c: its defaults filled in, a
// sandbox of its own. Close releases it.
func NewCalibrator(c Calibration) (*Calibrator, error) {
	c.defaults()
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("harness: find this binary: %w", err)
	}
	k := &Calibrator{c: c, ex: c.Executor, exe: exe}
	if k.c.Floor == 0 {
		if k.ExitCost, err = exitCost(exe); err != nil {
			return nil, err
		}
		k.c.Floor = max(2*time.Millisecond, 2*k.ExitCost)
	}
	if c.Executor != nil {
		return k, nil
	}
	if k.sb, err = sandbox.New(sandbox.Options{Cgroup: c.Cgroup, Isolation: c.Isolation}); err != nil {
		return nil, err
	}
	k.ex = k.sb
	return k, nil
}

// exitRuns is how many plain runs of the burn program exitCost takes the
// median of.
const exitRuns = 5

// exitCost is the CPU time the burn program (exe) spends after its last look
// at its own clock: its rusage after a plain fork, exec and wait, less the
// process clock it printed (which counts all but its exit, and the little
// Go's fork does in the child before the exec); the median of exitRuns.
func exitCost(exe string) (time.Duration, error) {
	costs := make([]time.Duration, exitRuns)
	for i := range costs {
		cmd := exec.Command(exe, append(slices.Clone(scenarios.SelfArgs), "burn", "10ms")...)
		out, err := cmd.Output()
		var clocks scenarios.BurnClocks
		if err == nil {
			clocks, err = scenarios.ParseBurn(string(out))
		}
		if err != nil {
			return 0, fmt.Errorf("harness: calibrate: the burn program's exit: %w", err)
		}
		costs[i] = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime() - clocks.Process
	}
	return medianDur(costs), nil
}

// Close releases the calibrator's sandbox, if it made one.
func (k *Calibrator) Close() error {
	if k.sb == nil {
		return nil
	}
	return k.sb.Close()
}

// Machine describes this host and the calibrator's sandbox or judge.
func (k *Calibrator) Machine() results.Machine {
	m := machine(k.sb)
	m.Judge = describe(k.c.Executor)
	return m
}

// Settings returns the record of the calibration's settings.
func (k *Calibrator) Settings() results.Settings {
	var models []results.Model
	for _, par := range k.c.Parallel {
		models = append(models, k.key(par).Model)
	}
	s := results.Settings{Models: slices.Compact(models), Measure: []results.Measure{results.Exact},
		Parallel: k.c.Parallel, GOMAXPROCS: []int{host.DefaultGOMAXPROCS()}, Pin: results.PinOff, Repeat: k.c.Repeat,
		Cgroup: string(cmp.Or(k.c.Cgroup, sandbox.CgroupAuto)), Isolation: k.key(1).Isolation}
	if k.c.Executor != nil {
		s.Cgroup = "" // the judge's own
	}
	return s
}

// Run runs the burn workload at known CPU times, one at a time and several
// at once, and finds how far the sandbox's cpu_time is from each program's
// own clock, and the real time it adds (Points). Each burn also goes to sink
// as a sample (model serial or pool, case burn-DURATION), so that a run
// directory of calibrations can be compared over time.
func (k *Calibrator) Run(ctx context.Context, sink Sink) (map[results.Key]results.GroupInfo, error) {
	info := map[results.Key]results.GroupInfo{}
	for _, par := range k.c.Parallel {
		for i, d := range append(slices.Clone(k.c.Durations), k.c.Kernel...) {
			p, elapsed, err := k.point(ctx, d, par, i >= len(k.c.Durations), sink)
			if err != nil {
				return info, err
			}
			key := k.key(par)
			gi := info[key]
			gi.Elapsed += elapsed
			info[key] = gi
			k.Points = append(k.Points, p)
		}
	}
	if k.c.NoLimits {
		return info, nil
	}
	for i, lc := range limitChecks(k.checkMemory()) {
		c, err := k.limit(ctx, lc, i, sink)
		if err != nil {
			return info, err
		}
		k.Limits = append(k.Limits, c)
	}
	return info, nil
}

// key is the group key of the burns run par at once.
func (k *Calibrator) key(par int) results.Key {
	model := results.Serial
	if par > 1 {
		model = results.Pool
	}
	key := results.Key{Model: model, Measure: results.Exact, Parallelism: par, GOMAXPROCS: host.DefaultGOMAXPROCS(),
		Isolation: results.IsolationJudge, Executor: executorName(k.c.Executor)}
	if k.sb != nil {
		key.Isolation = results.Isolation(k.sb.Isolation())
	}
	return key
}

// point runs burn d, Repeat times with par at once, and sums it up.
func (k *Calibrator) point(ctx context.Context, d time.Duration, par int, kernel bool, sink Sink) (results.CalibrationPoint, time.Duration, error) {
	c := &k.c
	p := results.CalibrationPoint{Burn: d, Parallelism: par, Kernel: kernel}
	name := "burn-" + d.String()
	if kernel {
		name += "-kernel"
	}
	var own, measured, overhead, errs []time.Duration
	start := time.Now()
	for rep := range c.Repeat {
		runs, err := burnTogether(ctx, k.ex, k.exe, d, par, kernel)
		if err != nil {
			return p, 0, err
		}
		for slot, r := range runs {
			own, measured = append(own, r.own), append(measured, r.res.CPUTime)
			overhead = append(overhead, r.res.RealTime-r.res.CPUTime-r.delay)
			e := r.res.CPUTime - r.own
			errs = append(errs, e)
			if e.Abs() > p.WorstError.Abs() {
				p.WorstError = e
			}
			o := fromResult(r.res, false)
			key := k.key(par)
			st := setting{model: key.Model, measure: key.Measure, parallel: par, gomaxprocs: key.GOMAXPROCS, isolation: key.Isolation, executor: key.Executor}
			s := o.sample(name, st, rep, slot, rep*par+slot, r.began.Sub(start), 0)
			if err := sink.Add(s); err != nil {
				return p, 0, err
			}
			k.done++
			if c.Progress != nil {
				c.Progress(Progress{Done: k.done, Total: k.total(), Group: s.Key()})
			}
		}
	}
	p.N, p.Own, p.Measured, p.Overhead = len(own), medianDur(own), medianDur(measured), medianDur(overhead)
	p.Error = medianDur(errs)
	p.Allowed = max(time.Duration(c.Tolerance*float64(p.Own)), c.Floor)
	p.OK = p.Error.Abs() <= p.Allowed
	return p, time.Since(start), nil
}

// burnRun is one burn and the clocks it reported of itself.
type burnRun struct {
	res        *sandbox.Result
	own, delay time.Duration
	began      time.Time
}

// burnTogether runs par burns of d at once (in the kernel, if kernel).
func burnTogether(ctx context.Context, sb Executor, exe string, d time.Duration, par int, kernel bool) ([]burnRun, error) {
	runs := make([]burnRun, par)
	errs := make([]error, par)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			var out bytes.Buffer
			runs[i].began = time.Now()
			args := append(append([]string{}, scenarios.SelfArgs...), "burn", d.String())
			if kernel {
				args = append(args, "kernel")
			}
			r := sb.Run(ctx, &sandbox.Command{Path: exe, Args: args, Stdout: &out, Slot: i,
				Limits: sandbox.Limits{CPUTime: d + 2*time.Second, Memory: burnMemory, Stack: burnStack}})
			runs[i].res = r
			clocks, err := scenarios.ParseBurn(out.String())
			if r.Verdict != sandbox.Accepted || err != nil {
				line, _, _ := strings.Cut(strings.TrimSpace(string(r.Stderr)), "\n")
				errs[i] = fmt.Errorf("harness: calibrate: burn %v = %v %s (printed %q, stderr %q)", d, r.Verdict, r.Error, out.String(), line)
			}
			// The process clock counts from the fork; what came before the
			// program's exec (a launcher) is the harness's.
			runs[i].own, runs[i].delay = clocks.Process-r.LaunchCPU, clocks.Delay
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return runs, nil
}

// medianDur is the median of ds, to the nanosecond.
func medianDur(ds []time.Duration) time.Duration {
	x := make([]float64, len(ds))
	for i, d := range ds {
		x[i] = float64(d)
	}
	return time.Duration(math.Round(results.Median(x)))
}

// burnMemory is the memory limit of the calibration's programs: room for a Go
// program under the judges that limit address space (Judger, isolate). Its
// runtime reserves about 800MiB at start and more as it runs, at addresses
// that vary: under isolate's --mem of 1.5GiB, 2 starts in 40 failed ("out of
// memory", or a thread that could not be made); under 2GiB, none in 200.
// Judger takes its limit as a C int, hence 1MiB short of 2GiB.
const burnMemory = 2047 * sandbox.MiB

// burnStack is their stack limit, Linux's usual: glibc gives each thread a stack of the
// limit's size, and a few threads of the memory limit each would not fit in the address
// space the judges that limit it allow.
const burnStack = 8 * sandbox.MiB
