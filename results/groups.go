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
	slices.SortFunc(accs, func(a, b *acc) int { return compareKeys(a.key, b.key) })
	global := reference(accs, Exact)
	out := make([]Group, 0, len(accs))
	for _, g := range accs {
		ref := global
		if ref == nil {
			ref = reference(accs, g.key.Measure)
		}
		gi, ok := info[g.key]
		out = append(out, g.group(ref, gi, ok))
	}
	return out
}

func compareKeys(a, b Key) int {
	return cmp.Or(
		cmp.Compare(a.Model, b.Model),
		cmp.Compare(a.Measure, b.Measure),
		cmp.Compare(a.Parallelism, b.Parallelism),
		cmp.Compare(a.GOMAXPROCS, b.GOMAXPROCS),
		cmpBool(a.Pinned, b.Pinned),
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

// reference returns the serial group of measure with the largest GOMAXPROCS,
// unpinned before pinned, the first in sorted order among equals; nil if
// there is none. accs must be sorted.
func reference(accs []*acc, measure Measure) *acc {
	var best *acc
	for _, g := range accs {
		if g.key.Model != Serial || g.key.Measure != measure {
			continue
		}
		if best == nil || g.key.GOMAXPROCS > best.key.GOMAXPROCS ||
			g.key.GOMAXPROCS == best.key.GOMAXPROCS && best.key.Pinned && !g.key.Pinned {
			best = g
		}
	}
	return best
}

// group returns the statistics of g, compared with ref (nil: none). gi is
// used when ok.
func (g *acc) group(ref *acc, gi GroupInfo, ok bool) Group {
	out := Group{
		Key:         g.key,
		N:           len(g.cpu),
		CPUTimeMS:   describe(g.cpu),
		RealTimeMS:  describe(g.real),
		MemoryBytes: describe(g.mem),
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
		out.ElapsedMS = float64(gi.Elapsed) / float64(time.Millisecond)
	}
	out.ThroughputCasesPerS = ratio(float64(out.N), out.ElapsedMS/1000)
	return out
}
