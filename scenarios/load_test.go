package scenarios

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     *Scenario
	}{{
		name: "full",
		in: `name: judge
summary: one line
description: |
  text
workload: sort
args: []
cases:
  - name: crash
    workload: segv
    expect_verdict: RUNTIME_ERROR
    count: 2
  - name: ok
    args: [20ms]
    stdin: "3 3 1 2\n"
    expect: "1 2 3\n"
generate: {kind: sort, sizes: [1000, 20000], seed: 1}
limits: {cpu_time: 2s, real_time: 6s, memory: 256MiB, output: 64MiB, stack: 256MiB, processes: 64}
models: [serial, pool]
measure: [exact]
parallel: [1, 2]
gomaxprocs: [1, 0]
pin: off
repeat: 3
harness_hold: 256MiB
`,
		want: &Scenario{
			Name: "judge", Summary: "one line", Description: "text", Workload: "sort", Args: []string{},
			Cases: []CaseSpec{
				{Name: "crash", Workload: "segv", ExpectVerdict: sandbox.RuntimeError, Count: 2},
				{Name: "ok", Args: []string{"20ms"}, Stdin: "3 3 1 2\n", Expect: "1 2 3\n"},
			},
			Generate: &Generate{Kind: "sort", Sizes: []int{1000, 20000}, Seed: 1},
			Limits: sandbox.Limits{CPUTime: 2 * time.Second, RealTime: 6 * time.Second, Memory: 256 * sandbox.MiB,
				Output: 64 * sandbox.MiB, Stack: 256 * sandbox.MiB, Processes: 64},
			Models: []results.Model{"serial", "pool"}, Measure: []results.Measure{"exact"}, Parallel: []int{1, 2},
			GOMAXPROCS: []int{1, 0}, Pin: "off", Repeat: 3, HarnessHold: 256 * sandbox.MiB,
		},
	}, {
		name: "program and a default name",
		in:   "program: [./a.out, --fast]\ncases: [{name: a}]\n",
		want: &Scenario{Name: "x", Program: []string{"./a.out", "--fast"}, Cases: []CaseSpec{{Name: "a"}}},
	}, {
		name: "every case has its own workload",
		in:   "name: f\ncases: [{name: a, workload: segv}, {name: b, workload: exit, args: [3]}]\n",
		want: &Scenario{Name: "f", Cases: []CaseSpec{{Name: "a", Workload: "segv"}, {Name: "b", Workload: "exit", Args: []string{"3"}}}},
	}, {
		name: "generate alone",
		in:   "name: g\ngenerate:\n  kind: sort\n  sizes: [5]\n",
		want: &Scenario{Name: "g", Generate: &Generate{Kind: "sort", Sizes: []int{5}}},
	}, {
		name: "a checker",
		in:   "name: c\nworkload: sort\ncases: [{name: a}]\nchecker: float:1e-6\n",
		want: &Scenario{Name: "c", Workload: "sort", Cases: []CaseSpec{{Name: "a"}}, Checker: sandbox.CheckFloat(1e-6)},
	}, {
		name: "pin words are strings",
		in:   "name: p\nworkload: sleep\ncases: [{name: a}]\npin: on\n",
		want: &Scenario{Name: "p", Workload: "sleep", Cases: []CaseSpec{{Name: "a"}}, Pin: "on"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("x.yaml", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const ok = "name: s\nworkload: burn\nargs: [1ms]\ncases: [{name: a}]\n"
	tests := []struct{ in, want string }{
		{"", "scenarios: x.yaml: empty file: a scenario needs at least cases or generate"},
		{"# only a comment\n", "scenarios: x.yaml: empty file: a scenario needs at least cases or generate"},
		{"~\n", "scenarios: x.yaml: empty document: a scenario needs at least cases or generate"},
		{"- a\n- b\n", "scenarios: x.yaml:1: a scenario is a mapping (name: ..., workload: ..., cases: ...), not a list"},
		{"hello\n", "scenarios: x.yaml:1: a scenario is a mapping (name: ..., workload: ..., cases: ...), not a single value"},
		{"name: s\nlimits:\n\tcpu_time: 1s\n", "scenarios: x.yaml:3: found character that cannot start any token (indent with spaces, not tabs)"},
		{"name: s\n\tworkload: burn\n", "scenarios: x.yaml:2: found a tab character that violates indentation"},
		{"name: [a\n", "scenarios: x.yaml:1: did not find expected ',' or ']'"},
		{ok + "---\nname: t\n", "scenarios: x.yaml:5: more than one YAML document"},
		{"name: s\nworkload: burn\ncases: [{name: a}]\nmodles: [serial]\n", `scenarios: x.yaml:4: unknown field "modles" (did you mean "models"?)`},
		{ok + "limits: {cpu: 1s}\n", `scenarios: x.yaml:5: limits: unknown field "cpu"`},
		{ok + "cases: [{name: b}]\n", `scenarios: x.yaml:5: field "cases" given twice (first on line 4)`},
		{"name: s\nworkload: burn\ncases: [{name: a, stdn: x}]\n", `scenarios: x.yaml:3: cases[0]: unknown field "stdn" (did you mean "stdin"?)`},
		{ok + "generate: {kind: sort, sizes: [1], seeds: 2}\n", `scenarios: x.yaml:5: generate: unknown field "seeds" (did you mean "seed"?)`},
		{ok + "repeat: 99999999999999999999\n", `scenarios: x.yaml:5: repeat: want an integer, got "9999999..."`},
		{ok + "repeat: many\n", `scenarios: x.yaml:5: repeat: want an integer, got "many"`},
		{ok + "parallel: [1, two]\n", `scenarios: x.yaml:5: parallel[1]: want an integer, got "two"`},
		{ok + "models: serial\n", `scenarios: x.yaml:5: models: want a list, got "serial"`},
		{ok + "limits: [1s]\n", `scenarios: x.yaml:5: limits: want a mapping, got a list`},
		{"name: s\nworkload: burn\ncases:\n  - name: a\n    count: x\n", `scenarios: x.yaml:5: cases[0].count: want an integer, got "x"`},
		{ok + "limits:\n  cpu_time: abc\n", `scenarios: x.yaml:6: limits.cpu_time: invalid duration "abc": not a Go duration (e.g. 500ms, 2s)`},
		{ok + "limits: {real_time: 5}\n", `scenarios: x.yaml:5: limits.real_time: invalid duration "5": missing unit (e.g. 500ms, 2s)`},
		{ok + "limits: {memory: 1MB}\n", `scenarios: x.yaml:5: limits.memory: invalid size "1MB": unknown unit "MB" (use B, K/KiB, M/MiB, G/GiB)`},
		{ok + "limits: {memory: 1K}\n", `scenarios: x.yaml:5: limits: memory limit must be at least 1MiB`},
		{ok + "limits: {processes: -1}\n", `scenarios: x.yaml:5: limits.processes: -1 is less than 1`},
		{ok + "harness_hold: lots\n", `scenarios: x.yaml:5: harness_hold: invalid size "lots": missing number`},
		{"name: s\nworkload: burn\n", "scenarios: x.yaml: no cases (give cases or generate)"},
		{"name: s\nworkload: burn\ncases: []\n", "scenarios: x.yaml: no cases (give cases or generate)"},
		{"name: s\nworkload: nosuch\ncases: [{name: a}]\n", `scenarios: x.yaml:2: workload "nosuch" is not built in ("judgebench work" lists them)`},
		{"name: s\nworkload: burn\ncases:\n  - name: a\n    workload: nosuch\n", `scenarios: x.yaml:5: case "a": workload "nosuch" is not built in ("judgebench work" lists them)`},
		{"name: s\nworkload: burn\nprogram: [./a]\ncases: [{name: a}]\n", "scenarios: x.yaml:3: give workload or program, not both"},
		{"name: s\ncases: [{name: a}]\n", `scenarios: x.yaml:2: case "a" has no workload: give workload or program, or a workload in every case`},
		{"name: s\nprogram: []\ncases: [{name: a}]\n", "scenarios: x.yaml:2: program: empty (give the program's path, then its arguments, as a list)"},
		{ok + "parallel: [1, 0]\n", "scenarios: x.yaml:5: parallel[1]: 0 is less than 1"},
		{ok + "gomaxprocs: [-1]\n", "scenarios: x.yaml:5: gomaxprocs[0]: -1 is negative (0 means the default)"},
		{ok + "repeat: -1\n", "scenarios: x.yaml:5: repeat: -1 is less than 1"},
		{ok + "repeat: 0\n", "scenarios: x.yaml:5: repeat: 0 is less than 1"},
		{ok + "models: []\n", "scenarios: x.yaml:5: models: an empty list (leave it out for the default)"},
		{ok + "limits: {cpu_time: 0s}\n", "scenarios: x.yaml:5: limits.cpu_time: must be more than 0 (leave it out for the default)"},
		{ok + "limits: {memory: 0}\n", "scenarios: x.yaml:5: limits.memory: must be more than 0 (leave it out for the default)"},
		{ok + "limits: {processes: 0}\n", "scenarios: x.yaml:5: limits.processes: 0 is less than 1"},
		{ok + "checker: float:x\n", `scenarios: x.yaml:5: checker: checker float:x: tolerance "x" is not a number`},
		{ok + "pin: sometimes\n", `scenarios: x.yaml:5: pin: unknown pin setting "sometimes" (use off, on, both)`},
		{ok + "models: [pool, serail]\n", `scenarios: x.yaml:5: models[1]: unknown model "serail" (did you mean "serial"? use serial, pool, process, inproc, pool-fireforget, pool-firsterr, pool-exitblind)`},
		{ok + "measure:\n  - exact\n  - rusage\n", `scenarios: x.yaml:7: measure[1]: unknown measure mode "rusage" (use exact, rusage-children, ru-maxrss)`},
		{"name: s\nworkload: burn\ncases:\n  - name: a\n    count: -2\n", `scenarios: x.yaml:5: case "a": count -2 is not in 0..10000`},
		{"name: s\nworkload: burn\ncases:\n  - workload: segv\n", "scenarios: x.yaml:4: cases[0]: no name"},
		{"name: s\nworkload: burn\ncases:\n  - name: a b\n", `scenarios: x.yaml:4: case name "a b" has white space`},
		{"name: s\nworkload: burn\ncases:\n  - name: a\n    expect_verdict: OK\n", `scenarios: x.yaml:5: cases[0].expect_verdict: unknown verdict "OK" (use ACCEPTED, WRONG_ANSWER, CPU_TIME_LIMIT_EXCEEDED, REAL_TIME_LIMIT_EXCEEDED, MEMORY_LIMIT_EXCEEDED, OUTPUT_LIMIT_EXCEEDED, RUNTIME_ERROR, SYSTEM_ERROR)`},
		{"name: s\nworkload: burn\ncases:\n  - name: a\n    count: 2\n  - name: a-2\n", `scenarios: x.yaml:6: two cases named "a-2"`},
		{"name: s\ngenerate: {kind: shuffle, sizes: [1]}\n", `scenarios: x.yaml:2: generate.kind: "shuffle" is not a generator (the one there is: sort)`},
		{"name: s\ngenerate: {kind: sort}\n", "scenarios: x.yaml:2: generate.sizes: give at least one size"},
		{"name: s\ngenerate:\n  kind: sort\n  sizes: [10, 0]\n", "scenarios: x.yaml:4: generate.sizes[1]: 0 is not in 1..10000000"},
		{"name: s\ngenerate:\n  kind: sort\n  sizes: [10, 10]\n", `scenarios: x.yaml:4: two cases named "sort-10"`},
		{"name: s\nsummary: |\n  two\n  lines\nworkload: burn\ncases: [{name: a}]\n", "scenarios: x.yaml:2: summary: more than one line"},
		{"name: s\nargs: &a [*a]\n", "scenarios: x.yaml:2: args: want a string, got a list"},
		{"name: s\nworkload: burn\ncases:\n  - name: a\n    name: b\n", `scenarios: x.yaml:5: cases[0]: field "name" given twice (first on line 4)`},
	}
	for _, tt := range tests {
		_, err := Parse("x.yaml", []byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v; want %s", tt.in, err, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join("testdata", "program.yaml")
	s, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%q): %v", path, err)
	}
	if s.File != path || s.Name != "program" || len(s.Program) != 2 {
		t.Errorf("Load(%q) = File %q, Name %q, Program %q; want %q, %q, 2 words", path, s.File, s.Name, s.Program, path, "program")
	}
	cases, err := s.Expand()
	if err != nil {
		t.Fatalf("Load(%q).Expand(): %v", path, err)
	}
	if len(cases) != 3 {
		t.Fatalf("Load(%q).Expand() = %d cases; want 3", path, len(cases))
	}

	missing := filepath.Join(t.TempDir(), "nosuch.yaml")
	_, err = Load(missing)
	want := "scenarios: " + missing + ": no such file or directory"
	if err == nil || err.Error() != want || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(%q) = %v; want %s, matching fs.ErrNotExist", missing, err, want)
	}

	bad := filepath.Join("testdata", "badline.yaml")
	_, err = Load(bad)
	if err == nil || !strings.HasPrefix(err.Error(), "scenarios: "+bad+":9: ") {
		t.Errorf("Load(%q) = %v; want an error at line 9", bad, err)
	}
}
