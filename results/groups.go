package results

import (
	"cmp"
	"slices"
	"time"
)

// GroupInfo is what only the harness knows of a group.
type GroupInfo struct {
	// FaultsInjected is the number of case executions scheduled with an
	// injected fault (an ExpectedVerdict neither "" nor ACCEPTED), whether or
	// not a sample came back for them.
	FaultsInjected int
	// Elapsed is the wall time from the group's first start to its last end;
	// zero: unknown, computed from the samples.
	Elapsed time.Duration
}

// ComputeGroups returns the statistics of samples, one Group per Key, sorted
// by model, measure, parallelism, GOMAXPROCS and pinning (unpinned first).
// info, which may be nil, adds what only the harness knows; see the package
// documentation for how every field is computed. ComputeGroups returns an
// empty, non-nil slice when samples is empty.
func ComputeGroups(samples []Sample, info map[Key]GroupInfo) []Group {
	t := newTally()
	for i := range samples {
		t.add(&samples[i])
	}
	return t.compute(info)
}

// tally accumulates, group by group, what the statistics need of samples
// without keeping the samples: measurements, case and verdict names interned
// as numbers, fault counts and the span of start and end times.
type tally struct {
	ids    map[string]int32 // interned case and verdict names
	groups map[Key]*acc
}

// acc is the part of one group's samples that the statistics need, in the
// order the samples came. The slices are parallel.
type acc struct {
	key            Key
	cpu, real, mem []float64
	cases          []int32
	verdicts       []int32
	faults         int     // samples with an injected fault
	reported       int     // of those, samples whose verdict is not ACCEPTED
	start, end     float64 // earliest start and latest end, in ms from the group's start
}

func newTally() *tally {
	return &tally{ids: make(map[string]int32), groups: make(map[Key]*acc)}
}

// intern returns the number of name, the same for equal names.
func (t *tally) intern(name string) int32 {
	id, ok := t.ids[name]
	if !ok {
		id = int32(len(t.ids))
		t.ids[name] = id
	}
	return id
}

func (t *tally) add(s *Sample) {
	k := s.Key()
	end := s.StartOffsetMS + s.RealTimeMS
	g := t.groups[k]
	if g == nil {
		g = &acc{key: k, start: s.StartOffsetMS, end: end}
		t.groups[k] = g
	}
	g.cpu = append(g.cpu, s.CPUTimeMS)
	g.real = append(g.real, s.RealTimeMS)
	g.mem = append(g.mem, float64(s.MemoryBytes))
	g.cases = append(g.cases, t.intern(s.Case))
	g.verdicts = append(g.verdicts, t.intern(string(s.Verdict)))
	g.start = min(g.start, s.StartOffsetMS)
	g.end = max(g.end, end)
	if s.FaultInjected && isFault(s.ExpectedVerdict) {
		g.faults++
		if s.Verdict != Accepted {
			g.reported++
		}
	}
}

// compute returns the groups of everything added, sorted.
func (t *tally) compute(info map[Key]GroupInfo) []Group {
	accs := make([]*acc, 0, len(t.groups))
	for _, g := range t.groups {
		accs = append(accs, g)
	}
	slices.SortFunc(accs, func(a, b *acc) int { return CompareKeys(a.key, b.key) })
	out := make([]Group, 0, len(accs))
	for _, g := range accs {
		gi, ok := info[g.key]
		out = append(out, g.group(t.reference(g.key.Measure), gi, ok, t.names()))
	}
	return out
}

// reference returns the reference group of the groups of measure, nil when
// there is none.
func (t *tally) reference(measure Measure) *acc {
	keys := make([]Key, 0, len(t.groups))
	for k := range t.groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, CompareKeys)
	if k, ok := Reference(keys, measure); ok {
		return t.groups[k]
	}
	return nil
}

// names returns the interned names by number.
func (t *tally) names() []string {
	names := make([]string, len(t.ids))
	for name, id := range t.ids {
		names[id] = name
	}
	return names
}

