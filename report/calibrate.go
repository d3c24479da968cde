package report

import (
	"fmt"
	"io"

	"github.com/judgebench/judgebench/results"
)

// WriteCalibration writes a calibration as `judgebench calibrate` prints it:
// where the run is, a row per burn duration and parallelism (the medians of
// the program's own CPU clock, of the measured cpu_time, of their difference,
// the largest difference, what was allowed and the real time beyond CPU and
// waiting), then the verdict.
func WriteCalibration(w io.Writer, path string, points []results.CalibrationPoint) error {
	p := &printer{w: w}
	p.printf("calibration: %s\n", path)
	rows := [][]string{{"burn", "par", "n", "own cpu ms", "measured ms", "error ms", "worst ms", "allowed ms", "real-cpu ms", ""}}
	ok := true
	for _, c := range points {
		verdict := "ok"
		if !c.OK {
			verdict, ok = "OUT", false
		}
		rows = append(rows, []string{c.Burn.String(), fmt.Sprint(c.Parallelism), fmt.Sprint(c.N),
			fmt.Sprintf("%.3f", results.Millis(c.Own)), fmt.Sprintf("%.3f", results.Millis(c.Measured)),
			fmt.Sprintf("%+.3f", results.Millis(c.Error)), fmt.Sprintf("%+.3f", results.Millis(c.WorstError)),
			fmt.Sprintf("%.3f", results.Millis(c.Allowed)), fmt.Sprintf("%+.3f", results.Millis(c.Overhead)), verdict})
	}
	if p.err == nil {
		p.err = writeAligned(w, []bool{true, true, true, true, true, true, true, true, true, false}, rows)
	}
	if ok {
		p.printf("verdict: cpu_time within tolerance of every program's own clock\n")
	} else {
		p.printf("verdict: cpu_time outside tolerance (OUT rows)\n")
	}
	return p.err
}

// WriteCalibrationJSON writes a calibration as one JSON object: the path of
// run.json, whether every point is within tolerance, and the points.
func WriteCalibrationJSON(w io.Writer, path string, points []results.CalibrationPoint) error {
	ok := true
	for _, c := range points {
		ok = ok && c.OK
	}
	return writeJSON(w, struct {
		Run    string                     `json:"run"`
		OK     bool                       `json:"ok"`
		Points []results.CalibrationPoint `json:"points"`
	}{path, ok, points})
}
