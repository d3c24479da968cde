package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/judgebench/judgebench/results"
)

// judgerCalibration is a calibration through a judge that counts user time
// only and enforces its CPU limit in whole seconds.
func judgerCalibration(strict bool) *Calibration {
	ms := time.Millisecond
	return &Calibration{
		Run:   "cal/run.json",
		Judge: &results.JudgeInfo{Executor: "judger", Version: "2.1.1", Spec: "judger:/bin/libjudger.so", Notes: []string{"user time only"}},
		Points: []results.CalibrationPoint{
			{Burn: 100 * ms, Parallelism: 1, N: 3, Own: 104 * ms, Measured: 104 * ms, Allowed: 2 * ms, OK: true},
			{Burn: 100 * ms, Parallelism: 1, N: 3, Own: 107 * ms, Measured: 8 * ms, Error: -99 * ms, WorstError: -100 * ms, Allowed: 2 * ms, Kernel: true},
		},
		Limits: []results.LimitCheck{
			{Check: "cpu 250ms", Program: "burn 1m", Limit: "250ms", Want: results.CPUTimeLimitExceeded, Verdict: results.CPUTimeLimitExceeded, At: 969, Over: 719, Allowed: 25, Unit: "ms"},
			{Check: "memory 2x", Program: "alloc 2048", Limit: "1GiB", Want: results.MemoryLimitExceeded, Verdict: results.RuntimeError, At: 13 << 20, Allowed: 1 << 23, Unit: "bytes"},
			{Check: "real 1s", Program: "sleep 1m", Limit: "1s", Want: results.RealTimeLimitExceeded, Verdict: results.RealTimeLimitExceeded, At: 1002, Over: 2, Allowed: 100, Unit: "ms", OK: true},
		},
		StrictLimits: strict,
		Floor:        3500 * time.Microsecond,
		ExitCost:     2 * ms,
	}
}

func TestWriteCalibrationGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCalibration(&b, judgerCalibration(false)); err != nil {
		t.Fatal(err)
	}
	golden(t, "calibrate-judger.txt.golden", b.Bytes())
}

// TestWriteCalibrationJSON: ok and limits_ok are decided apart.
func TestWriteCalibrationJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCalibrationJSON(&b, judgerCalibration(true)); err != nil {
		t.Fatal(err)
	}
	var got struct {
		OK           bool `json:"ok"`
		LimitsOK     bool `json:"limits_ok"`
		Limits       []results.LimitCheck
		Judge        *results.JudgeInfo
		StrictLimits bool          `json:"strict_limits"`
		Floor        time.Duration `json:"floor_ns"`
		ExitCost     time.Duration `json:"exit_cost_ns"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.OK || got.LimitsOK || len(got.Limits) != 3 || got.Judge == nil || got.Judge.Executor != "judger" || !got.StrictLimits ||
		got.Floor != 3500*time.Microsecond || got.ExitCost != 2*time.Millisecond {
		t.Errorf("WriteCalibrationJSON = %s; want not ok, 3 limit checks, the judge, strict, the floor and the exit", b.String())
	}
}
