package report

import (
	"fmt"
	"io"

	"github.com/judgebench/judgebench/results"
)

// Markdown renders report.md: the title, the machines' warnings, a section
// per run (its description, diagnosis and group table) and the figures,
// referenced as plots/NAME.png with their captions.
func Markdown(w io.Writer, in []Input, figs []Figure, opt Options) error {
	if err := check(in); err != nil {
		return err
	}
	vs := newViews(in)
	p := &printer{w: w}
	p.printf("# %s\n", mdText(opt.title()))
	if ws := allWarnings(vs); len(ws) > 0 {
		p.printf("\n## Warnings\n\n")
		for _, x := range ws {
			p.printf("- %s\n", mdText(x))
		}
	}
	for _, v := range vs {
		p.printf("\n## %s\n\n", mdText(v.name))
		for _, f := range facts(v) {
			p.printf("- **%s**: %s\n", f.key, mdText(f.value))
		}
		p.printf("\n### Diagnosis\n\n")
		markdownDiagnosis(p, v)
		p.printf("\n### Groups\n\n")
		markdownTable(p, v)
	}
	if len(figs) > 0 {
		p.printf("\n## Figures\n")
	}
	for _, f := range figs {
		p.printf("\n### %s\n\n![%s](%s)\n\n%s\n", mdText(f.Title), mdText(f.Title), plotPath(f.Name, "png"), mdText(f.Caption))
	}
	if p.err != nil {
		return fmt.Errorf("report: markdown: %w", p.err)
	}
	return nil
}

// markdownDiagnosis writes the diagnosis of v as a list.
func markdownDiagnosis(p *printer, v *view) {
	for _, d := range diagnose(v) {
		p.printf("- %s\n", mdText(d))
	}
}

// allWarnings returns the warnings of every run, each prefixed with the
// run's name when there are several.
func allWarnings(vs []*view) []string {
	var out []string
	for _, v := range vs {
		for _, w := range warnings(v) {
			if len(vs) > 1 {
				w = v.name + ": " + w
			}
			out = append(out, w)
		}
	}
	return out
}

// mdText returns s as Markdown text that shows as s.
func mdText(s string) string { return results.MarkdownText(s) }
