package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/judgebench/judgebench/results"
)

// series is one line of a line figure.
type series struct {
	label string
	xys   plotter.XYs // sorted by X
}

// lineSeries returns a line per run and line(group) of the groups keep
// accepts, with a point (x(g), y(g)) per group; points whose y is not a
// positive number are left out, and so are lines with fewer than minPoints.
func lineSeries(vs []*view, keep func(*results.Group) bool, line func(*view, results.Key) string,
	x, y func(*results.Group) float64, minPoints int) []series {
	var out []series
	for _, v := range vs {
		index := make(map[string]int)
		for i := range v.groups {
			g := &v.groups[i]
			val := y(g)
			if !keep(g) || !(val > 0) || math.IsInf(val, 0) {
				continue
			}
			label := line(v, g.Key)
			if len(vs) > 1 {
				label = v.name + "/" + label
			}
			j, ok := index[label]
			if !ok {
				j = len(out)
				index[label] = j
				out = append(out, series{label: label})
			}
			out[j].xys = append(out[j].xys, plotter.XY{X: x(g), Y: val})
		}
	}
	out = slices.DeleteFunc(out, func(s series) bool { return len(s.xys) < minPoints })
	for _, s := range out {
		slices.SortStableFunc(s.xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
	}
	return out
}

// modelLine names the line of a model figure k belongs to: its model, with
// its measure mode when not exact, and GOMAXPROCS and pinning where the
// model was run with several.
func modelLine(v *view, k results.Key) string {
	s := k.Model.String()
	if k.Measure != results.Exact {
		s += " (" + k.Measure.String() + ")"
	}
	if v.varies(k.Model, func(k results.Key) any { return k.GOMAXPROCS }) {
		s += fmt.Sprintf(" GOMAXPROCS=%d", k.GOMAXPROCS)
	}
	if v.varies(k.Model, func(k results.Key) any { return k.Pinned }) {
		s += map[bool]string{false: " unpinned", true: " pinned"}[k.Pinned]
	}
	return s
}

func all(*results.Group) bool       { return true }
func par(g *results.Group) float64  { return float64(g.Parallelism) }
func gmp(g *results.Group) float64  { return float64(g.GOMAXPROCS) }
func infl(g *results.Group) float64 { return g.Inflation }

func inflationPlot(vs []*view) (*drawing, error) {
	ss := lineSeries(vs, all, modelLine, par, infl, 1)
	if len(ss) == 0 {
		return nil, nil
	}
	d := newDrawing("inflation", "Inflation: real time over CPU time",
		"cases at once (parallelism)", "inflation (median real / median cpu, x)")
	d.caption = "Each point is a group: the median real_time of its cases over their median cpu_time. " +
		"At the dashed line (1) a case's wall time is its CPU time; above it, cases wait: for a CPU, " +
		"for the Go scheduler, or for something else."
	if err := d.lines(ss, 1); err != nil {
		return nil, err
	}
	return d, nil
}

func throughputPlot(vs []*view) (*drawing, error) {
	ss := lineSeries(vs, all, modelLine, par, func(g *results.Group) float64 { return g.ThroughputCasesPerS }, 1)
	if len(ss) == 0 {
		return nil, nil
	}
	d := newDrawing("throughput", "Throughput", "cases at once (parallelism)", "throughput (cases/s)")
	d.caption = "Cases finished per second of each group's wall time, from its first start to its last end. " +
		"It stops growing where the machine runs out of cores."
	return d, d.lines(ss, 0)
}

func gomaxprocsPlot(vs []*view) (*drawing, error) {
	inproc := func(g *results.Group) bool { return g.Model == results.InProc }
	line := func(v *view, k results.Key) string {
		s := "p=" + strconv.Itoa(k.Parallelism)
		if k.Measure != results.Exact {
			s += " (" + k.Measure.String() + ")"
		}
		if k.Pinned {
			s += " pinned"
		}
		return s
	}
	ss := lineSeries(vs, inproc, line, gmp, infl, 2)
	if len(ss) == 0 {
		return nil, nil
	}
	d := newDrawing("gomaxprocs", "inproc: inflation against GOMAXPROCS", "GOMAXPROCS",
		"inflation (median real / median cpu, x)")
	d.caption = "The inproc model runs cases as goroutines of the harness. With fewer GOMAXPROCS than cases " +
		"at once, CPU-bound cases queue for the scheduler like Python threads for the interpreter lock: " +
		"real time multiplies while CPU time stays."
	return d, d.lines(ss, 1)
}

// lines adds ss to d, a colour, marker and dash pattern per line, with
// integer ticks on X where the points are; ref, when not 0, is drawn as a
// dashed horizontal reference line. Y starts at 0.
func (d *drawing) lines(ss []series, ref float64) error {
	var xs []float64
	ymax := ref
	for i, s := range ss {
		l, pts, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return fmt.Errorf("report: %s: %w", d.name, err)
		}
		c := okabeIto[i%len(okabeIto)]
		l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1.5), Dashes: dashes(i / len(okabeIto))}
		pts.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: glyphs[i%len(glyphs)]}
		d.plot.Add(l, pts)
		d.legend.Add(s.label, l, pts)
		for _, p := range s.xys {
			xs = append(xs, p.X)
			ymax = max(ymax, p.Y)
		}
	}
	d.plot.X.Tick.Marker = integerTicks(xs)
	lo, hi := slices.Min(xs), slices.Max(xs)
	pad := max(0.25, (hi-lo)*0.05)
	d.plot.X.Min, d.plot.X.Max = lo-pad, hi+pad
	d.plot.Y.Min, d.plot.Y.Max = 0, ymax*1.1
	if ref != 0 {
		f := plotter.NewFunction(func(float64) float64 { return ref })
		f.LineStyle = draw.LineStyle{Color: colorRef, Width: vg.Points(1), Dashes: dashes(1)}
		d.plot.Add(f)
		d.legend.Add(fmt.Sprintf("reference: %g", ref), f)
	}
	return nil
}

// glyphs are the marker shapes of lines, in turn.
var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.RingGlyph{},
	draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
}

// dashes returns the i'th dash pattern: solid, dashed, dotted, in turn.
func dashes(i int) []vg.Length {
	switch i % 3 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(1.5), vg.Points(2)}
	}
	return nil
}

// integerTicks returns a tick at each distinct value of xs, which are whole
// numbers; at every other, third... of them when there are more than 12.
func integerTicks(xs []float64) plot.Ticker {
	vals := slices.Clone(xs)
	slices.Sort(vals)
	vals = slices.Compact(vals)
	step := (len(vals) + 11) / 12
	var ticks plot.ConstantTicks
	for i := 0; i < len(vals); i += step {
		ticks = append(ticks, plot.Tick{Value: vals[i], Label: strconv.FormatFloat(vals[i], 'f', -1, 64)})
	}
	return ticks
}
