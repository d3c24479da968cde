package results

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// exportFormat is one way Export can write a run.
type exportFormat struct {
	name  string
	write func(w *bufio.Writer, run *Run) error
}

// formats are Export's formats, in the order ExportFormats lists them.
var formats = []exportFormat{
	{"gobench", writeGobench},
	{"csv", writeCSV},
	{"markdown", writeMarkdown},
}

// ExportFormats returns the names of the formats [Export] writes:
// "gobench", "csv" and "markdown".
func ExportFormats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// Export writes run to w in format, one of [ExportFormats]; an unknown format
// is an error that lists the known ones, and nothing is written. Every format
// lists the samples sorted by group key (model, measure, parallelism,
// GOMAXPROCS, unpinned first), then case, then repetition, so the same run
// always exports to the same bytes.
//
// "gobench" is the Go benchmark format
// (https://go.dev/design/14313-benchmark-format), so that benchstat reads it.
// Configuration lines come first: goos, pkg ("judgebench/" and the target,
// less a leading '/'), cpu, judgebench-schema, target, cgroup and kernel, each
// left out when unknown, and "interrupted: true" for an interrupted run; a
// value is put on one line, each run of white space made one space. There is
// no goarch line: run.json does not record the architecture. Then comes one line per sample,
// of one iteration, with its real time in ns/op, its CPU time in cpu-ns/op
// and, unless it is 0 (not measured), its peak memory in maxrss-B/op:
//
//	BenchmarkJudge/model=pool/measure=exact/par=2/gomaxprocs=2/case=sort-3-2 1 4120000 ns/op 4010000 cpu-ns/op 2097152 maxrss-B/op
//
// "/pinned=true" follows gomaxprocs in the name of a pinned sample. The
// trailing -N, which benchstat takes for GOMAXPROCS, is the sample's
// GOMAXPROCS. In the values of the name, white space, control characters and
// '/' are replaced by '_'. Every sample is exported whatever its verdict (its
// times were measured all the same): benchstat summarises every sample,
// failed ones included.
//
// "csv" is a header row of the names of the sample fields of run.json, in
// run.json's order (case, model, measure, ..., involuntary_switches,
// worker_ms), then one row per sample: numbers in the fewest digits that read
// back exactly, booleans as true or false, text as it is.
//
// "markdown" is one Markdown table of the groups, with the columns of
// report.md (groups computed from the samples when run has none).
func Export(w io.Writer, run *Run, format string) error {
	i := slices.IndexFunc(formats, func(f exportFormat) bool { return f.name == format })
	if i < 0 {
		return fmt.Errorf("results: export: unknown format %q (want %s)", format, strings.Join(ExportFormats(), ", "))
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	err := formats[i].write(bw, run)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("results: export %s: %w", format, err)
	}
	return nil
}

// sorted returns pointers to samples in export order: by group key, then
// case, then repetition; ties keep the order of samples.
func sorted(samples []Sample) []*Sample {
	out := make([]*Sample, len(samples))
	for i := range samples {
		out[i] = &samples[i]
	}
	slices.SortStableFunc(out, func(a, b *Sample) int {
		return cmp.Or(CompareKeys(a.Key(), b.Key()), cmp.Compare(a.Case, b.Case), cmp.Compare(a.Repeat, b.Repeat))
	})
	return out
}

// writeGobench writes run in the Go benchmark format. Write errors stick in w.
func writeGobench(w *bufio.Writer, run *Run) error {
	m, target := &run.Machine, oneLine(run.Target)
	pkg := "judgebench"
	if t := strings.TrimLeft(target, "/"); t != "" {
		pkg += "/" + t // judgebench/tmp/x.yaml, not judgebench//tmp/x.yaml
	}
	interrupted := ""
	if run.Interrupted {
		interrupted = "true"
	}
	config := [][2]string{
		{"goos", "linux"},
		{"pkg", pkg},
		{"cpu", m.CPUModel},
		{"judgebench-schema", cmp.Or(run.Schema, Schema)},
		{"target", target},
		{"cgroup", m.CgroupVersion},
		{"kernel", m.Kernel},
		{"interrupted", interrupted},
	}
	for _, kv := range config {
		if v := oneLine(kv[1]); v != "" {
			fmt.Fprintf(w, "%s: %s\n", kv[0], v)
		}
	}
	for _, s := range sorted(run.Samples) {
		fmt.Fprintf(w, "Benchmark%s 1 %s ns/op %s cpu-ns/op", benchName(s), nanos(s.RealTimeMS), nanos(s.CPUTimeMS))
		if s.MemoryBytes != 0 {
			fmt.Fprintf(w, " %d maxrss-B/op", s.MemoryBytes)
		}
		w.WriteString("\n")
	}
	return nil
}

