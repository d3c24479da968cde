package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// Sink receives samples as they finish; *results.Writer is one.
type Sink interface {
	Add(results.Sample) error
}

var _ Sink = (*results.Writer)(nil)

// Harness runs plans. It owns a sandbox; Close releases it.
type Harness struct {
	plan  *Plan
	sb    *sandbox.Sandbox // at the plan's isolation
	plain *sandbox.Sandbox // at IsolationNone, for the distorting measure modes; nil when none ran
	sink  Sink             // of the current Run; safe for concurrent use
	cpus  []int            // the CPUs of worker slots, in the order they take them (spread)
	// orders are the CPUs of pinned worker slots by placement, in the
	// order they take them.
	orders map[host.Strategy][]int

	mu   sync.Mutex
	info map[results.Key]results.GroupInfo
	done int
}

// New validates p and prepares its sandbox.
func New(p *Plan) (*Harness, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	orders, err := host.WorkerOrders(p.CPUs, append([]host.Strategy{host.Spread}, p.placements()...))
	if err != nil {
		return nil, err
	}
	h := &Harness{plan: p, cpus: orders[host.Spread], orders: orders, info: map[results.Key]results.GroupInfo{}}
	if p.Executor != nil {
		return h, nil // the judge's, which the caller closes
	}
	sb, err := sandbox.New(p.sandboxOptions(p.Isolation))
	if err != nil {
		return nil, err
	}
	h.sb = sb
	if slices.ContainsFunc(p.Measures, func(m results.Measure) bool { return m != results.Exact }) {
		if sb.Isolation() == sandbox.IsolationNone {
			h.plain = sb
		} else if h.plain, err = sandbox.New(p.sandboxOptions(sandbox.IsolationNone)); err != nil {
			sb.Close()
			return nil, err
		}
	}
	return h, nil
}

// Close releases the sandboxes and whatever the runs left.
func (h *Harness) Close() error {
	if h.sb == nil {
		return nil
	}
	err := h.sb.Close()
	if h.plain != nil && h.plain != h.sb {
		err = errors.Join(err, h.plain.Close())
	}
	return err
}

// Machine describes this host and the sandbox the harness uses, for the
// record of a run, with the order in which worker slots take CPUs.
// GOMAXPROCS is the harness's: child processes run with their own.
func (h *Harness) Machine() results.Machine {
	m := machine(h.sb)
	m.Placement = h.cpus
	m.Judge = describe(h.plan.Executor)
	return m
}

// Run runs the plan: every setting of its sweeps, Repeat times, repetitions
// interleaved (each repetition runs every setting once) so that drift spreads
// evenly over them. Each finished sample goes to sink. It returns what only it
// knows of each group. When ctx is cancelled it stops launching, the running
// cases are killed, what finished is kept, and it returns ctx.Err().
func (h *Harness) Run(ctx context.Context, sink Sink) (map[results.Key]results.GroupInfo, error) {
	h.sink = sink
	hold := holdMemory(h.plan.HarnessHold)
	defer runtime.KeepAlive(hold)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	settings := h.plan.settings()
	for i := range settings {
		settings[i].isolation = h.isolation(settings[i])
	}
	rng := rand.New(rand.NewPCG(uint64(h.plan.Seed), 0))
	total := len(settings) * len(h.plan.Cases) * max(h.plan.Repeat, 1)
	for rep := range max(h.plan.Repeat, 1) {
		for _, st := range settings {
			if ctx.Err() != nil {
				return h.info, context.Cause(ctx)
			}
			h.group(ctx, cancel, st, h.plan.FirstRepeat+rep, h.order(rng), total)
		}
	}
	return h.info, context.Cause(ctx)
}

