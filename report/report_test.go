package report

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (go test -update rewrites it); got:\n%s", name, path, got)
	}
}

func TestGolden(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := readFixture(t, name)
			v := newView(in)
			var table, diag bytes.Buffer
			markdownTable(&printer{w: &table}, v)
			markdownDiagnosis(&printer{w: &diag}, v)
			golden(t, name+".table.golden", table.Bytes())
			golden(t, name+".diagnosis.golden", diag.Bytes())
			golden(t, name+".md.golden", markdown(t, []Input{in}))
		})
	}
}

func TestGoldenSeveralRuns(t *testing.T) {
	t.Parallel()
	var in []Input
	for _, name := range fixtures {
		in = append(in, readFixture(t, name))
	}
	golden(t, "several.md.golden", markdown(t, in))
}

// markdown returns report.md of in, its figures drawn.
func markdown(t *testing.T, in []Input) []byte {
	t.Helper()
	figs, err := Plots(in)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Markdown(&b, in, figs, Options{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWrite(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "new", "report")
	in := []Input{readFixture(t, "lost-errors")}
	files, err := Write(dir, in, Options{Title: "Lost errors"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil || fi.Size() == 0 {
			t.Errorf("Write: %s: %v, size %d; want a file written", f, err, fi.Size())
		}
		rel, _ := filepath.Rel(dir, f)
		names = append(names, filepath.ToSlash(rel))
	}
	want := []string{"report.md", "report.html"}
	for _, fig := range []string{"inflation", "cpu-time", "real-time", "faults", "throughput", "timeline"} {
		want = append(want, "plots/"+fig+".png", "plots/"+fig+".svg")
	}
	slices.Sort(want)
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("Write returned %q; want %q", names, want)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.HasPrefix(string(md), "# Lost errors\n") {
		t.Errorf("report.md starts %q; want the title of the options", md[:min(len(md), 40)])
	}
}

// TestWriteAgain checks that a report written over another leaves none of
// the other's plots behind.
func TestWriteAgain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"lost-errors", "gil"} {
		if _, err := Write(dir, []Input{readFixture(t, name)}, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "plots", "faults.png")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after a report without faults over one with: plots/faults.png: %v; want it removed", err)
	}
}

func TestWriteErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []Input
	}{
		{"no input", nil},
		{"nil run", []Input{{Name: "x"}}},
	} {
		_, err := Write(t.TempDir(), tt.in, Options{})
		if err == nil || !strings.HasPrefix(err.Error(), "report: ") {
			t.Errorf("Write(%s) = %v; want an error starting \"report: \"", tt.name, err)
		}
	}
}

// TestDeterministic checks that the same runs give the same figures and
// report.html, byte for byte.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	in := []Input{readFixture(t, "gil"), readFixture(t, "lost-errors")}
	render := func() ([]Figure, []byte) {
		figs, err := Plots(in)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := HTML(&b, in, figs, Options{}); err != nil {
			t.Fatal(err)
		}
		return figs, b.Bytes()
	}
	figs1, html1 := render()
	figs2, html2 := render()
	if !bytes.Equal(html1, html2) {
		t.Error("HTML of the same runs differs from one call to the next")
	}
	for i := range figs1 {
		if !bytes.Equal(figs1[i].PNG, figs2[i].PNG) || !bytes.Equal(figs1[i].SVG, figs2[i].SVG) {
			t.Errorf("figure %s of the same runs differs from one call to the next", figs1[i].Name)
		}
	}
}
