package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"syscall"
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
// path: where it is, its group table, what a process-model worker costs,
// and every case that did not get its expected verdict.
func WriteRunSummary(w io.Writer, path string, run *results.Run) error {
	p := &printer{w: w}
	p.printf("run: %s (%d samples)\n", path, len(run.Samples))
	if j := run.Machine.Judge; j != nil {
		p.printf("executor: %s %s (%s): the judge's own verdicts and figures\n", j.Executor, j.Version, j.Spec)
	}
	if p.err == nil {
		p.err = WriteGroupTable(w, run.Groups)
	}
	if cost, n := results.WorkerCost(run.Samples); n > 0 {
		p.printf("process model: a worker process costs %.1fms per case beyond the case itself (median of %d)\n", cost, n)
	}
	if p.err == nil {
		p.err = WriteFailures(w, run)
	}
	return p.err
}

// WriteFailures writes, when some judged sample of run missed its expected
// verdict, every such case, a line each; or that nothing could be measured.
func WriteFailures(w io.Writer, run *results.Run) error {
	p := &printer{w: w}
	if cause := results.Unmeasured(run.Samples); cause != "" {
		p.printf("nothing could be measured: %s\n", cause)
		return p.err
	}
	failures := results.Failures(run.Samples)
	if len(failures) > 0 {
		p.printf("%s of %d did not get the expected verdict:\n", plural(len(failures), "case", "cases"), caseCount(run.Samples))
	}
	for _, f := range failures {
		p.printf("  %s\n", FailureText(f))
	}
	return p.err
}

// FailureText says in one line what went wrong with a case: its verdicts
// against the expected one, where (when not everywhere), and why: where the
// output first differs, the exit status or signal, or the error.
func FailureText(f results.Failure) string {
	var got []string
	for _, v := range results.Verdicts() {
		if n := f.Got[v]; n > 0 {
			got = append(got, fmt.Sprintf("%s in %d of %d", v, n, f.N))
		}
	}
	s := fmt.Sprintf("case %s: %s (expected %s)", f.Case, strings.Join(got, ", "), f.Expected)
	if total := sum(f.Got); total < f.N {
		s += fmt.Sprintf(", first under %s", f.First.Key().Name())
	}
	if why := failureCause(&f.First); why != "" {
		s += ": " + why
	}
	return s
}

// failureCause is why s failed, in a few words: "" when its verdict says
// it all.
func failureCause(s *results.Sample) string {
	switch {
	case s.CheckerMessage != "":
		return s.CheckerMessage
	case s.Error != "":
		return s.Error
	case s.Verdict == results.RuntimeError && s.Signal != 0:
		return fmt.Sprintf("killed by signal %d (%v)", s.Signal, syscall.Signal(s.Signal))
	case s.Verdict == results.RuntimeError:
		return fmt.Sprintf("exit status %d", s.ExitCode)
	}
	return ""
}

func sum(m map[results.Verdict]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// caseCount is the number of distinct cases of samples.
func caseCount(samples []results.Sample) int {
	seen := make(map[string]bool)
	for i := range samples {
		seen[samples[i].Case] = true
	}
	return len(seen)
}

// WriteRunJSON writes the summary of `judgebench run --json`: the path of
// run.json, whether the run was interrupted, its number of samples, its
// groups, the cases that did not get their expected verdict, and why
// nothing could be measured ("" when something was).
func WriteRunJSON(w io.Writer, path string, run *results.Run) error {
	type failure struct {
		Case           string                  `json:"case"`
		Expected       results.Verdict         `json:"expected_verdict"`
		Got            map[results.Verdict]int `json:"verdicts"`
		N              int                     `json:"n"`
		Group          string                  `json:"first_group"`
		Error          string                  `json:"error,omitempty"`
		CheckerMessage string                  `json:"checker_message,omitempty"`
	}
	failures := []failure{}
	for _, f := range results.Failures(run.Samples) {
		failures = append(failures, failure{f.Case, f.Expected, f.Got, f.N, f.First.Key().Name(), f.First.Error, f.First.CheckerMessage})
	}
	return writeJSON(w, struct {
		Run         string          `json:"run"`
		Interrupted bool            `json:"interrupted"`
		Samples     int             `json:"samples"`
		Groups      []results.Group `json:"groups"`
		Failures    []failure       `json:"failures"`
		Unmeasured  string          `json:"unmeasured,omitempty"`
	}{path, run.Interrupted, len(run.Samples), run.Groups, failures, results.Unmeasured(run.Samples)})
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
