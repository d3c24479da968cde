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
	// Kernel is true for a burn that spends most of its CPU time in the
	// kernel: a judge that counts user time only misses most of it.
	Kernel bool `json:"kernel,omitempty"`
}

// LimitCheck is how a judge enforced one limit: the verdict it gave a program
// that goes past it, and how far past the limit it let the program go, by
// the judge's own figure.
type LimitCheck struct {
	Check   string  `json:"check"`   // "cpu 250ms", "cpu 1s", "real 1s", "memory 2x"
	Program string  `json:"program"` // what ran: "burn 1m", "sleep 1m", "alloc 2048"
	Limit   string  `json:"limit"`   // the limit it ran under: "250ms", "1GiB"
	Want    Verdict `json:"want"`    // the verdict a judge should give
	Verdict Verdict `json:"verdict"` // the verdict it gave
	// At is the judge's figure where the program was stopped: CPU time for
	// a CPU limit, real time for a real-time limit (milliseconds), the
	// memory peak for a memory limit (bytes).
	At float64 `json:"at"`
	// Over is At past the limit, in the same unit; Allowed is what a
	// judge that enforces the limit as it is stated may take: max(10%, 20ms)
	// of a time limit, 1% of a memory limit.
	Over    float64 `json:"over"`
	Allowed float64 `json:"allowed"`
	Unit    string  `json:"unit"` // ms or bytes
	OK      bool    `json:"ok"`   // the verdict is Want and Over is within Allowed
}