// benchName is the benchmark name of s, without "Benchmark".
func benchName(s *Sample) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Judge/model=%s/measure=%s/par=%d/gomaxprocs=%d", nameValue(s.Model.String()), nameValue(s.Measure.String()), s.Parallelism, s.GOMAXPROCS)
	if s.Pinned {
		b.WriteString("/pinned=true")
	}
	if s.Placement != "" && s.Placement != "spread" {
		b.WriteString("/placement=" + nameValue(s.Placement))
	}
	if s.Executor != "" && s.Executor != ExecutorSandbox {
		b.WriteString("/executor=" + nameValue(s.Executor))
	}
	fmt.Fprintf(&b, "/case=%s-%d", nameValue(s.Case), s.GOMAXPROCS)
	return b.String()
}

// nameValue returns v fit to be a value in a benchmark name: white space,
// which would end the name, control characters and '/', which would start a
// new key, become '_'.
func nameValue(v string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, v)
}

// oneLine returns s with each run of white space, line breaks included, made
// one space, and none at either end.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// nanos formats ms milliseconds as whole nanoseconds.
func nanos(ms float64) string {
	return strconv.FormatFloat(math.Round(ms*1e6)+0, 'f', -1, 64) // +0 makes -0 0
}

// csvColumns are the CSV columns: the sample fields of run.json.
var csvColumns = []struct {
	name string
	cell func(*Sample) string
}{
	{"case", func(s *Sample) string { return s.Case }},
	{"model", func(s *Sample) string { return s.Model.String() }},
	{"measure", func(s *Sample) string { return s.Measure.String() }},
	{"parallelism", func(s *Sample) string { return strconv.Itoa(s.Parallelism) }},
	{"gomaxprocs", func(s *Sample) string { return strconv.Itoa(s.GOMAXPROCS) }},
	{"pinned", func(s *Sample) string { return strconv.FormatBool(s.Pinned) }},
	{"isolation", func(s *Sample) string { return s.Isolation.String() }},
	{"repeat", func(s *Sample) string { return strconv.Itoa(s.Repeat) }},
	{"worker", func(s *Sample) string { return strconv.Itoa(s.Worker) }},
	{"seq", func(s *Sample) string { return strconv.Itoa(s.Seq) }},
	{"start_offset_ms", func(s *Sample) string { return float(s.StartOffsetMS) }},
	{"cpu_time_ms", func(s *Sample) string { return float(s.CPUTimeMS) }},
	{"user_time_ms", func(s *Sample) string { return float(s.UserTimeMS) }},
	{"sys_time_ms", func(s *Sample) string { return float(s.SysTimeMS) }},
	{"real_time_ms", func(s *Sample) string { return float(s.RealTimeMS) }},
	{"memory_bytes", func(s *Sample) string { return strconv.FormatInt(s.MemoryBytes, 10) }},
	{"memory_source", func(s *Sample) string { return s.MemorySource }},
	{"verdict", func(s *Sample) string { return s.Verdict.String() }},
	{"expected_verdict", func(s *Sample) string { return s.ExpectedVerdict.String() }},
	{"reference_verdict", func(s *Sample) string { return s.ReferenceVerdict.String() }},
	{"fault_injected", func(s *Sample) string { return strconv.FormatBool(s.FaultInjected) }},
	{"checker_message", func(s *Sample) string { return s.CheckerMessage }},
	{"exit_code", func(s *Sample) string { return strconv.Itoa(s.ExitCode) }},
	{"signal", func(s *Sample) string { return strconv.Itoa(s.Signal) }},
	{"error", func(s *Sample) string { return s.Error }},
	{"involuntary_switches", func(s *Sample) string { return strconv.FormatInt(s.InvoluntarySwitches, 10) }},
	{"worker_ms", func(s *Sample) string { return float(s.WorkerMS) }},
	{"placement", func(s *Sample) string { return s.Placement }},
	{"executor", func(s *Sample) string { return s.Executor }},
	{"judge", func(s *Sample) string { return judgeJSON(s.Judge) }},
}

// judgeJSON is a judge's report as compact JSON, "" for none.
func judgeJSON(j *JudgeReport) string {
	if j == nil {
		return ""
	}
	b, err := json.Marshal(j)
	if err != nil {
		return ""
	}
	return string(b)
}

// float formats v as run.json does, in the fewest digits that read back as v.
func float(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// writeCSV writes run's samples as CSV, a header row first.
func writeCSV(w *bufio.Writer, run *Run) error {
	cw := csv.NewWriter(w)
	row := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		row[i] = c.name
	}
	cw.Write(row) // errors stick in cw
	for _, s := range sorted(run.Samples) {
		for i, c := range csvColumns {
			row[i] = c.cell(s)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// writeMarkdown writes run's groups as one Markdown table, sorted by key.
func writeMarkdown(w *bufio.Writer, run *Run) error {
	groups := slices.Clone(run.Groups)
	if len(groups) == 0 && len(run.Samples) > 0 {
		groups = ComputeGroups(run.Samples, nil)
	}
	slices.SortStableFunc(groups, func(a, b Group) int { return CompareKeys(a.Key, b.Key) })
	return WriteMarkdownTable(w, groups)
}
