package report

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/judgebench/judgebench/results"
)

// maxSegments is the number of cases the timeline shows at most.
const maxSegments = 2000

// timelineGroup returns the group of v the timeline shows: the one with the
// highest parallelism, of those the highest inflation, of those the first.
func timelineGroup(v *view) (results.Group, bool) {
	var best results.Group
	found := false
	for _, g := range v.groups {
		if len(v.byKey[g.Key]) == 0 {
			continue
		}
		if !found || g.Parallelism > best.Parallelism || g.Parallelism == best.Parallelism && g.Inflation > best.Inflation {
			best, found = g, true
		}
	}
	return best, found
}

// timelineSamples returns the samples of the group k of v with the lowest
// repetition (0 in a whole run), in start order.
func timelineSamples(v *view, k results.Key) []*results.Sample {
	all := v.byKey[k]
	low := slices.MinFunc(all, func(a, b *results.Sample) int { return cmp.Compare(a.Repeat, b.Repeat) }).Repeat
	var out []*results.Sample
	for _, s := range all {
		if s.Repeat == low {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b *results.Sample) int {
		return cmp.Or(cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.StartOffsetMS, b.StartOffsetMS))
	})
	return out
}

// timelinePlots draws a timeline per run that has a group to show: named
// "timeline" for one run, "timeline-1", "timeline-2", ... for several.
func timelinePlots(vs []*view) ([]*drawing, error) {
	var out []*drawing
	for i, v := range vs {
		d := timelinePlot(v, len(vs) > 1)
		if d == nil {
			continue
		}
		if len(vs) > 1 {
			d.name = fmt.Sprintf("timeline-%d", i+1)
		}
		out = append(out, d)
	}
	return out, nil
}

// timelinePlot draws the timeline of v, nil when no group has samples;
// named tells the run's name in the title.
func timelinePlot(v *view, named bool) *drawing {
	g, ok := timelineGroup(v)
	if !ok {
		return nil
	}
	samples := timelineSamples(v, g.Key)
	shown := samples[:min(len(samples), maxSegments)]
	segs, slots := newSegments(shown)
	name := groupLabel(v, g.Key)
	if named {
		name = v.name + "/" + name
	}
	d := newDrawing("timeline", fmt.Sprintf("Timeline of %s, repetition %d", name, shown[0].Repeat),
		"time since the group started (ms)", "worker slot")
	d.caption = fmt.Sprintf("Each bar is a case, from its start to its end (real_time), on the worker slot that ran it: "+
		"the group with the most cases at once (%d) of %s. Bars that grow longer as more run side by side are "+
		"cases waiting for a CPU or for the Go scheduler.", g.Parallelism, v.name)
	if len(shown) < len(samples) {
		d.caption += fmt.Sprintf(" The first %d of %d cases are shown.", len(shown), len(samples))
	}
	d.plot.Add(segs)
	d.plot.Y.Min, d.plot.Y.Max = -0.5, float64(slots)-0.5
	d.plot.X.Min = 0
	d.plot.Y.Tick.Marker = integerTicks(slotNumbers(slots))
	d.height = min(max(plotHeight, vg.Length(slots)*0.5*vg.Centimeter+3*vg.Centimeter), 30*vg.Centimeter)
	for _, ok := range []bool{true, false} {
		if slices.ContainsFunc(segs.list, func(s segment) bool { return s.ok == ok }) {
			d.legend.Add(map[bool]string{true: results.Accepted.String(), false: "other verdict"}[ok], swatch{fill: verdictColor(ok)})
		}
	}
	return d
}

// newSegments returns the segments of samples and the number of worker
// slots they ran in.
func newSegments(samples []*results.Sample) (segs *segments, slots int) {
	segs = &segments{list: make([]segment, len(samples))}
	for i, s := range samples {
		segs.list[i] = segment{slot: s.Worker, from: s.StartOffsetMS, to: s.StartOffsetMS + s.RealTimeMS,
			ok: s.Verdict == results.Accepted}
		slots = max(slots, s.Worker+1)
	}
	return segs, slots
}

// slotNumbers returns 0, 1, ..., n-1.
func slotNumbers(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	return x
}

func verdictColor(ok bool) color.Color {
	if ok {
		return colorOK
	}
	return colorBad
}

// segment is one case on the timeline.
type segment struct {
	slot     int
	from, to float64 // ms
	ok       bool    // ACCEPTED
}

// segments is a plotter of cases as horizontal bars, a row per worker slot.
type segments struct{ list []segment }

// Plot draws every segment as a bar 60% of a row high, with a thin white
// edge so that cases back to back stay apart.
func (s *segments) Plot(c draw.Canvas, p *plot.Plot) {
	x, y := p.Transforms(&c)
	half := (y(1) - y(0)) * 0.3
	edge := draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}
	for _, g := range s.list {
		x0, x1, yc := x(g.from), x(g.to), y(float64(g.slot))
		rect := []vg.Point{{X: x0, Y: yc - half}, {X: x1, Y: yc - half}, {X: x1, Y: yc + half}, {X: x0, Y: yc + half}}
		c.FillPolygon(verdictColor(g.ok), c.ClipPolygonXY(rect))
		c.StrokeLines(edge, c.ClipLinesXY(append(rect, rect[0]))...)
	}
}

// DataRange returns the span of the segments' times and slots.
func (s *segments) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = s.list[0].from, float64(s.list[0].slot)
	xmax, ymax = s.list[0].to, ymin
	for _, g := range s.list[1:] {
		xmin, xmax = min(xmin, g.from), max(xmax, g.to)
		ymin, ymax = min(ymin, float64(g.slot)), max(ymax, float64(g.slot))
	}
	return xmin, xmax, ymin, ymax
}

var (
	_ plot.Plotter    = (*segments)(nil)
	_ plot.DataRanger = (*segments)(nil)
)
