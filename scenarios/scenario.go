package scenarios

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// Scenario is a workload, its cases, and how to schedule them.
type Scenario struct {
	Name        string
	Summary     string            // one line, for `judgebench scenarios`
	Description string            // what it shows and why, a paragraph
	Workload    string            // built-in workload every case runs by default ("" when Program is set)
	Program     []string          // or an external program (argv); a scenario file may give one
	Args        []string          // default arguments of the workload or program
	Cases       []CaseSpec        // the cases, before Count is expanded
	Generate    *Generate         // cases made by program; nil: none
	Limits      sandbox.Limits    // zero fields: defaults
	Models      []results.Model   // default models for `run`; nil: the run command's default
	Measure     []results.Measure // measure modes; nil: the default
	Parallel    []int             // cases at once, each >= 1; nil: the default
	GOMAXPROCS  []int             // 0 means the default
	Pin         results.Pin       // "": the run command's default
	Repeat      int               // repetitions of every case; 0 = 1
	HarnessHold sandbox.Size      // memory the harness holds while running (parent-rss); 0: none
	Checker     sandbox.Checker   // how every case's output is compared; the zero value is lines
	File        string            // where it was loaded from; "" for a built-in
}

// CaseSpec is one entry of a scenario's cases.
type CaseSpec struct {
	Name          string          // unique in the scenario, without white space
	Workload      string          // overrides Scenario.Workload and Program for this case (fault injection: segv, exit, ...)
	Args          []string        // overrides Scenario.Args when not nil; with Workload set, the only args
	Stdin, Expect string          // inline stdin and expected output; "": none
	ExpectVerdict sandbox.Verdict // 0: unknown
	Count         int             // this spec stands for Count cases (0 = 1), named NAME-1..NAME-Count when Count > 1
}

// Generate makes cases by program: Kind "sort" makes one sort case ([SortCase])
// per size, seed Seed+i for the i-th size, named "sort-<size>", with stdin and
// expected output set. They run the scenario's Program when it has one (a
// solution of the sort problem), else the sort workload.
type Generate struct {
	Kind  string // "sort"
	Sizes []int  // numbers of integers, each > 0
	Seed  int64
}

// Case is one concrete case, ready to run.
type Case struct {
	Name          string          `json:"name"`
	Workload      string          `json:"workload,omitempty"`       // built-in workload, or "" with Program set
	Program       []string        `json:"program,omitempty"`        // external argv
	Args          []string        `json:"args,omitempty"`           // for a workload: its args; for a Program: appended after Program
	Stdin         []byte          `json:"stdin,omitempty"`          // nil: none, unless StdinFile
	StdinFile     string          `json:"stdin_file,omitempty"`     // file to read stdin from; "": none
	Expect        []byte          `json:"expect,omitempty"`         // nil: none, unless ExpectFile
	ExpectFile    string          `json:"expect_file,omitempty"`    // file holding the expected output; "": none
	ExpectVerdict sandbox.Verdict `json:"expect_verdict,omitempty"` // 0: unknown
	Checker       sandbox.Checker `json:"checker"`                  // how the output is compared; the zero value is lines
}

// Expand returns the concrete cases of s: those of Cases in order, each spec
// expanded to Count cases, then those of Generate. It fails when two cases
// have the same name or there is no case at all.
func (s *Scenario) Expand() ([]Case, error) {
	var cases []Case
	for _, spec := range s.Cases {
		for _, name := range spec.names() {
			cases = append(cases, s.specCase(spec, name))
		}
	}
	if g := s.Generate; g != nil {
		for i, n := range g.Sizes {
			in, out := SortCase(n, g.Seed+int64(i))
			c := Case{Name: sortCaseName(n), Workload: "sort", Stdin: in, Expect: out, Checker: s.Checker}
			if len(s.Program) > 0 {
				c.Workload, c.Program, c.Args = "", slices.Clone(s.Program), slices.Clone(s.Args)
			}
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("scenarios: scenario %q: no cases", s.Name)
	}
	seen := make(map[string]bool, len(cases))
	for _, c := range cases {
		if seen[c.Name] {
			return nil, fmt.Errorf("scenarios: scenario %q: two cases named %q", s.Name, c.Name)
		}
		seen[c.Name] = true
	}
	return cases, nil
}

// specCase returns the case called name that spec stands for.
func (s *Scenario) specCase(spec CaseSpec, name string) Case {
	c := Case{Name: name, ExpectVerdict: spec.ExpectVerdict, Checker: s.Checker}
	switch {
	case spec.Workload != "":
		c.Workload, c.Args = spec.Workload, slices.Clone(spec.Args)
	case spec.Args != nil:
		c.Workload, c.Program, c.Args = s.Workload, slices.Clone(s.Program), slices.Clone(spec.Args)
	default:
		c.Workload, c.Program, c.Args = s.Workload, slices.Clone(s.Program), slices.Clone(s.Args)
	}
	if spec.Stdin != "" {
		c.Stdin = []byte(spec.Stdin)
	}
	if spec.Expect != "" {
		c.Expect = []byte(spec.Expect)
	}
	return c
}

// names returns the names of the cases spec stands for: its Name, or with a
// Count above 1, NAME-1 to NAME-Count.
func (spec CaseSpec) names() []string {
	if spec.Count <= 1 {
		return []string{spec.Name}
	}
	names := make([]string, spec.Count)
	for i := range names {
		names[i] = spec.Name + "-" + strconv.Itoa(i+1)
	}
	return names
}

// sortCaseName returns the name of the generated sort case of n integers.
func sortCaseName(n int) string { return "sort-" + strconv.Itoa(n) }

// Resolve finds what a TARGET of `judgebench run` and `tune` names: a
// built-in scenario, a scenario file, or a problem directory solved by
// program (the PROG ARGS after "--", which only a problem directory takes).
// It returns the scenario and its cases.
func Resolve(target string, program []string) (*Scenario, []Case, error) {
	sc, ok := Builtin(target)
	if !ok {
		info, err := os.Stat(target)
		switch {
		case err != nil && !strings.ContainsAny(target, "/."):
			return nil, nil, fmt.Errorf("%q is no built-in scenario (see `judgebench scenarios`) and no file", target)
		case err != nil:
			return nil, nil, err
		case info.IsDir():
			if len(program) > 0 {
				if _, err := exec.LookPath(program[0]); err != nil {
					return nil, nil, fmt.Errorf("the program cannot start: %w", err)
				}
			}
			cases, err := ProblemDir(target, program)
			return &Scenario{Name: filepath.Base(target)}, cases, err
		}
		if sc, err = Load(target); err != nil {
			return nil, nil, err
		}
	}
	if len(program) > 0 {
		return nil, nil, fmt.Errorf("a scenario names its own workload: -- PROG is for problem directories")
	}
	cases, err := sc.Expand()
	return sc, cases, err
}
