package teach

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// Find returns the lesson called name; the error lists the lessons there are.
func Find(name string) (Lesson, error) {
	all := Lessons()
	i := slices.IndexFunc(all, func(l Lesson) bool { return l.Name == name })
	if i < 0 {
		names := make([]string, len(all))
		for j, l := range all {
			names[j] = l.Name
		}
		msg := fmt.Sprintf("no pitfall %q", name)
		if s := results.Closest(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return Lesson{}, fmt.Errorf("%s: use one of %s", msg, strings.Join(names, ", "))
	}
	return all[i], nil
}

// Outcome is what a lesson's runs measured.
type Outcome struct {
	Runs    []string // the run.json of each plan, in order
	Groups  []results.Group
	Samples []results.Sample
	// Shows says in one sentence what the runs show; Shown is false when
	// they do not show the lesson's effect (a busy machine can hide it).
	Shows string
	Shown bool
}

// Run runs the lesson's plans live, each recorded in a run directory of dir
// named after the lesson ("gil-1", "gil-2", ...), with cgroup as the
// sandbox's cgroup mode. On error, Outcome holds the runs recorded so far;
// an interrupted run is recorded and its error wraps harness.ErrInterrupted.
func (l Lesson) Run(ctx context.Context, dir string, cgroup sandbox.CgroupMode) (*Outcome, error) {
	out := &Outcome{}
	for i, p := range l.Plans() {
		p.Cgroup = cgroup
		name := fmt.Sprintf("%s-%d", l.Name, i+1)
		path, err := record(ctx, p, filepath.Join(dir, name), name)
		if path != "" {
			out.Runs = append(out.Runs, path)
		}
		if err != nil {
			return out, err
		}
		run, err := results.Read(path)
		if err != nil {
			return out, err
		}
		out.Groups, out.Samples = append(out.Groups, run.Groups...), append(out.Samples, run.Samples...)
	}
	out.Shows, out.Shown = l.Explain(out.Groups, out.Samples)
	return out, nil
}

// record runs plan p into dir.
func record(ctx context.Context, p *harness.Plan, dir, target string) (string, error) {
	h, err := harness.New(p)
	if err != nil {
		return "", err
	}
	defer h.Close()
	return harness.Record(ctx, h, harness.Recording{Dir: dir, Target: target, Settings: p.Settings()})
}
