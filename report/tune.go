package report

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TuneLevel is one parallelism, pinned or not, of a tuning sweep.
type TuneLevel struct {
	Parallelism int
	Pinned      bool
	// CPUVsSerial is the median ratio of a case's cpu_time to its serial
	// cpu_time, and Lo..Hi its confidence interval.
	CPUVsSerial, Lo, Hi float64
	Inflation           float64
}

// TunePlot draws a tuning sweep: cpu_vs_serial with its confidence interval,
// and inflation, against parallelism, pinned and not, with the limits a
// recommendation must keep (1+tolerance for cpu_vs_serial, maxInflation) as
// reference lines.
func TunePlot(levels []TuneLevel, tolerance, maxInflation float64) (Figure, error) {
	d := newDrawing("tune", "Tuning: what running cases together costs", "cases at once (parallelism)", "ratio (x)")
	d.caption = fmt.Sprintf("cpu_vs_serial (with its 95%% interval) must stay under %.2f and inflation under %.2f for a parallelism to be safe.",
		1+tolerance, maxInflation)
	var ss []series
	var bars []errPoints
	for _, pinned := range []bool{false, true} {
		var cpu, infl plotter.XYs
		var errs errPoints
		for _, l := range levels {
			if l.Pinned != pinned {
				continue
			}
			x := float64(l.Parallelism)
			cpu, infl = append(cpu, plotter.XY{X: x, Y: l.CPUVsSerial}), append(infl, plotter.XY{X: x, Y: l.Inflation})
			errs.XYs = append(errs.XYs, plotter.XY{X: x, Y: l.CPUVsSerial})
			errs.YErrors = append(errs.YErrors, struct{ Low, High float64 }{l.CPUVsSerial - l.Lo, l.Hi - l.CPUVsSerial})
		}
		if len(cpu) == 0 {
			continue
		}
		tag := map[bool]string{false: "", true: ", pinned"}[pinned]
		ss = append(ss, series{"cpu_vs_serial" + tag, cpu}, series{"inflation" + tag, infl})
		bars = append(bars, errs)
	}
	if len(ss) == 0 {
		return Figure{}, fmt.Errorf("report: tune: no levels")
	}
	if err := d.lines(ss, 0); err != nil {
		return Figure{}, err
	}
	for i, b := range bars {
		eb, err := plotter.NewYErrorBars(b)
		if err != nil {
			return Figure{}, fmt.Errorf("report: tune: %w", err)
		}
		eb.LineStyle = draw.LineStyle{Color: okabeIto[(2*i)%len(okabeIto)], Width: vg.Points(1)}
		d.plot.Add(eb)
	}
	for i, ref := range []struct {
		y     float64
		label string
	}{{1 + tolerance, "cpu tolerance"}, {maxInflation, "inflation limit"}} {
		f := plotter.NewFunction(func(float64) float64 { return ref.y })
		f.LineStyle = draw.LineStyle{Color: colorRef, Width: vg.Points(1), Dashes: dashes(1 + i)}
		d.plot.Add(f)
		d.legend.Add(fmt.Sprintf("%s: %.2f", ref.label, ref.y), f)
		d.plot.Y.Max = max(d.plot.Y.Max, ref.y*1.1)
	}
	return d.render()
}

// errPoints are points with vertical error bars.
type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

func (e errPoints) Len() int { return len(e.XYs) }
