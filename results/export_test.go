package results

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files")

// exportRun reads the hand-made run of testdata/export: two groups of three
// samples, one group pinned, case names with a space and a slash, one failed
// case in each group, one sample without memory.
func exportRun(t testing.TB) *Run {
	t.Helper()
	run, err := Read(filepath.Join("testdata", "export", FileName))
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// export returns run exported in format.
func export(t testing.TB, run *Run, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Export(&b, run, format); err != nil {
		t.Fatalf("Export(%s) = %v", format, err)
	}
	return b.Bytes()
}

func TestExportGolden(t *testing.T) {
	ext := map[string]string{"gobench": "gobench", "csv": "csv", "markdown": "md"}
	for _, format := range ExportFormats() {
		t.Run(format, func(t *testing.T) {
			got := export(t, exportRun(t), format)
			golden := filepath.Join("testdata", "export", "export."+ext[format]+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Export(%s) =\n%s\nwant (%s)\n%s", format, got, golden, want)
			}
		})
	}
}

// parseBenchLine parses line as benchfmt does a result line, "Benchmark",
// the name, the iterations and value-unit pairs separated by white space,
// and returns the name without "Benchmark".
func parseBenchLine(line string) (string, error) {
	f := strings.FieldsFunc(line, unicode.IsSpace)
	if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
		return "", fmt.Errorf("not Benchmark<name> <iterations> (<value> <unit>)+")
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return "", fmt.Errorf("iterations: %v", err)
	}
	for i := 2; i < len(f); i += 2 {
		if _, err := strconv.ParseFloat(f[i], 64); err != nil {
			return "", fmt.Errorf("value %d: %v", i/2, err)
		}
	}
	name := strings.TrimPrefix(f[0], "Benchmark")
	if first, _ := utf8.DecodeRuneInString(name); name == "" || unicode.IsLower(first) {
		return "", fmt.Errorf("name %q: not a benchmark name", name)
	}
	return name, nil
}

// isConfigLine reports whether line is a benchfmt configuration line with a
// value: a key of lower case letters, digits and dashes, ": ", a value.
func isConfigLine(line string) bool {
	key, value, ok := strings.Cut(line, ": ")
	return ok && key != "" && unicode.IsLower(rune(key[0])) && value != "" &&
		strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsUpper(r) }) < 0 &&
		strings.TrimSpace(value) == value && !strings.Contains(value, "\n")
}

