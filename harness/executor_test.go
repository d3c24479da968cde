package harness

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// renamed is the real sandbox as an executor of another name, as an adapter
// of package judges is one: what the harness does with an executor that is
// not its own, apart from any judge's quirks (package judges tests those
// against the real judges). It counts the slots that ran cases.
type renamed struct {
	*sandbox.Sandbox
	mu    sync.Mutex
	slots map[int]int
}

func (r *renamed) Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result {
	r.mu.Lock()
	r.slots[cmd.Slot]++
	r.mu.Unlock()
	res := r.Sandbox.Run(ctx, cmd)
	res.Judge = &sandbox.JudgeReport{Executor: "renamed", Status: res.Verdict.String()}
	return res
}

func (r *renamed) Describe() results.JudgeInfo {
	return results.JudgeInfo{Executor: "renamed", Spec: "renamed:", Parallelism: 2}
}

// TestPlanExecutor: cases run through the plan's executor, one worker slot
// per case at once; samples and groups say which executor and the judge's
// isolation, the machine describes the judge, and a plan asking for what only
// the sandbox does is refused.
func TestPlanExecutor(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Isolation: sandbox.IsolationNone})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	ex := &renamed{Sandbox: sb, slots: map[int]int{}}
	p := &Plan{Cases: burnCases(4, "5ms", fault("crash", "segv")), Models: []results.Model{results.Serial, results.Pool}, Executor: ex}
	samples, groups := runPlan(t, p)
	if len(samples) != 10 {
		t.Fatalf("%d samples; want 10 (5 cases, serial and pool)", len(samples))
	}
	for _, s := range samples {
		if s.Executor != "renamed" || s.Isolation != results.IsolationJudge || s.Judge == nil || s.Judge.Status != string(s.Verdict) {
			t.Errorf("sample %s/%s: executor %q, isolation %q, judge %+v; want renamed, judge, its status", s.Model, s.Case, s.Executor, s.Isolation, s.Judge)
		}
		if want := results.Accepted; !strings.HasPrefix(s.Case, "crash") && s.Verdict != want {
			t.Errorf("sample %s/%s = %s; want %s", s.Model, s.Case, s.Verdict, want)
		}
	}
	for _, g := range groups {
		if g.Executor != "renamed" {
			t.Errorf("group %+v: executor %q; want renamed", g.Key, g.Executor)
		}
	}
	if len(ex.slots) != 2 {
		t.Errorf("cases ran in slots %v; want 0 and 1", ex.slots)
	}
	h, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if j := h.Machine().Judge; j == nil || j.Executor != "renamed" {
		t.Errorf("Machine().Judge = %+v; want renamed's", j)
	}
	if s := p.Settings(); s.Isolation != results.IsolationJudge {
		t.Errorf("Settings().Isolation = %q; want judge", s.Isolation)
	}

	for _, bad := range []func(*Plan){
		func(p *Plan) { p.Models = []results.Model{results.Process} },
		func(p *Plan) { p.Models = []results.Model{results.InProc} },
		func(p *Plan) { p.Measures = []results.Measure{results.RusageChildren} },
		func(p *Plan) { p.Pin = results.PinOn },
		func(p *Plan) { p.HarnessHold = sandbox.MiB },
	} {
		q := *p
		q.Measures, q.Parallel, q.GOMAXPROCS = []results.Measure{results.Exact}, []int{2}, []int{0}
		bad(&q)
		if err := q.Validate(); err == nil || !strings.Contains(err.Error(), "renamed") {
			t.Errorf("Validate(%+v) = %v; want an error naming the executor", q, err)
		}
	}
}
