package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/judgebench/judgebench/results"
)

// Input is one run to report, with the name it is shown under.
type Input struct {
	Name string // e.g. the run directory's base name; "" shows the target
	Run  *results.Run
}

// Options configure Write, Markdown and HTML.
type Options struct {
	Title string // default "judgebench report"
}

// defaultTitle is the title of a report when Options.Title is "".
const defaultTitle = "judgebench report"

func (o Options) title() string {
	if o.Title == "" {
		return defaultTitle
	}
	return o.Title
}

// Write renders a report of the runs into dir (created if missing):
// report.md, report.html (self-contained: every plot embedded as inline SVG,
// no external resource, no JavaScript) and every plot as plots/NAME.png and
// plots/NAME.svg. It returns the files written, plots first. With several
// runs, each has its section and the figures show them together. The files
// of an earlier report in dir are replaced, and its plots that this report
// does not draw are removed; other files are left alone.
func Write(dir string, in []Input, opt Options) ([]string, error) {
	if err := check(in); err != nil {
		return nil, err
	}
	figs, err := Plots(in)
	if err != nil {
		return nil, err
	}
	var md, html bytes.Buffer
	if err := Markdown(&md, in, figs, opt); err != nil {
		return nil, err
	}
	if err := HTML(&html, in, figs, opt); err != nil {
		return nil, err
	}
	type file struct {
		name string
		data []byte
	}
	var out []file
	for _, f := range figs {
		out = append(out, file{plotPath(f.Name, "png"), f.PNG}, file{plotPath(f.Name, "svg"), f.SVG})
	}
	out = append(out, file{"report.md", md.Bytes()}, file{"report.html", html.Bytes()})
	if err := os.MkdirAll(filepath.Join(dir, "plots"), 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if err := removeStale(dir, figs); err != nil {
		return nil, err
	}
	var files []string
	for _, f := range out {
		path := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return files, fmt.Errorf("report: %w", err)
		}
		files = append(files, path)
	}
	return files, nil
}

// removeStale removes from dir the plots of an earlier report that figs do
// not replace.
func removeStale(dir string, figs []Figure) error {
	stale, _ := filepath.Glob(filepath.Join(dir, "plots", "timeline-*"))
	for _, name := range figureNames {
		for _, ext := range []string{"png", "svg"} {
			stale = append(stale, filepath.Join(dir, filepath.FromSlash(plotPath(name, ext))))
		}
	}
	for _, path := range stale {
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if slices.ContainsFunc(figs, func(f Figure) bool { return f.Name == name }) {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}

// plotPath returns the path, relative to the report directory, of the plot
// name in format ext.
func plotPath(name, ext string) string {
	return "plots/" + name + "." + ext
}

// check returns an error when in has no run or a nil one.
func check(in []Input) error {
	if len(in) == 0 {
		return errors.New("report: no run to report")
	}
	for i, x := range in {
		if x.Run == nil {
			return fmt.Errorf("report: input %d (%q): no run", i, x.Name)
		}
	}
	return nil
}

// printer writes to w and keeps the first error, so that a renderer checks
// once at the end.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
