package results

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testRun returns a run header with every kind of field set.
func testRun() Run {
	start := time.Now() // with a monotonic reading and the local zone
	return Run{
		Schema:     "ignored",
		Target:     "./sol <&>",
		StartedAt:  start,
		FinishedAt: start.Add(1500 * time.Millisecond),
		Settings: Settings{
			Models: []Model{"serial", "pool"}, Measure: []Measure{"exact"}, Parallel: []int{1, 4},
			GOMAXPROCS: []int{4}, Pin: "off", Repeat: 3, Seed: 42, CPUTime: "1s", Cgroup: "auto",
		},
		Machine: Machine{Hostname: "h", LogicalCores: 8, DoctorWarnings: []string{"governor is powersave"}},
		Samples: []Sample{smp(poolExact, "ignored", 1, 1)},
		Groups:  []Group{{N: 99}},
	}
}

func testSamples() []Sample {
	a := verdict(smp(serialExact, "1", 10.5, 11.25), Accepted, "")
	b := verdict(smp(poolExact, "1", 12.001, 30), WrongAnswer, "")
	c := verdict(smp(poolExact, "2", 3, 4), RuntimeError, RuntimeError)
	b.Error, c.Signal, c.MemoryBytes, c.StartOffsetMS = "wrong <answer> & more", 11, 1<<20, 5.5
	return []Sample{a, b, c}
}

// entries returns the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}

func TestWriterRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "results", "x")
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	samples := testSamples()
	for i := range samples {
		samples[i].Executor = ExecutorSandbox // as the harness records them
	}
	var wg sync.WaitGroup
	for _, s := range samples {
		wg.Go(func() {
			if err := w.Add(s); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	key := poolExact
	key.Executor = ExecutorSandbox
	info := map[Key]GroupInfo{key: {FaultsInjected: 2, Elapsed: time.Second}}
	run := testRun()
	path, err := w.Finish(run, info)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, FileName); path != want {
		t.Errorf("Finish() = %q; want %q", path, want)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{FileName}) {
		t.Errorf("files after Finish = %q; want only %s", got, FileName)
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !got.StartedAt.Equal(run.StartedAt) || !got.FinishedAt.Equal(run.FinishedAt) {
		t.Errorf("Read times = %v, %v; want %v, %v", got.StartedAt, got.FinishedAt, run.StartedAt, run.FinishedAt)
	}
	bySample := func(a, b Sample) int { return cmp.Or(CompareKeys(a.Key(), b.Key()), strings.Compare(a.Case, b.Case)) }
	slices.SortFunc(got.Samples, bySample)
	slices.SortFunc(samples, bySample)
	for i := range samples { // case 1 has a reference, serial's ACCEPTED; case 2 none
		if samples[i].Case == "1" {
			samples[i].ReferenceVerdict = Accepted
		}
	}
	want := run
	want.Schema, want.Samples, want.Groups = Schema, samples, ComputeGroups(samples, info)
	got.StartedAt, got.FinishedAt, want.StartedAt, want.FinishedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Read(Finish(run)) = %+v\nwant %+v", *got, want)
	}
}

func TestWriterFile(t *testing.T) {
	path, data := writeRun(t)
	if !json.Valid(data) {
		t.Errorf("run.json is not valid JSON:\n%s", data)
	}
	if prefix := `{"schema":"judgebench/run/v1"`; !bytes.HasPrefix(data, []byte(prefix)) {
		t.Errorf("run.json starts with %.40q; want %q", data, prefix)
	}
	// One line for the header, "samples", each sample, "],", "groups", each group, "]}".
	if got, want := bytes.Count(data, []byte("\n")), 1+1+3+1+1+2+1; got != want {
		t.Errorf("run.json has %d lines; want %d:\n%s", got, want, data)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("run.json mode = %v, %v; want -rw-r--r--", fi.Mode(), err)
	}
}

func TestWriterEmpty(t *testing.T) {
	w, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	path, err := w.Finish(Run{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if run.Samples == nil || len(run.Samples) != 0 || run.Groups == nil || len(run.Groups) != 0 {
		t.Errorf("Read(empty run) samples, groups = %#v, %#v; want empty, non-nil", run.Samples, run.Groups)
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	nan := smp(poolExact, "nan", math.NaN(), 1)
	tests := []struct {
		name string
		in   Sample
		want string
	}{
		{"empty verdict", verdict(smp(poolExact, "a", 1, 1), "", ""), `results: add: case "a": empty verdict`},
		{"unknown verdict", verdict(smp(poolExact, "a", 1, 1), "OK", ""), `results: add: case "a": unknown verdict "OK"`},
		{"unknown expected", verdict(smp(poolExact, "a", 1, 1), Accepted, "TLE"), `unknown expected_verdict "TLE"`},
		{"NaN", nan, `results: add: case "nan": json: unsupported value: NaN`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := w.Add(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Add(%s) = %v; want %q", tt.name, err, tt.want)
			}
		})
	}
	if _, err := w.Finish(Run{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Finish(Run{}, nil); err == nil || err.Error() != "results: finish: writer is finished" {
		t.Errorf("second Finish() = %v; want writer is finished", err)
	}
	if err := w.Add(smp(poolExact, "a", 1, 1)); err == nil {
		t.Errorf("Add after Finish = nil; want an error")
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Finish = %v; want nil", err)
	}
	if _, err := Create(dir); !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), FileName) {
		t.Errorf("Create(dir with run.json) = %v; want an error naming run.json, wrapping fs.ErrExist", err)
	}
}

func TestWriterAbort(t *testing.T) {
	tests := []struct {
		name     string
		other    bool // dir holds another file
		wantDir  bool
		wantList []string
	}{
		{"made by Create", false, false, nil},
		{"holding another file", true, true, []string{"notes.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			if tt.other {
				os.Mkdir(dir, 0o755)
				os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644)
			}
			w, err := Create(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Add(smp(poolExact, "a", 1, 1)); err != nil {
				t.Fatal(err)
			}
			if err := w.Abort(); err != nil {
				t.Fatal(err)
			}
			_, err = os.Stat(dir)
			if gotDir := err == nil; gotDir != tt.wantDir {
				t.Fatalf("Abort(): dir exists = %v; want %v", gotDir, tt.wantDir)
			}
			if tt.wantDir {
				if got := entries(t, dir); !slices.Equal(got, tt.wantList) {
					t.Errorf("Abort(): files = %q; want %q", got, tt.wantList)
				}
			}
			if _, err := w.Finish(Run{}, nil); err == nil {
				t.Errorf("Finish after Abort = nil; want an error")
			}
		})
	}
}

// TestCreateNew: runs started in the same second, even at once, each get a
// directory of their own, named after the time and the target.
func TestCreateNew(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "results")
	at := time.Date(2026, 11, 30, 5, 32, 49, 0, time.FixedZone("CET", 3600))
	const n = 8
	dirs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			w, err := CreateNew(parent, "problems/a b.yaml", at)
			if errs[i] = err; err == nil {
				dirs[i] = filepath.Base(w.Dir())
				_, errs[i] = w.Finish(Run{}, nil)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("CreateNew = %v", err)
		}
	}
	slices.Sort(dirs)
	want := []string{"20261130T043249Z-a_b"}
	for i := 2; i <= n; i++ {
		want = append(want, fmt.Sprintf("20261130T043249Z-a_b-%d", i))
	}
	slices.Sort(want)
	if !slices.Equal(dirs, want) {
		t.Errorf("CreateNew %d times in one second = %q; want %q", n, dirs, want)
	}
	w, err := CreateNew(parent, "x", at)
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if _, err := os.Stat(w.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Abort of a run CreateNew made: %s still exists (%v)", w.Dir(), err)
	}
}

// TestFinishNeverReplaces: two writers of one directory (two runs given the
// same --out) cannot both finish: the second says so and keeps its samples.
func TestFinishNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	a, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []*Writer{a, b} {
		if err := w.Add(smp(poolExact, "a", 1, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Finish(Run{Target: "a"}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = b.Finish(Run{Target: "b"}, nil)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "samples are kept in") {
		t.Fatalf("second Finish in one directory = %v; want an error wrapping fs.ErrExist that names the samples", err)
	}
	if run, err := Read(dir); err != nil || run.Target != "a" {
		t.Errorf("run.json after both = %+v, %v; want the first run's", run, err)
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, ".samples-*.tmp")); len(kept) != 1 {
		t.Errorf("samples files left: %q; want the second run's", kept)
	}
}
