package results

import (
	"strings"
	"testing"
)

func TestFormatCPUList(t *testing.T) {
	for _, tt := range []struct {
		cpus []int
		want string
	}{
		{nil, ""},
		{[]int{0}, "0"},
		{[]int{1, 0}, "0-1"},
		{[]int{3, 0, 1, 2, 8, 10, 11, 12, 2}, "0-3,8,10-12"},
	} {
		if got := FormatCPUList(tt.cpus); got != tt.want {
			t.Errorf("FormatCPUList(%v) = %q; want %q", tt.cpus, got, tt.want)
		}
	}
}

func TestJudgeConfigs(t *testing.T) {
	got := JudgeConfigs(2, []int{2, 6}, true)
	want := map[string]string{
		"go-judge":             "go-judge -parallelism 2 -cpuset 2,6",
		"isolate":              "box0.cpus = 2\nbox1.cpus = 6",
		"QingdaoU JudgeServer": "docker run --cpuset-cpus 2,6 ...",
		"DMOJ":                 "taskset -c 2,6 dmoj ...",
	}
	if len(got) != len(want) {
		t.Fatalf("JudgeConfigs = %+v; want %d judges", got, len(want))
	}
	for _, c := range got {
		if c.Config != want[c.Judge] {
			t.Errorf("%s: %q; want %q", c.Judge, c.Config, want[c.Judge])
		}
	}
	if !strings.Contains(got[1].Note, "--cg") || !strings.Contains(got[3].Note, "unverified") {
		t.Errorf("notes %q, %q; want isolate's --cg and DMOJ unverified", got[1].Note, got[3].Note)
	}
	if unpinned := JudgeConfigs(2, []int{0, 1}, false); unpinned[1].Config != "box0.cpus = 0-1\nbox1.cpus = 0-1" {
		t.Errorf("unpinned isolate = %q; want every box on the set", unpinned[1].Config)
	}
	if JudgeConfigs(0, []int{0}, false) != nil || JudgeConfigs(1, nil, false) != nil {
		t.Error("JudgeConfigs of nothing safe or no CPU; want none")
	}
}
