package report

import (
	"fmt"
	"io"
	"time"

	"github.com/judgebench/judgebench/results"
)

// Calibration is what `judgebench calibrate` found.
type Calibration struct {
	Run    string                     `json:"run"` // the path of run.json
	Judge  *results.JudgeInfo         `json:"judge,omitempty"`
	Points []results.CalibrationPoint `json:"points"`
	Limits []results.LimitCheck       `json:"limits,omitempty"`
	// Floor is the error every point is allowed, whatever the tolerance;
	// ExitCost the part of it the burn program's exit took on this host
	// outside any judge (zero when the floor was given).
	Floor    time.Duration `json:"floor_ns"`
	ExitCost time.Duration `json:"exit_cost_ns,omitempty"`
	// StrictLimits makes the limit checks part of the verdict.
	StrictLimits bool `json:"strict_limits"`
}

// OK reports whether every point is within tolerance.
func (c *Calibration) OK() bool {
	for _, p := range c.Points {
		if !p.OK {
			return false
		}
	}
	return true
}

// LimitsOK reports whether every limit check passed.
func (c *Calibration) LimitsOK() bool { return countOff(c.Limits) == 0 }

// WriteCalibration writes a calibration as `judgebench calibrate` prints it:
// where the run is and what measured it, a row per burn duration and
// parallelism (the medians of the program's own CPU clock, of the measured
// cpu_time, of their difference, the largest difference, what was allowed
// and the real time beyond CPU and waiting), the limit checks (the verdict
// and where the program was stopped), then the verdict.
func WriteCalibration(w io.Writer, c *Calibration) error {
	p := &printer{w: w}
	p.printf("calibration: %s\n", c.Run)
	if j := c.Judge; j != nil {
		p.printf("executor: %s %s (%s)\n", j.Executor, j.Version, j.Spec)
		for _, n := range j.Notes {
			p.printf("  note: %s\n", n)
		}
	}
	rows := [][]string{{"burn", "par", "n", "own cpu ms", "measured ms", "error ms", "worst ms", "allowed ms", "real-cpu ms", ""}}
	for _, b := range c.Points {
		verdict := "ok"
		if !b.OK {
			verdict = "OUT"
		}
		name := b.Burn.String()
		if b.Kernel {
			name += " kernel"
		}
		rows = append(rows, []string{name, fmt.Sprint(b.Parallelism), fmt.Sprint(b.N),
			fmt.Sprintf("%.3f", results.Millis(b.Own)), fmt.Sprintf("%.3f", results.Millis(b.Measured)),
			fmt.Sprintf("%+.3f", results.Millis(b.Error)), fmt.Sprintf("%+.3f", results.Millis(b.WorstError)),
			fmt.Sprintf("%.3f", results.Millis(b.Allowed)), fmt.Sprintf("%+.3f", results.Millis(b.Overhead)), verdict})
	}
	if p.err == nil {
		p.err = writeAligned(w, []bool{true, true, true, true, true, true, true, true, true, false}, rows)
	}
	if c.ExitCost != 0 {
		p.printf("floor %.3f ms: the burn's exit, after its last look at its clock, took %.3f ms of CPU here outside any judge\n",
			results.Millis(c.Floor), results.Millis(c.ExitCost))
	}
	if len(c.Limits) > 0 {
		p.printf("limits (the judge's own figures):\n")
		rows := [][]string{{"check", "program", "limit", "verdict", "stopped at", "over", "allowed", ""}}
		for _, l := range c.Limits {
			verdict := "ok"
			if !l.OK {
				verdict = "OFF"
			}
			got := string(l.Verdict)
			if l.Verdict != l.Want {
				got += " (want " + string(l.Want) + ")"
			}
			rows = append(rows, []string{l.Check, l.Program, l.Limit, got, figure(l.At, l.Unit), figure(l.Over, l.Unit), figure(l.Allowed, l.Unit), verdict})
		}
		if p.err == nil {
			p.err = writeAligned(w, []bool{false, false, true, false, true, true, true, false}, rows)
		}
	}
	switch {
	case !c.OK():
		p.printf("verdict: cpu_time outside tolerance (OUT rows)\n")
	default:
		p.printf("verdict: cpu_time within tolerance of every program's own clock\n")
	}
	if !c.LimitsOK() {
		how := "reported, not judged (--strict-limits judges them)"
		if c.StrictLimits {
			how = "judged: --strict-limits"
		}
		p.printf("limits: %s off (OFF rows), %s\n", plural(countOff(c.Limits), "check", "checks"), how)
	}
	return p.err
}

// figure prints a limit check's figure in its unit.
func figure(v float64, unit string) string {
	if unit == "bytes" && v < 10<<20 {
		return fmt.Sprintf("%.0fKiB", v/(1<<10))
	}
	if unit == "bytes" {
		return fmt.Sprintf("%.1fMiB", v/(1<<20))
	}
	return fmt.Sprintf("%.0fms", v)
}

// countOff is how many of checks are off.
func countOff(checks []results.LimitCheck) int {
	n := 0
	for _, l := range checks {
		if !l.OK {
			n++
		}
	}
	return n
}

// WriteCalibrationJSON writes a calibration as one JSON object: the path of
// run.json, the judge, whether every point is within tolerance and every
// limit check passed, the points and the checks.
func WriteCalibrationJSON(w io.Writer, c *Calibration) error {
	return writeJSON(w, struct {
		OK       bool `json:"ok"`
		LimitsOK bool `json:"limits_ok"`
		*Calibration
	}{c.OK(), c.LimitsOK(), c})
}
