package scenarios

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/judgebench/judgebench/sandbox"
)

func TestExpand(t *testing.T) {
	in1, out1 := SortCase(3, 7)
	in2, out2 := SortCase(5, 8)
	tests := []struct {
		name string
		s    Scenario
		want []Case
	}{{
		name: "count expands to numbered names",
		s:    Scenario{Workload: "burn", Args: []string{"1ms"}, Cases: []CaseSpec{{Name: "a", Count: 3}, {Name: "b", Count: 1}, {Name: "c"}}},
		want: []Case{
			{Name: "a-1", Workload: "burn", Args: []string{"1ms"}},
			{Name: "a-2", Workload: "burn", Args: []string{"1ms"}},
			{Name: "a-3", Workload: "burn", Args: []string{"1ms"}},
			{Name: "b", Workload: "burn", Args: []string{"1ms"}},
			{Name: "c", Workload: "burn", Args: []string{"1ms"}},
		},
	}, {
		name: "case args and workload override",
		s: Scenario{Workload: "burn", Args: []string{"1ms"}, Cases: []CaseSpec{
			{Name: "long", Args: []string{"5ms"}},
			{Name: "none", Args: []string{}},
			{Name: "crash", Workload: "segv", ExpectVerdict: sandbox.RuntimeError},
			{Name: "exit", Workload: "exit", Args: []string{"3"}},
		}},
		want: []Case{
			{Name: "long", Workload: "burn", Args: []string{"5ms"}},
			{Name: "none", Workload: "burn", Args: []string{}},
			{Name: "crash", Workload: "segv", ExpectVerdict: sandbox.RuntimeError},
			{Name: "exit", Workload: "exit", Args: []string{"3"}},
		},
	}, {
		name: "program with inline stdin and expect",
		s:    Scenario{Program: []string{"./a.out"}, Args: []string{"-v"}, Cases: []CaseSpec{{Name: "ok", Stdin: "1\n", Expect: "2\n"}, {Name: "crash", Workload: "segv"}}},
		want: []Case{
			{Name: "ok", Program: []string{"./a.out"}, Args: []string{"-v"}, Stdin: []byte("1\n"), Expect: []byte("2\n")},
			{Name: "crash", Workload: "segv"},
		},
	}, {
		name: "generate after cases, seed+i",
		s:    Scenario{Cases: []CaseSpec{{Name: "x", Workload: "sleep", Args: []string{"1ms"}}}, Generate: &Generate{Kind: "sort", Sizes: []int{3, 5}, Seed: 7}},
		want: []Case{
			{Name: "x", Workload: "sleep", Args: []string{"1ms"}},
			{Name: "sort-3", Workload: "sort", Stdin: in1, Expect: out1},
			{Name: "sort-5", Workload: "sort", Stdin: in2, Expect: out2},
		},
	}, {
		name: "generate runs the program",
		s:    Scenario{Program: []string{"./mysort"}, Generate: &Generate{Kind: "sort", Sizes: []int{3}, Seed: 7}},
		want: []Case{{Name: "sort-3", Program: []string{"./mysort"}, Stdin: in1, Expect: out1}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.s.Expand()
			if err != nil {
				t.Fatalf("Expand() error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Expand() = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestExpandDoesNotAlias(t *testing.T) {
	s := Scenario{Workload: "burn", Args: []string{"1ms"}, Cases: []CaseSpec{{Name: "a", Count: 2}}}
	cases, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	cases[0].Args[0] = "changed"
	if s.Args[0] != "1ms" || cases[1].Args[0] != "1ms" {
		t.Errorf("changing a case's Args changed the scenario's or another case's: %q, %q", s.Args, cases[1].Args)
	}
}

func TestExpandErrors(t *testing.T) {
	tests := []struct {
		s    Scenario
		want string
	}{
		{Scenario{Name: "e"}, `scenarios: scenario "e": no cases`},
		{Scenario{Name: "d", Workload: "burn", Cases: []CaseSpec{{Name: "a", Count: 2}, {Name: "a-1"}}}, `scenarios: scenario "d": two cases named "a-1"`},
		{Scenario{Name: "g", Cases: []CaseSpec{{Name: "sort-1", Workload: "sleep"}}, Generate: &Generate{Kind: "sort", Sizes: []int{1}}}, `scenarios: scenario "g": two cases named "sort-1"`},
	}
	for _, tt := range tests {
		_, err := tt.s.Expand()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%+v.Expand() = %v; want %s", tt.s, err, tt.want)
		}
	}
}

// TestExpandParsed checks the round trip from a file to cases.
func TestExpandParsed(t *testing.T) {
	in := `name: r
workload: burn
args: [1ms]
cases:
  - {name: f, workload: exit, args: [3], expect_verdict: RUNTIME_ERROR, count: 2}
generate: {kind: sort, sizes: [4, 9], seed: 10}
`
	s, err := Parse("r.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	cases, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cases {
		names = append(names, c.Name)
	}
	if want := []string{"f-1", "f-2", "sort-4", "sort-9"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("Parse(%q).Expand() names = %q; want %q", in, names, want)
	}
	if c := cases[1]; c.Workload != "exit" || !reflect.DeepEqual(c.Args, []string{"3"}) || c.ExpectVerdict != sandbox.RuntimeError {
		t.Errorf("case f-2 = %+v; want exit 3, RUNTIME_ERROR", c)
	}
	for i, n := range []int{4, 9} {
		in, out := SortCase(n, 10+int64(i))
		c := cases[2+i]
		if c.Workload != "sort" || !bytes.Equal(c.Stdin, in) || !bytes.Equal(c.Expect, out) {
			t.Errorf("case %s = %+v; want SortCase(%d, %d)", c.Name, c, n, 10+i)
		}
	}
}

// TestExpandChecker: every case of a scenario, made by hand or generated,
// is compared with the scenario's checker.
func TestExpandChecker(t *testing.T) {
	s := &Scenario{Name: "c", Workload: "sort", Cases: []CaseSpec{{Name: "a"}}, Generate: &Generate{Kind: "sort", Sizes: []int{3}},
		Checker: sandbox.CheckTokens}
	cases, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Checker != sandbox.CheckTokens {
			t.Errorf("case %s: checker %v; want tokens", c.Name, c.Checker)
		}
	}
}
