package results

import "time"

// CalibrationPoint is the calibration of one burn duration at one
// parallelism: medians over its runs, against each program's own clock.
type CalibrationPoint struct {
	Burn        time.Duration `json:"burn_ns"`
	Parallelism int           `json:"parallelism"`
	N           int           `json:"n"`
	Own         time.Duration `json:"own_cpu_ns"`      // the program's own process clock
	Measured    time.Duration `json:"measured_cpu_ns"` // cpu_time as the sandbox measured it
	Error       time.Duration `json:"error_ns"`        // measured - own, the median over the runs
	WorstError  time.Duration `json:"worst_error_ns"`  // measured - own, the largest in size
	Overhead    time.Duration `json:"overhead_ns"`     // real - cpu - time waiting for a CPU
	Allowed     time.Duration `json:"allowed_ns"`      // max(tolerance x own, floor)
	OK          bool          `json:"ok"`
}
