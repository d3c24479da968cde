package scenarios

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/judgebench/judgebench/sandbox"
)

func TestBuiltins(t *testing.T) {
	all := Builtins()
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
	}
	want := []string{"contention", "gil", "judge", "lost-errors", "oversubscribe", "parent-rss", "rusage-children"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("Builtins() names = %q; want %q", names, want)
	}
	for _, s := range all {
		t.Run(s.Name, func(t *testing.T) {
			checkBuiltin(t, s)
			got, ok := Builtin(s.Name)
			if !ok || !reflect.DeepEqual(got, s) {
				t.Errorf("Builtin(%q) = %+v, %v; want %+v, true", s.Name, got, ok, s)
			}
		})
	}
}

// checkBuiltin checks what every built-in scenario must have.
func checkBuiltin(t *testing.T, s *Scenario) {
	t.Helper()
	if s.File != "" {
		t.Errorf("File = %q; want \"\"", s.File)
	}
	if s.Summary == "" || strings.Contains(s.Summary, "\n") {
		t.Errorf("Summary = %q; want one line", s.Summary)
	}
	if n := strings.Count(s.Description, ". "); n < 1 || n > 4 {
		t.Errorf("Description = %q: %d sentences; want 2-4", s.Description, n+1)
	}
	if len(s.Models) == 0 || len(s.Parallel) == 0 {
		t.Errorf("Models = %q, Parallel = %v; want both set", s.Models, s.Parallel)
	}
	if err := s.Limits.Validate(); err != nil {
		t.Errorf("Limits.Validate() = %v", err)
	}
	cases, err := s.Expand()
	if err != nil {
		t.Fatalf("Expand() error: %v", err)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name] {
			t.Errorf("Expand(): two cases named %q", c.Name)
		}
		seen[c.Name] = true
		if _, ok := Lookup(c.Workload); !ok || len(c.Program) > 0 {
			t.Errorf("case %s: Workload %q, Program %q; want a built-in workload", c.Name, c.Workload, c.Program)
		}
	}
}

func TestBuiltinJudge(t *testing.T) {
	s, ok := Builtin("judge")
	if !ok {
		t.Fatal(`Builtin("judge") = _, false; want true`)
	}
	cases, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 8 {
		t.Errorf("judge has %d cases; want about 10", len(cases))
	}
	for _, c := range cases {
		if c.Workload != "sort" || len(c.Stdin) == 0 || len(c.Expect) == 0 {
			t.Errorf("judge case %s: Workload %q, %d bytes of stdin, %d of expect; want sort with both set", c.Name, c.Workload, len(c.Stdin), len(c.Expect))
		}
	}
	if s.Limits.CPUTime == 0 {
		t.Errorf("judge Limits.CPUTime = 0; want set")
	}
}

func TestBuiltinLostErrors(t *testing.T) {
	s, _ := Builtin("lost-errors")
	cases, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	var faults []string
	for _, c := range cases {
		if c.ExpectVerdict != 0 && c.ExpectVerdict != sandbox.Accepted {
			faults = append(faults, c.Workload)
		}
	}
	slices.Sort(faults)
	if want := []string{"exit", "panic", "sort"}; len(cases) != 8 || !reflect.DeepEqual(faults, want) {
		t.Errorf("lost-errors: %d cases, faults %q; want 8 cases, faults %q", len(cases), faults, want)
	}
}

// TestBuiltinInProcess: a built-in scenario that runs the inproc model may
// only have workloads that can run in-process, or `run` would refuse it.
func TestBuiltinInProcess(t *testing.T) {
	for _, s := range Builtins() {
		if !slices.Contains(s.Models, "inproc") {
			continue
		}
		cases, _ := s.Expand()
		for _, c := range cases {
			if w, ok := Lookup(c.Workload); !ok || !w.InProcess {
				t.Errorf("%s runs inproc, but case %s runs %q, which cannot run in-process", s.Name, c.Name, c.Workload)
			}
		}
	}
}

func TestBuiltinMissing(t *testing.T) {
	for _, name := range []string{"", "nosuch", "../builtin/gil", "gil.yaml", "builtin/gil"} {
		if s, ok := Builtin(name); ok || s != nil {
			t.Errorf("Builtin(%q) = %v, %v; want nil, false", name, s, ok)
		}
	}
}
