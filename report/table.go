package report

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/judgebench/judgebench/results"
)

// markdownTable writes the group table of v as a Markdown table.
func markdownTable(p *printer, v *view) {
	if p.err == nil {
		p.err = results.WriteMarkdownTable(p.w, v.groups)
	}
}

// fact is one line of a run's description.
type fact struct{ key, value string }

// facts describes v's run: target, times, machine and settings.
func facts(v *view) []fact {
	r, m := v.run, v.run.Machine
	smt := "no SMT"
	if m.SMT {
		smt = "SMT"
	}
	cpu := fmt.Sprintf("%s, %d logical / %d physical cores, %s", orUnknown(m.CPUModel), m.LogicalCores, m.PhysicalCores, smt)
	if m.ContainerCPULimit > 0 {
		cpu += fmt.Sprintf(", CPU quota %.2g", m.ContainerCPULimit)
	}
	started := r.StartedAt.Format(time.RFC3339Nano)
	if !r.FinishedAt.IsZero() && r.FinishedAt.After(r.StartedAt) {
		started += fmt.Sprintf(" (%.1f s)", r.FinishedAt.Sub(r.StartedAt).Seconds())
	}
	s := r.Settings
	return []fact{
		{"target", orUnknown(r.Target)},
		{"started_at", started},
		{"machine", cpu},
		{"kernel", orUnknown(m.Kernel)},
		{"cgroup", orUnknown(m.CgroupVersion)},
		{"isolation", isolationOf(r)},
		{"go", orUnknown(m.GoVersion) + fmt.Sprintf(", GOMAXPROCS default %d", m.GOMAXPROCSDefault)},
		{"governor", cmp.Or(m.Governor, "none (no cpufreq)")},
		{"settings", fmt.Sprintf("models %s; measure %s; parallel %s; gomaxprocs %s; pin %s; repeat %d",
			join(s.Models), join(s.Measure), ints(s.Parallel), ints(s.GOMAXPROCS), orUnknown(s.Pin.String()), s.Repeat)},
	}
}

// warnings returns the doctor's and the sandbox's warnings of v's machine.
func warnings(v *view) []string {
	var out []string
	for _, w := range v.run.Machine.DoctorWarnings {
		out = append(out, "doctor: "+w)
	}
	for _, w := range v.run.Machine.SandboxWarnings {
		out = append(out, "sandbox: "+w)
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func ints(x []int) string {
	s := make([]string, len(x))
	for i, n := range x {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// join joins the names of list with commas.
func join[T fmt.Stringer](list []T) string {
	s := make([]string, len(list))
	for i, x := range list {
		s[i] = x.String()
	}
	return strings.Join(s, ",")
}

// isolationOf names the isolation r's programs ran at: that of its samples
// measured exact, else its settings'.
func isolationOf(r *results.Run) string {
	for i := range r.Samples {
		if s := &r.Samples[i]; s.Measure == results.Exact && s.Model != results.InProc {
			return s.Isolation.String()
		}
	}
	return orUnknown(r.Settings.Isolation.String())
}
