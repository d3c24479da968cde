package results

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// TableColumn is one column of the group table.
type TableColumn struct {
	Head  string
	Right bool // numbers: aligned right
}

// tableColumns are the group table's columns, and how each cell is made.
var tableColumns = []struct {
	TableColumn
	cell func(*Group) string
}{
	{TableColumn{"model", false}, func(g *Group) string { return g.Model.String() }},
	{TableColumn{"measure", false}, func(g *Group) string { return g.Measure.String() }},
	{TableColumn{"par", true}, func(g *Group) string { return strconv.Itoa(g.Parallelism) }},
	{TableColumn{"gomaxprocs", true}, func(g *Group) string { return strconv.Itoa(g.GOMAXPROCS) }},
	{TableColumn{"pinned", false}, func(g *Group) string { return map[bool]string{false: "no", true: "yes"}[g.Pinned] }},
	{TableColumn{"n", true}, func(g *Group) string { return strconv.Itoa(g.N) }},
	{TableColumn{"verdicts", false}, func(g *Group) string { return VerdictCounts(g.Verdicts) }},
	{TableColumn{"cpu ms", true}, func(g *Group) string { return millis(g.CPUTimeMS.Median) }},
	{TableColumn{"cpu p95", true}, func(g *Group) string { return millis(g.CPUTimeMS.P95) }},
	{TableColumn{"real ms", true}, func(g *Group) string { return millis(g.RealTimeMS.Median) }},
	{TableColumn{"real p95", true}, func(g *Group) string { return millis(g.RealTimeMS.P95) }},
	{TableColumn{"mem MiB", true}, func(g *Group) string { return fmt.Sprintf("%.1f", g.MemoryBytes.Median/(1<<20)) }},
	{TableColumn{"inflation", true}, func(g *Group) string { return times(g.Inflation) }},
	{TableColumn{"cpu/serial", true}, func(g *Group) string { return times(g.CPUVsSerial) }},
	{TableColumn{"faults", true}, func(g *Group) string {
		return fmt.Sprintf("%d/%d", g.FaultsReported, g.FaultsInjected)
	}},
	{TableColumn{"lost", true}, func(g *Group) string { return strconv.Itoa(g.FaultsLost) }},
	{TableColumn{"flips", true}, func(g *Group) string { return strconv.Itoa(g.VerdictFlips) }},
	{TableColumn{"cases/s", true}, func(g *Group) string { return fmt.Sprintf("%.2f", g.ThroughputCasesPerS) }},
}

// GroupTable returns the group table as every view of the groups shows it
// (the terminal summary, report.md, report.html, `export --format
// markdown`): its columns, and its cells as plain text, a row per group in
// the order given. Times are medians and 95th percentiles in milliseconds,
// memory the median in MiB, faults "reported/injected".
func GroupTable(groups []Group) ([]TableColumn, [][]string) {
	cols := make([]TableColumn, len(tableColumns))
	for i, c := range tableColumns {
		cols[i] = c.TableColumn
	}
	rows := make([][]string, len(groups))
	for i := range groups {
		rows[i] = make([]string, len(tableColumns))
		for j, c := range tableColumns {
			rows[i][j] = c.cell(&groups[i])
		}
	}
	return cols, rows
}

// WriteMarkdownTable writes the group table of groups as a Markdown table.
func WriteMarkdownTable(w io.Writer, groups []Group) error {
	cols, rows := GroupTable(groups)
	head, rule := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		head[i], rule[i] = c.Head, map[bool]string{false: "---", true: "---:"}[c.Right]
	}
	if _, err := fmt.Fprintf(w, "| %s |\n|%s|\n", strings.Join(head, " | "), strings.Join(rule, "|")); err != nil {
		return err
	}
	for _, row := range rows {
		for i := range row {
			row[i] = MarkdownText(row[i])
		}
		if _, err := fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | ")); err != nil {
			return err
		}
	}
	return nil
}

// mdEscaper escapes what Markdown would take for markup in plain text.
// Underscores inside words, as in real_time, are no markup in GitHub's
// Markdown and are left alone for people who read the file.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "\n", " ", "\r", " ")

// MarkdownText returns s as Markdown text that shows as s, on one line.
func MarkdownText(s string) string { return mdEscaper.Replace(s) }

// millis formats milliseconds with about four significant digits.
func millis(v float64) string {
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

// times formats a ratio; 0, which means unknown, is a dash.
func times(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}
