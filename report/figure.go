package report

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is one plot, drawn as PNG and as SVG.
type Figure struct {
	Name    string // file name without extension, such as "inflation"
	Title   string // the plot's title
	Caption string // what the figure shows and how to read it
	PNG     []byte // at 96 dots per inch, 700 pixels wide or more
	SVG     []byte // a whole SVG document
}

// Plots draws the figures of the runs, in the order the package
// documentation lists them, only those with data: no GOMAXPROCS sweep figure
// when no inproc group was run at several GOMAXPROCS, no fault figure when
// no fault was injected.
func Plots(in []Input) ([]Figure, error) {
	if err := check(in); err != nil {
		return nil, err
	}
	vs := newViews(in)
	var figs []Figure
	for _, build := range []func([]*view) ([]*drawing, error){
		one(inflationPlot), one(cpuBoxPlot), one(realBoxPlot), one(gomaxprocsPlot), one(faultsPlot), one(throughputPlot),
		timelinePlots,
	} {
		ds, err := build(vs)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			f, err := d.render()
			if err != nil {
				return nil, fmt.Errorf("report: %s: %w", d.name, err)
			}
			figs = append(figs, f)
		}
	}
	return figs, nil
}

// one makes a builder of one figure (nil: none) a builder of several.
func one(build func([]*view) (*drawing, error)) func([]*view) ([]*drawing, error) {
	return func(vs []*view) ([]*drawing, error) {
		d, err := build(vs)
		if d == nil || err != nil {
			return nil, err
		}
		return []*drawing{d}, nil
	}
}

// figureNames are the names of the figures Plots may draw, in order; with
// several runs, the timeline is "timeline-1", "timeline-2", ...
var figureNames = []string{"inflation", "cpu-time", "real-time", "gomaxprocs", "faults", "throughput", "timeline"}

// Sizes of a figure's plot area, without the legend to its right.
const (
	plotWidth  = 16 * vg.Centimeter
	plotHeight = 10 * vg.Centimeter
	dpi        = 96
	gap        = 8 // points between the plot and its legend
)

// drawing is a figure before it is rendered: a plot whose legend is drawn
// to its right, outside the data.
type drawing struct {
	name, caption string
	plot          *plot.Plot
	legend        plot.Legend
	height        vg.Length // of the whole figure; 0: plotHeight
}

// newDrawing returns a drawing with a titled plot, its axes labelled, and an
// empty legend.
func newDrawing(name, title, xLabel, yLabel string) *drawing {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, s := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label} {
		s.Font.Variant = "Sans"
	}
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.Title.Padding = vg.Points(8)
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 225}
	grid.Horizontal.Color = color.Gray{Y: 225}
	p.Add(grid)
	leg := plot.NewLegend()
	leg.TextStyle.Font.Variant = "Sans"
	leg.TextStyle.Font.Size = vg.Points(10)
	leg.Top, leg.Left = true, true
	leg.Padding = vg.Points(2)
	return &drawing{name: name, plot: p, legend: leg}
}

// size returns the size of the whole figure, legend included.
func (d *drawing) size() (w, h vg.Length) {
	r := d.legend.Rectangle(draw.Canvas{})
	w = plotWidth + r.Size().X + 2*gap
	h = max(plotHeight, d.height, r.Size().Y+3*vg.Centimeter)
	return w, h
}

// render draws d as PNG and SVG.
func (d *drawing) render() (Figure, error) {
	w, h := d.size()
	png, err := d.drawOn(vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))})
	if err != nil {
		return Figure{}, err
	}
	svg, err := d.drawOn(vgsvg.New(w, h))
	if err != nil {
		return Figure{}, err
	}
	// Liberation Sans, which the plot is laid out with, has the metrics of
	// Arial: a browser without it keeps the layout with Arial.
	svg = bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
	return Figure{Name: d.name, Title: d.plot.Title.Text, Caption: d.caption, PNG: png, SVG: svg}, nil
}

// drawOn draws d on c, white, with the plot on the left and the legend on
// the right, level with the top of the data, and returns what c writes.
func (d *drawing) drawOn(c vg.CanvasWriterTo) ([]byte, error) {
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	legendWidth := d.legend.Rectangle(dc).Size().X + 2*gap
	d.plot.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	title := d.plot.Title.TextStyle.Rectangle(d.plot.Title.Text).Size().Y + d.plot.Title.Padding
	d.legend.Draw(draw.Crop(dc, dc.Max.X-legendWidth+gap, -gap, 0, -title-gap))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// okabeIto is the Okabe–Ito palette, distinguishable by colour-blind
// readers, in its usual order.
var okabeIto = []color.Color{
	rgb(0xE69F00), rgb(0x56B4E9), rgb(0x009E73), rgb(0xF0E442),
	rgb(0x0072B2), rgb(0xD55E00), rgb(0xCC79A7), rgb(0x000000),
}

// Colours with a meaning.
var (
	colorOK     = rgb(0x009E73) // bluish green: accepted, reported
	colorBad    = rgb(0xD55E00) // vermillion: another verdict, lost
	colorBlue   = rgb(0x0072B2) // blue: injected
	colorMedian = rgb(0x000000) // black: medians
	colorRef    = color.Gray{Y: 110}
)

func rgb(x uint32) color.RGBA {
	return color.RGBA{R: uint8(x >> 16), G: uint8(x >> 8), B: uint8(x), A: 255}
}

// swatch is a legend thumbnail: a filled rectangle, or a thick line when
// line is set.
type swatch struct {
	fill color.Color
	line bool
}

func (s swatch) Thumbnail(c *draw.Canvas) {
	if s.line {
		y := (c.Min.Y + c.Max.Y) / 2
		c.StrokeLine2(draw.LineStyle{Color: s.fill, Width: vg.Points(2.5)}, c.Min.X, y, c.Max.X, y)
		return
	}
	r := c.Rectangle
	r.Min.Y += 1
	r.Max.Y -= 1
	c.FillPolygon(s.fill, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

var _ plot.Thumbnailer = swatch{}