// referenceVerdicts returns a function giving the reference verdict of a
// case in a group of measure: its most common verdict in the reference
// group, "" when the reference did not run it or there is none.
func (t *tally) referenceVerdicts() func(c string, measure Measure) Verdict {
	names := t.names()
	modals := make(map[Measure]map[int32]int32)
	return func(c string, measure Measure) Verdict {
		m, ok := modals[measure]
		if !ok {
			if ref := t.reference(measure); ref != nil {
				m = modalVerdicts(ref)
			}
			modals[measure] = m
		}
		id, ok := t.ids[c]
		if !ok {
			return ""
		}
		if v, ok := m[id]; ok {
			return Verdict(names[v])
		}
		return ""
	}
}

// CompareKeys orders keys as groups are sorted: by model, measure,
// parallelism, GOMAXPROCS and pinning (unpinned first).
func CompareKeys(a, b Key) int {
	return cmp.Or(
		cmp.Compare(a.Model, b.Model),
		cmp.Compare(a.Measure, b.Measure),
		cmp.Compare(a.Parallelism, b.Parallelism),
		cmp.Compare(a.GOMAXPROCS, b.GOMAXPROCS),
		cmpBool(a.Pinned, b.Pinned),
		cmp.Compare(a.Isolation, b.Isolation),
	)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// Reference returns the key, of keys, of the group that a group of measure
// is compared with: the serial group measured exact with the largest
// GOMAXPROCS, unpinned before pinned, the first of equals; without one, the
// serial group of measure, chosen alike. ok is false when there is none.
func Reference(keys []Key, measure Measure) (key Key, ok bool) {
	for _, m := range []Measure{Exact, measure} {
		for _, k := range keys {
			if k.Model != Serial || k.Measure != m {
				continue
			}
			if !ok || k.GOMAXPROCS > key.GOMAXPROCS || k.GOMAXPROCS == key.GOMAXPROCS && key.Pinned && !k.Pinned {
				key, ok = k, true
			}
		}
		if ok {
			return key, true
		}
	}
	return key, false
}

// group returns the statistics of g, compared with ref (nil: none). gi is
// used when ok; names are the interned names by number.
func (g *acc) group(ref *acc, gi GroupInfo, ok bool, names []string) Group {
	out := Group{
		Key:         g.key,
		N:           len(g.cpu),
		CPUTimeMS:   describe(g.cpu),
		RealTimeMS:  describe(g.real),
		MemoryBytes: describe(g.mem),
		Verdicts:    make(map[Verdict]int),
	}
	for _, v := range g.verdicts {
		out.Verdicts[Verdict(names[v])]++
	}
	out.Inflation = ratio(out.RealTimeMS.Median, out.CPUTimeMS.Median)
	switch {
	case ref == g:
		out.CPUVsSerial = 1
	case ref != nil:
		out.CPUVsSerial = cpuVsSerial(g, ref)
	}
	if ref != nil {
		out.VerdictFlips = verdictFlips(g, ref)
	}
	out.FaultsInjected = g.faults
	if ok {
		out.FaultsInjected = gi.FaultsInjected
	}
	out.FaultsReported = g.reported
	out.FaultsLost = max(0, out.FaultsInjected-out.FaultsReported)
	out.ElapsedMS = max(0, orZero(g.end-g.start))
	if gi.Elapsed > 0 {
		out.ElapsedMS = Millis(gi.Elapsed)
	}
	out.ThroughputCasesPerS = ratio(float64(out.N), out.ElapsedMS/1000)
	return out
}

// WorkerCost is the median time a process-model worker adds to its case
// (start-up, the case and its outcome as JSON, exit), in milliseconds, over
// the n samples that had a worker; 0, 0 without any.
func WorkerCost(samples []Sample) (ms float64, n int) {
	var costs []float64
	for _, s := range samples {
		if s.WorkerMS > 0 {
			costs = append(costs, s.WorkerMS-s.RealTimeMS)
		}
	}
	return Median(costs), len(costs)
}
