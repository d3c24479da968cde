package report

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/judgebench/judgebench/results"
)

// Box plot sizes.
const (
	boxRow      = 0.75 * vg.Centimeter // height per box
	maxOutside  = 200                  // outside points drawn per box
	boxFraction = 0.6                  // of a row, the box's height
)

// box is the data of one box of a box plot.
type box struct {
	label  string
	model  results.Model
	values plotter.Values
}

func cpuBoxPlot(vs []*view) (*drawing, error) {
	d, err := boxPlot(vs, "cpu-time", "CPU time per case", "cpu_time (ms)",
		func(s *results.Sample) float64 { return s.CPUTimeMS })
	if d != nil {
		d.caption = "The cpu_time of every case, per group: the box spans the middle half, the thick black line " +
			"is the median, whiskers reach the furthest case within 1.5 box lengths, dots are cases beyond. " +
			"A box to the right of serial's is contention: cases that compute slower side by side."
	}
	return d, err
}

func realBoxPlot(vs []*view) (*drawing, error) {
	d, err := boxPlot(vs, "real-time", "Real time per case", "real_time (ms)",
		func(s *results.Sample) float64 { return s.RealTimeMS })
	if d != nil {
		d.caption = "The real_time (wall time) of every case, per group, drawn as in the CPU time figure. " +
			"Real time that grows with parallelism while CPU time stays is waiting, not computing."
	}
	return d, err
}

// boxPlot draws a horizontal box per group of every run, the first group at
// the top, coloured by model; nil when no group has samples.
func boxPlot(vs []*view, name, title, xLabel string, value func(*results.Sample) float64) (*drawing, error) {
	boxes := collectBoxes(vs, value)
	if len(boxes) == 0 {
		return nil, nil
	}
	d := newDrawing(name, title, xLabel, "")
	labels := make([]string, len(boxes))
	for i, b := range boxes {
		loc := float64(len(boxes) - 1 - i)
		labels[int(loc)] = b.label
		bp, err := plotter.NewBoxPlot(boxRow*boxFraction, loc, b.values)
		if err != nil {
			return nil, fmt.Errorf("report: %s: %w", name, err)
		}
		bp.Horizontal = true
		bp.FillColor = modelColor(b.model)
		bp.MedianStyle = draw.LineStyle{Color: colorMedian, Width: vg.Points(3)}
		bp.GlyphStyle.Radius = vg.Points(1.5)
		thinOutside(bp, maxOutside)
		d.plot.Add(bp)
	}
	d.plot.NominalY(labels...)
	d.plot.X.Min = 0
	d.height = vg.Length(len(boxes))*boxRow + 3*vg.Centimeter
	for _, m := range results.Models() {
		if slices.ContainsFunc(boxes, func(b box) bool { return b.model == m }) {
			d.legend.Add(m.String(), swatch{fill: modelColor(m)})
		}
	}
	d.legend.Add("median", swatch{fill: colorMedian, line: true})
	return d, nil
}

// collectBoxes returns the values of every group of every run that has
// samples, in group order, labelled "model p=N" ("run/model p=N" when there
// are several runs).
func collectBoxes(vs []*view, value func(*results.Sample) float64) []box {
	var boxes []box
	for _, v := range vs {
		for _, g := range v.groups {
			samples := v.byKey[g.Key]
			if len(samples) == 0 {
				continue
			}
			vals := make(plotter.Values, len(samples))
			for i, s := range samples {
				vals[i] = value(s)
			}
			label := groupLabel(v, g.Key)
			if len(vs) > 1 {
				label = v.name + "/" + label
			}
			boxes = append(boxes, box{label: label, model: g.Model, values: vals})
		}
	}
	return boxes
}

// groupLabel names the group k in a figure: "model p=N", and its measure
// mode, GOMAXPROCS and pinning where they tell it from others.
func groupLabel(v *view, k results.Key) string {
	s := fmt.Sprintf("%s p=%d", k.Model, k.Parallelism)
	if k.Measure != results.Exact {
		s += " " + k.Measure.String()
	}
	if v.varies(k.Model, func(k results.Key) any { return k.GOMAXPROCS }) {
		s += fmt.Sprintf(" GOMAXPROCS=%d", k.GOMAXPROCS)
	}
	if k.Pinned {
		s += " pinned"
	}
	return s
}

// modelColor is the colour of model m in every figure of every report, so
// that a model looks the same from one report to the next: the palette's,
// in the order of results.Models(), but black, which marks medians.
func modelColor(m results.Model) color.Color {
	i := slices.Index(results.Models(), m)
	if i < 0 {
		i = len(results.Models())
	}
	return okabeIto[i%(len(okabeIto)-1)]
}

// thinOutside keeps at most n of bp's outside points, evenly spread over
// their values, the extremes included, so that a box of many thousands of
// cases draws quickly and its SVG stays small.
func thinOutside(bp *plotter.BoxPlot, n int) {
	out := bp.Outside
	if len(out) <= n {
		return
	}
	slices.SortFunc(out, func(a, b int) int { return cmp.Compare(bp.Values[a], bp.Values[b]) })
	kept := make([]int, n)
	for i := range kept {
		kept[i] = out[i*(len(out)-1)/(n-1)]
	}
	bp.Outside = kept
}
