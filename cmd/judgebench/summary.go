package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/judgebench/judgebench/results"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// printSummary prints the groups of the run at path: a table, or JSON.
func printSummary(w io.Writer, path string, o *runOptions) error {
	run, err := results.Read(path)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Run         string          `json:"run"`
			Interrupted bool            `json:"interrupted"`
			Samples     int             `json:"samples"`
			Groups      []results.Group `json:"groups"`
		}{path, run.Interrupted, len(run.Samples), run.Groups})
	}
	if o.quiet {
		return nil
	}
	fmt.Fprintf(w, "run: %s (%d samples)\n", path, len(run.Samples))
	if err := groupTable(w, run.Groups); err != nil {
		return err
	}
	if cost, n := workerCost(run.Samples); n > 0 {
		fmt.Fprintf(w, "process model: a worker process costs %.1fms per case beyond the case itself (median of %d)\n", cost, n)
	}
	return nil
}

// workerCost is the median time a process-model worker adds to its case:
// start-up, the case and its outcome as JSON, exit.
func workerCost(samples []results.Sample) (float64, int) {
	var costs []float64
	for _, s := range samples {
		if s.WorkerMS > 0 {
			costs = append(costs, s.WorkerMS-s.RealTimeMS)
		}
	}
	if len(costs) == 0 {
		return 0, 0
	}
	slices.Sort(costs)
	return costs[len(costs)/2], len(costs)
}

// groupTable prints one line per group: medians, inflation, cost against
// serial, faults (reported/injected), lost faults, verdict flips, throughput.
func groupTable(w io.Writer, groups []results.Group) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tmeasure\tpar\tprocs\tpin\tn\tcpu ms\treal ms\tmem MiB\treal/cpu\tcpu/serial\tfaults\tlost\tflips\tcases/s\t")
	for _, g := range groups {
		pin := "-"
		if g.Pinned {
			pin = "on"
		}
		vsSerial := "-" // no serial group to compare with
		if g.CPUVsSerial > 0 {
			vsSerial = fmt.Sprintf("%.2f", g.CPUVsSerial)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.2f\t%s\t%d/%d\t%d\t%d\t%.1f\t\n",
			g.Model, g.Measure, g.Parallelism, g.GOMAXPROCS, pin, g.N, g.CPUTimeMS.Median, g.RealTimeMS.Median,
			g.MemoryBytes.Median/(1<<20), g.Inflation, vsSerial, g.FaultsReported, g.FaultsInjected, g.FaultsLost, g.VerdictFlips,
			g.ThroughputCasesPerS)
	}
	return tw.Flush()
}

// progress is a progress bar on stderr, drawn only when stderr is a terminal.
type progress struct {
	f   *os.File
	bar *progressbar.ProgressBar
}

func newProgress(stderr io.Writer, quiet bool) *progress {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	return &progress{f: f}
}

func (p *progress) update(done, total int) {
	if p.f == nil {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.f),
			progressbar.OptionSetDescription("cases"), progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true), progressbar.OptionSetPredictTime(true))
	}
	p.bar.Set(done)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.f)
	}
}