// order is the order of the cases for one group: shuffled when asked.
func (h *Harness) order(rng *rand.Rand) []int {
	order := make([]int, len(h.plan.Cases))
	for i := range order {
		order[i] = i
	}
	if h.plan.Shuffle {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	return order
}

// groupRun is the shared state of one group's execution.
type groupRun struct {
	st       setting
	rep      int
	start    time.Time
	seq      atomic.Int64
	faults   atomic.Int64
	firstErr atomic.Bool
	mu       sync.Mutex
	last     time.Time
}

// group runs every case once under st with st.parallel workers.
func (h *Harness) group(ctx context.Context, fail context.CancelCauseFunc, st setting, rep int, order []int, total int) {
	defer setGOMAXPROCS(st.gomaxprocs)()
	g := &groupRun{st: st, rep: rep, start: time.Now()}
	// Every case is queued before the workers start: a worker taking the
	// next one wakes no feeder (a wake-up of Go's scheduler a case).
	jobs := make(chan int, len(order))
	for _, i := range order {
		jobs <- i
	}
	close(jobs)
	var wg sync.WaitGroup
	for slot := range min(st.parallel, len(order)) { // a slot without a case would only hold a thread
		wg.Go(func() { h.worker(ctx, fail, g, slot, jobs, total) })
	}
	wg.Wait()
	key := st.key()
	h.mu.Lock()
	info := h.info[key]
	info.FaultsInjected += int(g.faults.Load())
	if !g.last.IsZero() { // some case of the group ended
		info.Elapsed += g.last.Sub(g.start)
	}
	h.info[key] = info
	h.mu.Unlock()
}

// worker runs cases from jobs until it closes, in one worker slot.
func (h *Harness) worker(ctx context.Context, fail context.CancelCauseFunc, g *groupRun, slot int, jobs <-chan int, total int) {
	at := h.placeOf(g.st, slot)
	if at.cpus != nil {
		defer pin(at.cpus)()
	}
	run := h.executor(g.st, at)
	for i := range jobs {
		if ctx.Err() != nil {
			return // interrupted: the cases left are not run
		}
		c := &h.plan.Cases[i]
		expect, injected := expected(c)
		seq, began := int(g.seq.Add(1)-1), time.Now()
		o := safely(func() outcome { return run(ctx, c) })
		if ctx.Err() != nil && o.Verdict == sandbox.SystemError {
			continue // interrupted: not a measurement, nor a fault, nor time
		}
		g.finished(time.Now(), injected && expect != sandbox.Accepted)
		if err := h.record(g, c, o, slot, seq, began.Sub(g.start), expect, injected, total); err != nil {
			fail(err)
		}
	}
}

// finished notes that a case of the group ended at t, with an injected fault.
func (g *groupRun) finished(t time.Time, fault bool) {
	if fault {
		g.faults.Add(1)
	}
	g.mu.Lock()
	if t.After(g.last) {
		g.last = t
	}
	g.mu.Unlock()
}

// executor is how st's model runs one case at p.
func (h *Harness) executor(st setting, at place) func(context.Context, *scenarios.Case) outcome {
	p := h.plan
	switch st.model {
	case results.InProc:
		return func(ctx context.Context, c *scenarios.Case) outcome { return runInProc(ctx, c, p.Limits) }
	case results.Process:
		opts := p.sandboxOptions(h.sb.Isolation())
		if st.measure != results.Exact {
			opts.Isolation = sandbox.IsolationNone
		}
		return func(ctx context.Context, c *scenarios.Case) outcome {
			return runProcess(ctx, c, p.Limits, opts, st.measure, at)
		}
	}
	var sb Executor = h.sb
	if p.Executor != nil {
		sb = p.Executor
	} else if st.measure != results.Exact {
		sb = h.plain
	}
	return func(ctx context.Context, c *scenarios.Case) outcome {
		return runSandboxed(ctx, sb, c, p.Limits, st.measure, at)
	}
}

// isolation is the isolation level st's cases run at: none in-process and
// for the distorting measure modes, else the harness's sandbox's.
func (h *Harness) isolation(st setting) results.Isolation {
	if h.plan.Executor != nil {
		return results.IsolationJudge
	}
	if st.model == results.InProc || st.measure != results.Exact {
		return results.IsolationNone
	}
	return results.Isolation(h.sb.Isolation())
}

// safely runs f, turning a panic of the harness into a SYSTEM_ERROR of the
// case: every per-case goroutine recovers.
func safely(f func() outcome) (o outcome) {
	defer func() {
		if v := recover(); v != nil {
			o = systemError(fmt.Errorf("harness: panic: %v", v))
		}
	}()
	return f()
}

// expected is the verdict c must get, and whether a fault was injected: the
// scenario's verdict, else ACCEPTED.
func expected(c *scenarios.Case) (sandbox.Verdict, bool) {
	if c.ExpectVerdict != 0 {
		return c.ExpectVerdict, true
	}
	return sandbox.Accepted, false
}

// record applies the model's pitfall, if any, and sends the sample on.
func (h *Harness) record(g *groupRun, c *scenarios.Case, o outcome, slot, seq int, offset time.Duration, expect sandbox.Verdict, injected bool, total int) error {
	failed := o.Verdict != sandbox.Accepted
	switch g.st.model {
	case results.FireForget:
		if failed {
			h.progress(g.st.key(), total) // the result of a failed case is dropped
			return nil
		}
	case results.FirstErr:
		if failed && !g.firstErr.CompareAndSwap(false, true) {
			h.progress(g.st.key(), total) // only the first error survives
			return nil
		}
	case results.ExitBlind:
		o = exitBlind(o)
	}
	s := o.sample(c.Name, g.st, g.rep, slot, seq, offset, expect)
	s.FaultInjected = injected
	if o.Worker > 0 {
		s.WorkerMS = results.Millis(o.Worker)
	}
	err := h.sink.Add(s)
	h.progress(g.st.key(), total)
	return err
}

// exitBlind judges as a harness that compares the output and ignores how the
// program ended: a crash with the right output, or with no expected output,
// passes.
func exitBlind(o outcome) outcome {
	if o.Verdict == sandbox.RuntimeError {
		o.Verdict = sandbox.Accepted
		if o.Expected && !o.Match {
			o.Verdict = sandbox.WrongAnswer
		}
	}
	return o
}

// progress counts a case of group done and reports it.
func (h *Harness) progress(group results.Key, total int) {
	if h.plan.Progress == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.done++
	h.plan.Progress(Progress{Done: h.done, Total: total, Group: group})
}

// setGOMAXPROCS sets GOMAXPROCS to n (0: the default) and returns the undo.
func setGOMAXPROCS(n int) func() {
	if n <= 0 {
		return func() {}
	}
	old := runtime.GOMAXPROCS(n)
	return func() { runtime.GOMAXPROCS(old) }
}

// holdMemory allocates and touches n bytes: the harness's own peak, for the
// parent-rss scenario.
func holdMemory(n sandbox.Size) []byte {
	b := make([]byte, n)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return b
}
