package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/judgebench/judgebench/results"
)

// WriteGroupTable writes the group table (results.GroupTable) as aligned
// text for a terminal: numbers right, names left, two spaces apart.
func WriteGroupTable(w io.Writer, groups []results.Group) error {
	cols, rows := results.GroupTable(groups)
	head := make([]string, len(cols))
	right := make([]bool, len(cols))
	for i, c := range cols {
		head[i], right[i] = c.Head, c.Right
	}
	return writeAligned(w, right, append([][]string{head}, rows...))
}

// writeAligned writes rows as columns padded to their widest cell, aligned
// right where right says, two spaces apart, without trailing spaces.
func writeAligned(w io.Writer, right []bool, rows [][]string) error {
	width := make([]int, len(right))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i > 0 {
				line.WriteString("  ")
			}
			if right[i] {
				line.WriteString(pad + cell)
			} else {
				line.WriteString(cell + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteRunSummary writes what `judgebench run` prints of the run read from
// path: where it is, its group table, and what a process-model worker costs.
func WriteRunSummary(w io.Writer, path string, run *results.Run) error {
	p := &printer{w: w}
	p.printf("run: %s (%d samples)\n", path, len(run.Samples))
	if p.err == nil {
		p.err = WriteGroupTable(w, run.Groups)
	}
	if cost, n := results.WorkerCost(run.Samples); n > 0 {
		p.printf("process model: a worker process costs %.1fms per case beyond the case itself (median of %d)\n", cost, n)
	}
	return p.err
}

// WriteRunJSON writes the summary of `judgebench run --json`: the path of
// run.json, whether the run was interrupted, its number of samples and its
// groups.
func WriteRunJSON(w io.Writer, path string, run *results.Run) error {
	return writeJSON(w, struct {
		Run         string          `json:"run"`
		Interrupted bool            `json:"interrupted"`
		Samples     int             `json:"samples"`
		Groups      []results.Group `json:"groups"`
	}{path, run.Interrupted, len(run.Samples), run.Groups})
}

// WriteDoctor writes the doctor's findings, one aligned line each, "STATUS
// CHECK VALUE: WHY Fix: FIX", and the number of warnings.
func WriteDoctor(w io.Writer, findings []results.Finding) error {
	rows := make([][]string, len(findings))
	for i, f := range findings {
		text := f.Value + ": " + f.Why
		if f.Fix != "" {
			text += " Fix: " + f.Fix
		}
		rows[i] = []string{f.Status, f.Check, text}
	}
	if err := writeAligned(w, []bool{false, false, false}, rows); err != nil {
		return err
	}
	n := len(results.Warnings(findings))
	_, err := fmt.Fprintln(w, plural(n, "warning", "warnings"))
	return err
}

// WriteDoctorJSON writes the doctor's findings as a JSON array.
func WriteDoctorJSON(w io.Writer, findings []results.Finding) error { return writeJSON(w, findings) }

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
