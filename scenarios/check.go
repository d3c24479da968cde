package scenarios

import (
	"strings"
	"time"
	"unicode"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// Bounds on what a scenario file may ask for, so that expanding it cannot
// exhaust memory.
const (
	maxCount    = 10_000     // cases one entry of cases may stand for
	maxSortSize = 10_000_000 // integers in one generated sort case
)

// scenario converts raw into a Scenario and checks it; errors name the file
// and the line of the value at fault.
func (l *loader) scenario(r *rawScenario) (*Scenario, error) {
	s := &Scenario{
		Name:        r.Name,
		Summary:     strings.TrimSpace(r.Summary),
		Description: strings.TrimSpace(r.Description),
		Workload:    r.Workload,
		Program:     r.Program,
		Args:        r.Args,
		Parallel:    r.Parallel,
		GOMAXPROCS:  r.GOMAXPROCS,
	}
	if strings.Contains(s.Summary, "\n") {
		return nil, l.errorf([]any{"summary"}, "summary: more than one line")
	}
	var err error
	if s.Cases, err = l.cases(r.Cases); err != nil {
		return nil, err
	}
	if err := l.checkRunner(s); err != nil {
		return nil, err
	}
	if s.Generate, err = l.generate(r.Generate); err != nil {
		return nil, err
	}
	if s.Limits, err = l.limits(r.Limits); err != nil {
		return nil, err
	}
	if r.HarnessHold != "" {
		if s.HarnessHold, err = sandbox.ParseSize(r.HarnessHold); err != nil {
			return nil, l.wrap([]any{"harness_hold"}, err)
		}
	}
	if r.Checker != "" {
		if s.Checker, err = sandbox.ParseChecker(r.Checker); err != nil {
			return nil, l.wrap([]any{"checker"}, err)
		}
	}
	if err := l.schedule(s, r); err != nil {
		return nil, err
	}
	if err := l.checkNames(s); err != nil {
		return nil, err
	}
	return s, nil
}

// checkRunner checks that s runs one thing: a built-in workload or a program,
// unless every case names its own workload.
func (l *loader) checkRunner(s *Scenario) error {
	switch {
	case s.Workload != "" && s.Program != nil:
		return l.errorf([]any{"program"}, "give workload or program, not both")
	case s.Program != nil && (len(s.Program) == 0 || s.Program[0] == ""):
		return l.errorf([]any{"program"}, "program: empty (give the program's path, then its arguments, as a list)")
	case s.Workload != "":
		if _, ok := Lookup(s.Workload); !ok {
			return l.errorf([]any{"workload"}, "workload %q is not built in (\"judgebench work\" lists them)", s.Workload)
		}
	case s.Program == nil:
		for i, c := range s.Cases {
			if c.Workload == "" {
				return l.errorf([]any{"cases", i}, "case %q has no workload: give workload or program, or a workload in every case", c.Name)
			}
		}
	}
	return nil
}

// cases converts and checks the entries of cases.
func (l *loader) cases(raw []rawCase) ([]CaseSpec, error) {
	var specs []CaseSpec
	for i, r := range raw {
		at := func(key string) []any { return []any{"cases", i, key} }
		switch {
		case r.Name == "":
			return nil, l.errorf([]any{"cases", i}, "cases[%d]: no name", i)
		case strings.IndexFunc(r.Name, unicode.IsSpace) >= 0 || strings.IndexFunc(r.Name, unicode.IsControl) >= 0:
			return nil, l.errorf(at("name"), "case name %q has white space", r.Name)
		case r.Count < 0 || r.Count > maxCount:
			return nil, l.errorf(at("count"), "case %q: count %d is not in 0..%d", r.Name, r.Count, maxCount)
		}
		if _, ok := Lookup(r.Workload); r.Workload != "" && !ok {
			return nil, l.errorf(at("workload"), "case %q: workload %q is not built in (\"judgebench work\" lists them)", r.Name, r.Workload)
		}
		spec := CaseSpec{Name: r.Name, Workload: r.Workload, Args: r.Args, Stdin: r.Stdin, Expect: r.Expect, Count: r.Count}
		if r.ExpectVerdict != "" {
			if _, err := results.ParseVerdict(r.ExpectVerdict); err != nil { // says "did you mean"
				return nil, l.wrap(at("expect_verdict"), err)
			}
			v, err := sandbox.ParseVerdict(r.ExpectVerdict)
			if err != nil {
				return nil, l.wrap(at("expect_verdict"), err)
			}
			spec.ExpectVerdict = v
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// generate converts and checks the generate entry.
func (l *loader) generate(r *rawGenerate) (*Generate, error) {
	if r == nil {
		return nil, nil
	}
	switch {
	case r.Kind != "sort":
		return nil, l.errorf([]any{"generate", "kind"}, "generate.kind: %q is not a generator (the one there is: sort)", r.Kind)
	case len(r.Sizes) == 0:
		return nil, l.errorf([]any{"generate", "sizes"}, "generate.sizes: give at least one size")
	}
	for i, n := range r.Sizes {
		if n < 1 || n > maxSortSize {
			return nil, l.errorf([]any{"generate", "sizes", i}, "generate.sizes[%d]: %d is not in 1..%d", i, n, maxSortSize)
		}
	}
	return &Generate{Kind: r.Kind, Sizes: r.Sizes, Seed: r.Seed}, nil
}

// limits converts and checks the limits entry.
func (l *loader) limits(r rawLimits) (sandbox.Limits, error) {
	var lim sandbox.Limits
	var err error
	durations := []struct {
		key  string
		text string
		dst  *time.Duration
	}{{"cpu_time", r.CPUTime, &lim.CPUTime}, {"real_time", r.RealTime, &lim.RealTime}}
	for _, d := range durations {
		if d.text == "" {
			continue
		}
		if *d.dst, err = sandbox.ParseDuration(d.text); err != nil {
			return lim, l.wrap([]any{"limits", d.key}, err)
		}
		if *d.dst == 0 {
			return lim, l.errorf([]any{"limits", d.key}, "limits.%s: must be more than 0 (leave it out for the default)", d.key)
		}
	}
	sizes := []struct {
		key  string
		text string
		dst  *sandbox.Size
	}{{"memory", r.Memory, &lim.Memory}, {"output", r.Output, &lim.Output}, {"stack", r.Stack, &lim.Stack}}
	for _, s := range sizes {
		if s.text == "" {
			continue
		}
		if *s.dst, err = sandbox.ParseSize(s.text); err != nil {
			return lim, l.wrap([]any{"limits", s.key}, err)
		}
		if *s.dst == 0 {
			return lim, l.errorf([]any{"limits", s.key}, "limits.%s: must be more than 0 (leave it out for the default)", s.key)
		}
	}
	if r.Processes != nil {
		if lim.Processes = *r.Processes; lim.Processes < 1 {
			return lim, l.errorf([]any{"limits", "processes"}, "limits.processes: %d is less than 1", lim.Processes)
		}
	}
	if err := lim.Validate(); err != nil {
		return lim, l.wrap([]any{"limits"}, err)
	}
	return lim, nil
}

// schedule converts and checks models, measure, pin, parallel, gomaxprocs
// and repeat.
func (l *loader) schedule(s *Scenario, r *rawScenario) error {
	var err error
	if s.Models, err = parseList(l, "models", r.Models, results.ParseModel); err != nil {
		return err
	}
	if s.Measure, err = parseList(l, "measure", r.Measure, results.ParseMeasure); err != nil {
		return err
	}
	if r.Pin != "" {
		if s.Pin, err = results.ParsePin(r.Pin); err != nil {
			return l.wrap([]any{"pin"}, err)
		}
	}
	for i, n := range s.Parallel {
		if n < 1 {
			return l.errorf([]any{"parallel", i}, "parallel[%d]: %d is less than 1", i, n)
		}
	}
	for i, n := range s.GOMAXPROCS {
		if n < 0 {
			return l.errorf([]any{"gomaxprocs", i}, "gomaxprocs[%d]: %d is negative (0 means the default)", i, n)
		}
	}
	if r.Repeat != nil {
		if s.Repeat = *r.Repeat; s.Repeat < 1 {
			return l.errorf([]any{"repeat"}, "repeat: %d is less than 1", s.Repeat)
		}
	}
	lists := []struct {
		key string
		n   int
	}{{"models", len(r.Models)}, {"measure", len(r.Measure)}, {"parallel", len(r.Parallel)}, {"gomaxprocs", len(r.GOMAXPROCS)}}
	for _, list := range lists {
		if list.n == 0 && l.root != nil && child(l.root, list.key) != nil {
			return l.errorf([]any{list.key}, "%s: an empty list (leave it out for the default)", list.key)
		}
	}
	return nil
}

// parseList parses every name of the list at key; an error names the line
// of the name at fault.
func parseList[T any](l *loader, key string, names []string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for i, name := range names {
		v, err := parse(name)
		if err != nil {
			return nil, l.wrap([]any{key, i}, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// checkNames checks that s has at least one case and no two cases of the
// same name, without generating any.
func (l *loader) checkNames(s *Scenario) error {
	seen := make(map[string]bool)
	for i, spec := range s.Cases {
		for _, name := range spec.names() {
			if seen[name] {
				return l.errorf([]any{"cases", i, "name"}, "two cases named %q", name)
			}
			seen[name] = true
		}
	}
	if g := s.Generate; g != nil {
		for i, n := range g.Sizes {
			if name := sortCaseName(n); seen[name] {
				return l.errorf([]any{"generate", "sizes", i}, "two cases named %q", name)
			}
			seen[sortCaseName(n)] = true
		}
	}
	if len(seen) == 0 {
		return l.errorf(nil, "no cases (give cases or generate)")
	}
	return nil
}
