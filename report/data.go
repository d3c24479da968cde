package report

import (
	"cmp"
	"math"
	"regexp"
	"slices"

	"github.com/judgebench/judgebench/results"
)

// view is one input made ready to report: its groups, sorted, and its
// samples by group.
type view struct {
	name   string
	run    *results.Run
	groups []results.Group
	byKey  map[results.Key][]*results.Sample          // in file order
	modal  map[results.Key]map[string]results.Verdict // cache of modalVerdicts
}

// newViews returns the views of in, which check has accepted, under their
// display names.
func newViews(in []Input) []*view {
	vs := make([]*view, len(in))
	names := displayNames(in)
	for i, x := range in {
		vs[i] = newView(x)
		vs[i].name = names[i]
	}
	return vs
}

// stamp is the time a default run directory's name starts with.
var stamp = regexp.MustCompile(`^\d{8}T\d{6}Z-`)

// displayNames are the names the runs are shown under, short enough for a
// legend: with several runs, their targets when those tell them apart,
// else their names without the time of a default run directory
// ("20261124T152948Z-gil" is "gil"), else their names as given. One run
// keeps its name.
func displayNames(in []Input) []string {
	names := make([]string, len(in))
	for i, x := range in {
		names[i] = cmp.Or(x.Name, x.Run.Target, "run")
	}
	if len(in) < 2 {
		return names
	}
	for _, short := range []func(Input) string{
		func(x Input) string { return x.Run.Target },
		func(x Input) string { return stamp.ReplaceAllString(x.Name, "") },
	} {
		try := make([]string, len(in))
		for i, x := range in {
			try[i] = short(x)
		}
		if distinct(try) {
			return try
		}
	}
	return names
}

// distinct reports whether names are all different and none is empty.
func distinct(names []string) bool {
	seen := make(map[string]bool)
	for _, n := range names {
		if n == "" || seen[n] {
			return false
		}
		seen[n] = true
	}
	return true
}

func newView(in Input) *view {
	v := &view{
		name:   cmp.Or(in.Name, in.Run.Target, "run"),
		run:    in.Run,
		groups: slices.Clone(in.Run.Groups),
		byKey:  make(map[results.Key][]*results.Sample),
		modal:  make(map[results.Key]map[string]results.Verdict),
	}
	if len(v.groups) == 0 && len(in.Run.Samples) > 0 {
		v.groups = results.ComputeGroups(in.Run.Samples, nil)
	}
	slices.SortStableFunc(v.groups, func(a, b results.Group) int { return results.CompareKeys(a.Key, b.Key) })
	for i := range in.Run.Samples {
		s := &in.Run.Samples[i]
		v.byKey[s.Key()] = append(v.byKey[s.Key()], s)
	}
	return v
}

// reference returns the key of the group a group of measure is compared
// with (see results.Reference); ok is false when there is none.
func (v *view) reference(measure results.Measure) (key results.Key, ok bool) {
	keys := make([]results.Key, len(v.groups))
	for i, g := range v.groups {
		keys[i] = g.Key
	}
	return results.Reference(keys, measure)
}

// modalVerdicts returns the most common verdict of each case of the group
// k; of verdicts as common, the one seen first.
func (v *view) modalVerdicts(k results.Key) map[string]results.Verdict {
	if m, ok := v.modal[k]; ok {
		return m
	}
	m := results.ModalVerdicts(v.byKey[k])
	v.modal[k] = m
	return m
}

// flip is the cases of a group that turned another verdict than their
// verdict in the reference group.
type flip struct {
	key     results.Key
	verdict results.Verdict // the verdict they turned
	cases   []string        // sorted
}

// flips returns the verdict flips of every group, in group order and by
// new verdict within a group.
func (v *view) flips() []flip {
	var out []flip
	for _, g := range v.groups {
		rk, ok := v.reference(g.Measure)
		if !ok {
			continue
		}
		want := v.modalVerdicts(rk)
		turned := make(map[results.Verdict]map[string]bool) // verdict -> cases
		for _, s := range v.byKey[g.Key] {
			if w, ok := want[s.Case]; ok && s.Verdict != w {
				if turned[s.Verdict] == nil {
					turned[s.Verdict] = make(map[string]bool)
				}
				turned[s.Verdict][s.Case] = true
			}
		}
		for _, verdict := range sortedKeys(turned) {
			out = append(out, flip{g.Key, verdict, sortedKeys(turned[verdict])})
		}
	}
	return out
}

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// varies reports whether the groups of model differ in the part of their
// key that part returns.
func (v *view) varies(model results.Model, part func(results.Key) any) bool {
	var first any
	seen := false
	for _, g := range v.groups {
		if g.Model != model {
			continue
		}
		p := part(g.Key)
		if seen && p != first {
			return true
		}
		first, seen = p, true
	}
	return false
}

// cores returns the CPUs the run's machine offered: its logical cores, or
// fewer when a CPU quota says so; 0 when unknown.
func cores(m results.Machine) int {
	n := m.LogicalCores
	if m.ContainerCPULimit > 0 {
		if q := int(math.Ceil(m.ContainerCPULimit)); n == 0 || q < n {
			n = q
		}
	}
	return n
}

// mib returns bytes in MiB.
func mib(bytes float64) float64 { return bytes / (1 << 20) }
