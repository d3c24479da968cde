package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/judgebench/judgebench/results"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TunePlot draws a tuning sweep: cpu_vs_serial with its confidence interval,
// and inflation, against parallelism, pinned and not, with the limits the
// decision applied (t.CPULimit, t.InflationLimit) as reference lines.
func TunePlot(t *results.Tuning) (Figure, error) {
	d := newDrawing("tune", "Tuning: what running cases together costs", "cases at once (parallelism)", "ratio (x)")
	d.caption = fmt.Sprintf("cpu_vs_serial (with its 95%% interval) must stay under %.2f and inflation under %.2f for a parallelism to be safe.",
		t.CPULimit, t.InflationLimit)
	var ss []series
	var bars []errPoints
	for _, cand := range t.Candidates() {
		var cpu, infl plotter.XYs
		var errs errPoints
		for _, l := range t.Levels {
			if l.Candidate() != cand {
				continue
			}
			lo, hi := l.CPUVsSerial, l.CPUVsSerial
			if l.Lo != nil {
				lo, hi = *l.Lo, *l.Hi
			}
			x := float64(l.Parallelism)
			cpu, infl = append(cpu, plotter.XY{X: x, Y: l.CPUVsSerial}), append(infl, plotter.XY{X: x, Y: l.Inflation})
			errs.XYs = append(errs.XYs, plotter.XY{X: x, Y: l.CPUVsSerial})
			errs.YErrors = append(errs.YErrors, struct{ Low, High float64 }{l.CPUVsSerial - lo, hi - l.CPUVsSerial})
		}
		if len(cpu) == 0 {
			continue
		}
		tag := ""
		if cand.Pinned {
			tag = ", " + pinnedCell(cand)
		}
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
	}{{t.CPULimit, "cpu_vs_serial limit"}, {t.InflationLimit, "inflation limit"}} {
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

// WriteTuning writes a tuning as `judgebench tune` prints it: where the run
// and the plot are, a row per level, the levels left undecided, and the
// recommendation with the limits applied and its reason. (The host's
// warnings go to stderr before the sweep, and into tune.json.)
func WriteTuning(w io.Writer, path, plot string, t *results.Tuning) error {
	p := &printer{w: w}
	p.printf("tune: %s (plot %s)\n", path, plot)
	rows := [][]string{{"par", "pinned", "n", "cpu/serial", "95% interval", "inflation", "95% interval", "flips", "cases/s", "safe"}}
	for _, l := range t.Levels {
		safe := map[bool]string{false: "no", true: "yes"}[l.OK]
		if !l.Decided {
			safe = "undecided"
		}
		rows = append(rows, []string{fmt.Sprint(l.Parallelism), pinnedCell(l.Candidate()), fmt.Sprint(l.N), fmt.Sprintf("%.3f", l.CPUVsSerial),
			span(l.Lo, l.Hi, "%.3f"), fmt.Sprintf("%.2f", l.Inflation), span(l.InflationLo, l.InflationHi, "%.2f"),
			fmt.Sprint(l.Flips), fmt.Sprintf("%.1f", l.Throughput), safe})
	}
	if p.err == nil {
		p.err = writeAligned(w, []bool{true, true, true, true, true, true, true, true, true, false}, rows)
	}
	if u := t.Undecided(); len(u) > 0 {
		p.printf("undecided after %s: %s (give --budget more time, or tune on a quieter machine)\n",
			plural(t.Passes, "pass", "passes"), levelNames(u))
	}
	limits := fmt.Sprintf("cpu/serial at most %.2f, inflation at most %.2f", t.CPULimit, t.InflationLimit)
	switch {
	case !t.Safe:
		p.printf("recommended parallelism: none is safe (%s): %s\n", limits, t.Reason)
	case t.Pinned:
		p.printf("recommended parallelism: %d, pinned%s (%s): %s\n", t.Recommended,
			strings.TrimPrefix(pinnedCell(results.Candidate{Pinned: true, Placement: t.Placement}), "yes"), limits, t.Reason)
	default:
		p.printf("recommended parallelism: %d (%s): %s\n", t.Recommended, limits, t.Reason)
	}
	if len(t.Configurations) > 0 {
		p.printf("CPUs: %s\nthe same, for the judge you run:\n", results.FormatCPUList(t.CPUList))
	}
	for _, c := range t.Configurations {
		p.printf("  %s (%s):\n", c.Judge, c.Note)
		for line := range strings.SplitSeq(c.Config, "\n") {
			p.printf("    %s\n", line)
		}
	}
	return p.err
}

// pinnedCell says how a candidate's worker slots ran: "no", "yes" (pinned in
// the default spread order), or "yes, packed".
func pinnedCell(c results.Candidate) string {
	switch {
	case !c.Pinned:
		return "no"
	case c.Placement == "" || c.Placement == "spread":
		return "yes"
	}
	return "yes, " + c.Placement
}

// span is "lo..hi" in format, "?" when unknown.
func span(lo, hi *float64, format string) string {
	if lo == nil || hi == nil {
		return "?"
	}
	return fmt.Sprintf(format+".."+format, *lo, *hi)
}

// levelNames names levels as "3, 4 (pinned)".
func levelNames(levels []results.Level) string {
	names := make([]string, len(levels))
	for i, l := range levels {
		names[i] = fmt.Sprint(l.Parallelism)
		if l.Pinned {
			names[i] += " (pinned)"
		}
	}
	return strings.Join(names, ", ")
}

// WriteTuningJSON writes a tuning as one JSON object: the paths of run.json
// and of the plot, then the fields of results.Tuning.
func WriteTuningJSON(w io.Writer, path, plot string, t *results.Tuning) error {
	return writeJSON(w, struct {
		Run  string `json:"run"`
		Plot string `json:"plot"`
		*results.Tuning
	}{path, plot, t})
}
