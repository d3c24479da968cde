package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

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
	// costs a Go program 0.5 to 1ms of CPU on the development machine.
	// Default 2ms.
	Floor  time.Duration
	Cgroup sandbox.CgroupMode
}

func (c *Calibration) defaults() {
	if len(c.Durations) == 0 {
		c.Durations = []time.Duration{10 * time.Millisecond, 100 * time.Millisecond, time.Second}
	}
	if len(c.Parallel) == 0 {
		c.Parallel = slices.Compact([]int{1, gomaxprocsDefault})
	}
	if c.Repeat <= 0 {
		c.Repeat = 5
	}
	if c.Tolerance == 0 {
		c.Tolerance = 0.01
	}
	if c.Floor == 0 {
		c.Floor = 2 * time.Millisecond
	}
}

// Point is the calibration of one burn duration at one parallelism: medians
// over its runs.
type Point struct {
	Burn        time.Duration `json:"burn_ns"`
	Parallelism int           `json:"parallelism"`
	N           int           `json:"n"`
	Own         time.Duration `json:"own_cpu_ns"`      // the program's own process clock
	Measured    time.Duration `json:"measured_cpu_ns"` // cpu_time as the sandbox measured it
	Error       time.Duration `json:"error_ns"`        // measured - own, the median over the runs
	WorstError  time.Duration `json:"worst_error_ns"`  // measured - own, the largest in size
	Overhead    time.Duration `json:"overhead_ns"`     // real - cpu - time waiting for a CPU
	Allowed     time.Duration `json:"allowed_ns"`      // max(tolerance x own, floor)
	OK          bool          `json:"ok"`
}

// CalibrationResult is what Calibrate found.
type CalibrationResult struct {
	Points  []Point
	Info    map[results.Key]results.GroupInfo // of the samples sent to the sink
	Machine results.Machine
}

// OK reports whether every point is within its tolerance.
func (r *CalibrationResult) OK() bool {
	for _, p := range r.Points {
		if !p.OK {
			return false
		}
	}
	return true
}

// Calibrate runs the burn workload at known CPU times, one at a time and
// several at once, and reports how far the sandbox's cpu_time is from each
// program's own clock, and the real time it adds. Each run also goes to sink
// as a sample (model serial or pool, case burn-DURATION), so that a run
// directory of calibrations can be compared over time.
func Calibrate(ctx context.Context, c Calibration, sink Sink) (*CalibrationResult, error) {
	c.defaults()
	sb, err := sandbox.New(sandbox.Options{Cgroup: c.Cgroup})
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("harness: find this binary: %w", err)
	}
	r := &CalibrationResult{Info: map[results.Key]results.GroupInfo{}, Machine: describe(sb)}
	for _, par := range c.Parallel {
		for _, d := range c.Durations {
			p, elapsed, err := c.point(ctx, sb, exe, d, par, sink)
			if err != nil {
				return r, err
			}
			key := calibrationKey(par)
			gi := r.Info[key]
			gi.Elapsed += elapsed
			r.Info[key] = gi
			r.Points = append(r.Points, p)
		}
	}
	return r, nil
}

func calibrationKey(par int) results.Key {
	model := Serial
	if par > 1 {
		model = Pool
	}
	return results.Key{Model: model, Measure: Exact, Parallelism: par, GOMAXPROCS: gomaxprocsDefault}
}

// point runs burn d, Repeat times with par at once, and sums it up.
func (c *Calibration) point(ctx context.Context, sb *sandbox.Sandbox, exe string, d time.Duration, par int, sink Sink) (Point, time.Duration, error) {
	p := Point{Burn: d, Parallelism: par}
	var own, measured, overhead, errs []time.Duration
	start := time.Now()
	for rep := range c.Repeat {
		runs, err := burnTogether(ctx, sb, exe, d, par)
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
			st := setting{model: calibrationKey(par).Model, measure: Exact, parallel: par, gomaxprocs: gomaxprocsDefault}
			s := o.sample("burn-"+d.String(), st, rep, slot, rep*par+slot, r.began.Sub(start), 0)
			if err := sink.Add(s); err != nil {
				return p, 0, err
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

// burnTogether runs par burns of d at once.
func burnTogether(ctx context.Context, sb *sandbox.Sandbox, exe string, d time.Duration, par int) ([]burnRun, error) {
	runs := make([]burnRun, par)
	errs := make([]error, par)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			var out bytes.Buffer
			runs[i].began = time.Now()
			args := append(append([]string{}, scenarios.SelfArgs...), "burn", d.String())
			r := sb.Run(ctx, &sandbox.Command{Path: exe, Args: args, Stdout: &out,
				Limits: sandbox.Limits{CPUTime: d + 2*time.Second}})
			runs[i].res = r
			var thread, own, delay int64
			_, err := fmt.Sscanf(out.String(), "thread_cpu_ns=%d process_cpu_ns=%d run_delay_ns=%d", &thread, &own, &delay)
			if r.Verdict != sandbox.Accepted || err != nil {
				errs[i] = fmt.Errorf("harness: calibrate: burn %v = %v %s (printed %q)", d, r.Verdict, r.Error, out.String())
			}
			runs[i].own, runs[i].delay = time.Duration(own), time.Duration(delay)
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

func medianDur(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
