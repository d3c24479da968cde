package report

import (
	"fmt"
	"image/color"
	"math"

	"github.com/judgebench/judgebench/results"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// faultRow is the faults of one model of one run, over its groups.
type faultRow struct {
	label                    string
	injected, reported, lost float64
}

// faultRows returns a row per run and model with an injected fault, in
// group order.
func faultRows(vs []*view) []faultRow {
	var rows []faultRow
	for _, v := range vs {
		index := make(map[results.Model]int)
		for _, g := range v.groups {
			if g.FaultsInjected == 0 {
				continue
			}
			i, ok := index[g.Model]
			if !ok {
				i = len(rows)
				index[g.Model] = i
				label := g.Model.String()
				if len(vs) > 1 {
					label = v.name + "/" + label
				}
				rows = append(rows, faultRow{label: label})
			}
			rows[i].injected += float64(g.FaultsInjected)
			rows[i].reported += float64(g.FaultsReported)
			rows[i].lost += float64(g.FaultsLost)
		}
	}
	return rows
}

func faultsPlot(vs []*view) (*drawing, error) {
	rows := faultRows(vs)
	if len(rows) == 0 {
		return nil, nil
	}
	d := newDrawing("faults", "Faults injected, reported and lost", "faults (count, all groups of the model)", "")
	d.caption = "Every model ran cases with known faults (a crash, a non-zero exit, a wrong answer). " +
		"A fault is reported when its case's verdict is not ACCEPTED; a lost fault is one the model " +
		"dropped or hid: a fire-and-forget worker, only the first error kept, an exit status ignored."
	d.height = vg.Length(len(rows))*1.2*vg.Centimeter + 3*vg.Centimeter
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[len(rows)-1-i] = r.label // the first at the top
	}
	most := 0.0
	for j, b := range []faultBar{
		{"injected", colorBlue, func(r faultRow) float64 { return r.injected }},
		{"reported", colorOK, func(r faultRow) float64 { return r.reported }},
		{"lost", colorBad, func(r faultRow) float64 { return r.lost }},
	} {
		m, err := d.addBars(rows, b, 1-j)
		if err != nil {
			return nil, err
		}
		most = max(most, m)
	}
	d.plot.NominalY(labels...)
	d.plot.X.Min, d.plot.X.Max = 0, math.Max(1, most*1.05)
	d.plot.X.Tick.Marker = countTicks{}
	return d, nil
}

// faultBar is one bar of each row of the fault figure.
type faultBar struct {
	name  string
	color color.Color
	value func(faultRow) float64
}

// faultBarWidth is the thickness of a bar of the fault figure.
const faultBarWidth = 0.3 * vg.Centimeter

// addBars adds a horizontal bar of b for every row, the first row at the
// top, shifted by shift bar widths up, and returns the largest value.
func (d *drawing) addBars(rows []faultRow, b faultBar, shift int) (float64, error) {
	vals := make(plotter.Values, len(rows))
	most := 0.0
	for i, r := range rows {
		vals[len(rows)-1-i] = b.value(r)
		most = max(most, b.value(r))
	}
	bars, err := plotter.NewBarChart(vals, faultBarWidth)
	if err != nil {
		return 0, fmt.Errorf("report: faults: %w", err)
	}
	bars.Horizontal = true
	bars.Color = b.color
	bars.LineStyle = draw.LineStyle{}
	bars.Offset = vg.Length(shift) * faultBarWidth
	d.plot.Add(bars)
	d.legend.Add(b.name, bars)
	return most, nil
}

// countTicks marks whole numbers only: faults come in ones.
type countTicks struct{}

func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	step := math.Max(1, math.Ceil((hi-lo)/8))
	var ticks []plot.Tick
	for x := math.Ceil(lo/step) * step; x <= hi; x += step {
		ticks = append(ticks, plot.Tick{Value: x, Label: fmt.Sprint(x)})
	}
	return ticks
}
