package report

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/judgebench/judgebench/results"
)

// column is one column of the group table.
type column struct {
	head  string
	right bool // numbers: aligned right
	cell  func(*results.Group) string
}

// columns are the columns of the group table.
var columns = []column{
	{"model", false, func(g *results.Group) string { return g.Model }},
	{"measure", false, func(g *results.Group) string { return g.Measure }},
	{"par", true, func(g *results.Group) string { return strconv.Itoa(g.Parallelism) }},
	{"gomaxprocs", true, func(g *results.Group) string { return strconv.Itoa(g.GOMAXPROCS) }},
	{"pinned", false, func(g *results.Group) string { return yesNo(g.Pinned) }},
	{"n", true, func(g *results.Group) string { return strconv.Itoa(g.N) }},
	{"cpu ms median", true, func(g *results.Group) string { return ms(g.CPUTimeMS.Median) }},
	{"cpu ms p95", true, func(g *results.Group) string { return ms(g.CPUTimeMS.P95) }},
	{"real ms median", true, func(g *results.Group) string { return ms(g.RealTimeMS.Median) }},
	{"real ms p95", true, func(g *results.Group) string { return ms(g.RealTimeMS.P95) }},
	{"memory MiB median", true, func(g *results.Group) string { return fmt.Sprintf("%.1f", mib(g.MemoryBytes.Median)) }},
	{"inflation", true, func(g *results.Group) string { return ratio(g.Inflation) }},
	{"cpu/serial", true, func(g *results.Group) string { return ratio(g.CPUVsSerial) }},
	{"faults reported/injected", true, func(g *results.Group) string {
		return fmt.Sprintf("%d/%d", g.FaultsReported, g.FaultsInjected)
	}},
	{"lost", true, func(g *results.Group) string { return strconv.Itoa(g.FaultsLost) }},
	{"flips", true, func(g *results.Group) string { return strconv.Itoa(g.VerdictFlips) }},
	{"cases/s", true, func(g *results.Group) string { return fmt.Sprintf("%.2f", g.ThroughputCasesPerS) }},
}

// tableRows returns the cells of the group table, a row per group.
func tableRows(groups []results.Group) [][]string {
	rows := make([][]string, len(groups))
	for i := range groups {
		row := make([]string, len(columns))
		for j, c := range columns {
			row[j] = c.cell(&groups[i])
		}
		rows[i] = row
	}
	return rows
}

// markdownTable writes the group table of v as a Markdown table.
func markdownTable(p *printer, v *view) {
	var head, rule []string
	for _, c := range columns {
		head = append(head, c.head)
		rule = append(rule, map[bool]string{false: "---", true: "---:"}[c.right])
	}
	p.printf("| %s |\n|%s|\n", strings.Join(head, " | "), strings.Join(rule, "|"))
	for _, row := range tableRows(v.groups) {
		for i := range row {
			row[i] = mdText(row[i])
		}
		p.printf("| %s |\n", strings.Join(row, " | "))
	}
}

// ms formats milliseconds with about four significant digits.
func ms(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 100:
		return fmt.Sprintf("%.1f", v)
	case v >= 10:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// ratio formats a ratio; 0, which means unknown, is a dash.
func ratio(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
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
		{"go", orUnknown(m.GoVersion) + fmt.Sprintf(", GOMAXPROCS default %d", m.GOMAXPROCSDefault)},
		{"governor", cmp.Or(m.Governor, "none (no cpufreq)")},
		{"settings", fmt.Sprintf("models %s; measure %s; parallel %s; gomaxprocs %s; pin %s; repeat %d",
			strings.Join(s.Models, ","), strings.Join(s.Measure, ","), ints(s.Parallel), ints(s.GOMAXPROCS), orUnknown(s.Pin), s.Repeat)},
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
