package host

import (
	"cmp"
	"fmt"
	"slices"
)

// Strategy is an order in which worker slots take CPUs.
type Strategy string

// The placement strategies.
const (
	// Spread takes one CPU per physical core, the fastest class first,
	// balanced over last-level-cache domains, NUMA nodes and packages; then
	// the next class; and the SMT siblings of those cores last, in the same
	// order. Worker slots take CPUs in this order (--pin).
	Spread Strategy = "spread"
	// PerCore is Spread without the siblings: one CPU per physical core.
	PerCore Strategy = "per-core"
	// Fastest is one CPU per physical core of the fastest class there is.
	Fastest Strategy = "fastest"
	// Packed takes the cores in Spread's order, all of a core's CPUs one
	// after another: two cases at once share a core, as SMT siblings.
	Packed Strategy = "packed"
)

// Strategies returns every placement strategy, Spread first.
func Strategies() []Strategy { return []Strategy{Spread, PerCore, Fastest, Packed} }

// unit is the CPUs of one physical core within one class, of a set being
// placed, and the domains it is in.
type unit struct {
	cpus           []int // sorted
	llc, node, pkg int
}

// Place returns the CPUs of cpus that are online in t, ordered by s: every
// one of them once under Spread and Packed, a subset under PerCore and
// Fastest.
//
// Balance: within each class, the cores are taken so that at every step the
// number taken from each last-level-cache domain differs by at most one
// among the domains that still have cores left, and the same for NUMA nodes
// and then packages where that does not break it (on every symmetric layout
// it does not).
func (t *Topology) Place(s Strategy, cpus []int) []int {
	var order []unit // Spread's order of the cores, class by class
	var perClass [][]unit
	for k := range t.Classes {
		units := balance(t.units(k, cpus))
		order = append(order, units...)
		perClass = append(perClass, units)
	}
	var out []int
	switch s {
	case Fastest:
		if i := slices.IndexFunc(perClass, func(u []unit) bool { return len(u) > 0 }); i >= 0 {
			out = firsts(perClass[i])
		}
	case PerCore:
		out = firsts(order)
	case Packed:
		for _, u := range order {
			out = append(out, u.cpus...)
		}
	default:
		out = firsts(order)
		for round := 1; ; round++ { // the second CPU of every core, then the third...
			n := len(out)
			for _, u := range order {
				if round < len(u.cpus) {
					out = append(out, u.cpus[round])
				}
			}
			if len(out) == n {
				break
			}
		}
	}
	return out
}

func firsts(units []unit) []int {
	out := make([]int, len(units))
	for i, u := range units {
		out[i] = u.cpus[0]
	}
	return out
}

// units returns the cores of class k that have CPUs in cpus, by core.
func (t *Topology) units(k int, cpus []int) []unit {
	var units []unit
	byCore := map[int]int{}
	for _, n := range slices.Compact(slices.Sorted(slices.Values(cpus))) {
		c := t.cpu(n)
		if c == nil || c.Class != k {
			continue
		}
		i, ok := byCore[c.Core]
		if !ok {
			i = len(units)
			byCore[c.Core] = i
			units = append(units, unit{llc: c.LLC, node: c.Node, pkg: c.Package})
		}
		units[i].cpus = append(units[i].cpus, n)
	}
	return units
}

// balance orders units so that each step takes a unit of the least-used
// last-level-cache domain, of those the least-used node, of those the
// least-used package, of those the lowest-numbered.
func balance(units []unit) []unit {
	type domain struct{ llc, node, pkg int }
	var queues [][]unit // by domain, each in the order of units (by CPU)
	index := map[domain]int{}
	for _, u := range units {
		d := domain{u.llc, u.node, u.pkg}
		i, ok := index[d]
		if !ok {
			i = len(queues)
			index[d] = i
			queues = append(queues, nil)
		}
		queues[i] = append(queues[i], u)
	}
	llcs, nodes, pkgs := map[int]int{}, map[int]int{}, map[int]int{}
	out := make([]unit, 0, len(units))
	for len(out) < len(units) {
		best := -1
		for i, q := range queues {
			if len(q) == 0 {
				continue
			}
			if best < 0 {
				best = i
				continue
			}
			u, b := q[0], queues[best][0]
			if cmp.Or(cmp.Compare(llcs[u.llc], llcs[b.llc]), cmp.Compare(nodes[u.node], nodes[b.node]),
				cmp.Compare(pkgs[u.pkg], pkgs[b.pkg]), cmp.Compare(u.cpus[0], b.cpus[0])) < 0 {
				best = i
			}
		}
		u := queues[best][0]
		queues[best] = queues[best][1:]
		llcs[u.llc]++
		nodes[u.node]++
		pkgs[u.pkg]++
		out = append(out, u)
	}
	return out
}

