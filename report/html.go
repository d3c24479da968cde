package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"io"

	"github.com/judgebench/judgebench/results"
)

// HTML renders report.html, the content of report.md as one self-contained
// page: every figure is inline SVG (a PNG data: URL when a figure has no
// SVG), styled by an inline style sheet, with no script and nothing loaded
// from elsewhere.
func HTML(w io.Writer, in []Input, figs []Figure, opt Options) error {
	if err := check(in); err != nil {
		return err
	}
	vs := newViews(in)
	page := htmlPage{Title: opt.title(), Warnings: allWarnings(vs)}
	cols, _ := results.GroupTable(nil)
	for _, c := range cols {
		page.Head = append(page.Head, htmlHead{c.Head, c.Right})
	}
	for _, v := range vs {
		_, rows := results.GroupTable(v.groups)
		page.Runs = append(page.Runs, htmlRun{Name: v.name, Facts: facts(v), Diagnosis: diagnose(v), Rows: rows})
	}
	for _, f := range figs {
		page.Figures = append(page.Figures, htmlFigure(f))
	}
	if err := pageTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

// htmlPage is what the page template shows.
type htmlPage struct {
	Title    string
	Warnings []string
	Head     []htmlHead
	Runs     []htmlRun
	Figures  []figureHTML
}

type htmlHead struct {
	Text  string
	Right bool
}

type htmlRun struct {
	Name      string
	Facts     []fact
	Diagnosis []string
	Rows      [][]string
}

type figureHTML struct {
	Name, Title, Caption string
	SVG                  template.HTML // inline <svg>, trusted: gonum's output
	PNG                  template.URL  // a data: URL, when there is no SVG
	Width, Height        int           // of the PNG, in pixels
}

// htmlFigure returns f ready for the page: its SVG document without the XML
// declaration and comment that precede <svg>, or else its PNG as a data:
// URL.
func htmlFigure(f Figure) figureHTML {
	out := figureHTML{Name: f.Name, Title: f.Title, Caption: f.Caption}
	if i := bytes.Index(f.SVG, []byte("<svg")); i >= 0 {
		out.SVG = template.HTML(f.SVG[i:])
	} else if len(f.PNG) > 0 {
		out.PNG = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(f.PNG))
		if c, err := png.DecodeConfig(bytes.NewReader(f.PNG)); err == nil {
			out.Width, out.Height = c.Width, c.Height
		}
	}
	return out
}

// fact's fields are unexported; the template reads them through methods.
func (f fact) Key() string   { return f.key }
func (f fact) Value() string { return f.value }

var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 84rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
p, li, dl { max-width: 60rem; }
h1, h2, h3 { line-height: 1.2; }
.warnings { background: #fff4e0; border-left: 4px solid #E69F00; padding: 0.5rem 1rem; }
table { border-collapse: collapse; font-size: 0.8rem; display: block; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.35rem; white-space: nowrap; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.15rem 1rem; }
dt { font-weight: bold; }
dd { margin: 0; }
figure { margin: 1.5rem 0; }
figure svg, figure img { max-width: 100%; height: auto; }
figcaption { color: #444; max-width: 50rem; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .Warnings}}<section class="warnings">
<h2>Warnings</h2>
<ul>
{{range .Warnings}}<li>{{.}}</li>
{{end}}</ul>
</section>
{{end}}{{range .Runs}}<section>
<h2>{{.Name}}</h2>
<dl>
{{range .Facts}}<dt>{{.Key}}</dt><dd>{{.Value}}</dd>
{{end}}</dl>
<h3>Diagnosis</h3>
<ul>
{{range .Diagnosis}}<li>{{.}}</li>
{{end}}</ul>
<h3>Groups</h3>
<table>
<thead><tr>{{range $.Head}}<th>{{.Text}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if (index $.Head $i).Right}} class="num"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</section>
{{end}}{{if .Figures}}<section>
<h2>Figures</h2>
{{range .Figures}}<figure id="{{.Name}}">
<h3>{{.Title}}</h3>
{{if .SVG}}{{.SVG}}{{else}}<img src="{{.PNG}}" width="{{.Width}}" height="{{.Height}}" alt="{{.Title}}">{{end}}
<figcaption>{{.Caption}}</figcaption>
</figure>
{{end}}</section>
{{end}}</body>
</html>
`))