func TestExportGobench(t *testing.T) {
	run := exportRun(t)
	lines := strings.Split(strings.TrimSuffix(string(export(t, run, "gobench")), "\n"), "\n")
	var names []string
	for i, line := range lines {
		if !strings.HasPrefix(line, "Benchmark") {
			if len(names) > 0 || !isConfigLine(line) {
				t.Errorf("line %d %q: want configuration lines, then result lines only", i+1, line)
			}
			continue
		}
		name, err := parseBenchLine(line)
		if err != nil {
			t.Errorf("line %d %q: %v", i+1, line, err)
		}
		names = append(names, name)
	}
	if len(names) != len(run.Samples) {
		t.Fatalf("gobench has %d result lines; want one per sample, %d", len(names), len(run.Samples))
	}
	// Sorted by group key, then case (as run.json names it), then repeat.
	pool, serial := "Judge/model=pool/measure=exact/par=2/gomaxprocs=2/pinned=true/", "Judge/model=serial/measure=exact/par=1/gomaxprocs=2/"
	want := []string{
		pool + "case=fault_exit-3-2", pool + "case=sort_1-2", pool + "case=sort-2-2",
		serial + "case=fault_exit-3-2", serial + "case=sort_1-2", serial + "case=sort-2-2",
	}
	if !slices.Equal(names, want) {
		t.Errorf("gobench names =\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
}

func TestExportCSV(t *testing.T) {
	run := exportRun(t)
	rows, err := csv.NewReader(bytes.NewReader(export(t, run, "csv"))).ReadAll()
	if err != nil {
		t.Fatalf("csv.ReadAll(Export(csv)) = %v", err)
	}
	if len(rows) != 1+len(run.Samples) {
		t.Fatalf("Export(csv) has %d rows; want a header and %d samples", len(rows), len(run.Samples))
	}
	// The header is run.json's sample fields, in their order.
	var want []string
	typ := reflect.TypeFor[Sample]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		want = append(want, name)
	}
	if !slices.Equal(rows[0], want) {
		t.Errorf("Export(csv) header = %q; want %q", rows[0], want)
	}
	// Every sample comes back: the rows hold the same values as run.json.
	got := map[string]bool{}
	for _, row := range rows[1:] {
		got[strings.Join(row[:3], "|")+"|"+row[slices.Index(want, "real_time_ms")]] = true
	}
	for _, s := range run.Samples {
		if key := fmt.Sprintf("%s|%s|%s|%v", s.Case, s.Model, s.Measure, s.RealTimeMS); !got[key] {
			t.Errorf("Export(csv) lacks sample %s; rows %q", key, rows[1:])
		}
	}
}

func TestExportMarkdown(t *testing.T) {
	run := exportRun(t)
	lines := strings.Split(strings.TrimSuffix(string(export(t, run, "markdown")), "\n"), "\n")
	if len(lines) != 2+len(run.Groups) {
		t.Fatalf("Export(markdown) = %q; want a head, a rule and %d groups", lines, len(run.Groups))
	}
	// Without groups, they are computed from the samples.
	noGroups := *run
	noGroups.Groups = nil
	if got, want := export(t, &noGroups, "markdown"), export(t, run, "markdown"); !bytes.Equal(got, want) {
		t.Errorf("Export(markdown) of a run without groups =\n%s\nwant\n%s", got, want)
	}
}

func TestExportEmpty(t *testing.T) {
	run := &Run{Schema: Schema}
	tests := map[string]string{
		"gobench":  "goos: linux\npkg: judgebench\njudgebench-schema: judgebench/run/v1\n",
		"csv":      "case,model,measure,",
		"markdown": "| model | measure |",
	}
	for _, format := range ExportFormats() {
		out := string(export(t, run, format))
		lines := strings.Count(out, "\n")
		if !strings.HasPrefix(out, tests[format]) || lines > 3 || strings.Contains(out, "Benchmark") {
			t.Errorf("Export(%s) of an empty run = %q; want %q..., no samples", format, out, tests[format])
		}
	}
}

func TestExportKeepsRun(t *testing.T) {
	run := exportRun(t)
	before := slices.Clone(run.Samples)
	for _, format := range ExportFormats() {
		export(t, run, format)
	}
	if !reflect.DeepEqual(run.Samples, before) {
		t.Errorf("Export reordered or changed run.Samples")
	}
}

func TestExportErrors(t *testing.T) {
	var b bytes.Buffer
	err := Export(&b, exportRun(t), "json")
	if err == nil || b.Len() > 0 {
		t.Fatalf("Export(json) = %v, wrote %q; want an error and nothing written", err, b.String())
	}
	for _, f := range ExportFormats() {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("Export(json) = %q; want it to list %q", err, f)
		}
	}
	broken := errors.New("disk full")
	for _, format := range ExportFormats() {
		if err := Export(failWriter{broken}, exportRun(t), format); !errors.Is(err, broken) {
			t.Errorf("Export(%s) to a failing writer = %v; want %v", format, err, broken)
		}
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// FuzzExport checks that any case, model or measure name gives a benchmark
// name without white space and with one '/' per key, on a line that parses.
func FuzzExport(f *testing.F) {
	f.Add("sort 1", "pool", "exact", false)
	f.Add("a/b\tc\n-3", "serial", "exact", true)
	f.Add("", "", "", false)
	f.Add("\u00a0\u2028x\x00\xff", "p o", "m/n", true)
	f.Add("-12", "Model", "99", false)
	f.Fuzz(func(t *testing.T, name, model, measure string, pinned bool) {
		s := Sample{Case: name, Model: Model(model), Measure: Measure(measure), Parallelism: 2, GOMAXPROCS: 3, Pinned: pinned,
			CPUTimeMS: 1.5, RealTimeMS: 2.25, MemoryBytes: 1 << 20, Verdict: Accepted}
		out := export(t, &Run{Target: name, Samples: []Sample{s}}, "gobench")
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		for _, line := range lines[:len(lines)-1] {
			if !isConfigLine(line) {
				t.Fatalf("case %q: configuration line %q does not parse", name, line)
			}
		}
		last := lines[len(lines)-1]
		got, err := parseBenchLine(last)
		if err != nil {
			t.Fatalf("case %q: line %q: %v", name, last, err)
		}
		slashes := 5
		if pinned {
			slashes++
		}
		if strings.Count(got, "/") != slashes || !strings.HasSuffix(got, "-3") {
			t.Fatalf("case %q: name %q; want %d '/' and the suffix -3", name, got, slashes)
		}
	})
}