// Workers returns the CPUs worker slots may use, sorted: the named ones when
// some are named, each of which must be in t's cpuset (isolated CPUs may be
// named); else the allowed CPUs but the isolated ones (all the allowed ones
// when every one is isolated).
func (t *Topology) Workers(named []int) ([]int, error) {
	if len(named) > 0 {
		named = slices.Compact(slices.Sorted(slices.Values(named)))
		if bad := without(named, t.Cpuset); len(bad) > 0 {
			return nil, outside(bad, "its cpuset", t.Cpuset)
		}
		return named, nil
	}
	if w := without(t.Allowed, t.Isolated); len(w) > 0 {
		return w, nil
	}
	return t.Allowed, nil
}

// WorkerCPUs returns the CPUs of this machine that worker slots take, in
// the order they take them (Spread): of named, when some are named, else of
// the CPUs this process may use but the isolated ones (see
// Topology.Workers). Where the topology cannot be read it falls back to this
// process's affinity, by number.
func WorkerCPUs(named []int) ([]int, error) {
	orders, err := WorkerOrders(named, []Strategy{Spread})
	return orders[Spread], err
}

// WorkerOrders is WorkerCPUs in the order of each of strategies. Where the
// topology cannot be read, every order is this process's affinity, by
// number.
func WorkerOrders(named []int, strategies []Strategy) (map[Strategy][]int, error) {
	orders := map[Strategy][]int{}
	t, err := ReadTopology(DefaultSysfs)
	if err != nil {
		cpus, err := affinityCPUs(named)
		for _, s := range strategies {
			orders[s] = cpus
		}
		return orders, err
	}
	cpus, err := t.Workers(named)
	if err != nil {
		return nil, err
	}
	for _, s := range strategies {
		orders[s] = t.Place(s, cpus)
	}
	return orders, nil
}

// TuneStrategies are the placements a tuning sweep measures as candidates of
// their own on this machine: Spread (one CPU per physical core of the
// fastest class first, then the slower classes, siblings last) and Packed
// (a core's siblings together), when their orders differ: on a machine with
// SMT, or with several classes of core.
func TuneStrategies(named []int) ([]Strategy, error) {
	t, err := ReadTopology(DefaultSysfs)
	if err != nil {
		return []Strategy{Spread}, nil // no topology: one order, by number
	}
	cpus, err := t.Workers(named)
	if err != nil {
		return nil, err
	}
	return t.TuneStrategies(cpus), nil
}

// TuneStrategies is TuneStrategies of the worker CPUs cpus of t.
func (t *Topology) TuneStrategies(cpus []int) []Strategy {
	if slices.Equal(t.Place(Spread, cpus), t.Place(Packed, cpus)) {
		return []Strategy{Spread}
	}
	return []Strategy{Spread, Packed}
}

// affinityCPUs returns named, or this process's affinity when none are
// named, sorted; named must be within the affinity.
func affinityCPUs(named []int) ([]int, error) {
	all, err := affinity()
	if err != nil {
		return nil, fmt.Errorf("host: CPUs: %w", err)
	}
	if len(named) == 0 {
		return all, nil
	}
	named = slices.Compact(slices.Sorted(slices.Values(named)))
	if bad := without(named, all); len(bad) > 0 {
		return nil, outside(bad, "its affinity", all)
	}
	return named, nil
}

// outside is the error of CPUs named outside the set that what names.
func outside(bad []int, what string, set []int) error {
	if len(bad) == 1 {
		return fmt.Errorf("CPU %d is not one this process may use (%s: %s)", bad[0], what, FormatCPUList(set))
	}
	return fmt.Errorf("CPUs %s are not ones this process may use (%s: %s)", FormatCPUList(bad), what, FormatCPUList(set))
}
