package results

import (
	"encoding/json"
	"time"
)

// Schema is the value of Run.Schema this package writes and reads.
const Schema = "judgebench/run/v1"

// Run is the record of one `judgebench run`: what ran, where, every sample and
// the statistics of every group. Its JSON form is run.json, the contract that
// report, compare and export read.
type Run struct {
	Schema     string    `json:"schema"`
	Target     string    `json:"target"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Interrupted is true when SIGINT stopped the run: the samples are those
	// that finished.
	Interrupted bool     `json:"interrupted,omitempty"`
	Settings    Settings `json:"settings"`
	Machine     Machine  `json:"machine"`
	Samples     []Sample `json:"samples"`
	Groups      []Group  `json:"groups"`
}

// Settings are the flags the run was made with.
type Settings struct {
	Models     []Model   `json:"models"`
	Measure    []Measure `json:"measure"`
	Parallel   []int     `json:"parallel"`
	GOMAXPROCS []int     `json:"gomaxprocs"`
	Pin        Pin       `json:"pin"`
	CPUs       string    `json:"cpus,omitempty"` // the CPUs worker slots were given (--cpus), as a CPU list
	Repeat     int       `json:"repeat"`
	Shuffle    bool      `json:"shuffle"`
	Seed       int64     `json:"seed"` // of the shuffle, so the order can be replayed
	// Limits in force (defaults filled in).
	CPUTime   string   `json:"cpu_time,omitempty"`
	RealTime  string   `json:"real_time,omitempty"`
	Memory    string   `json:"memory,omitempty"`
	Output    string   `json:"output,omitempty"`
	Stack     string   `json:"stack,omitempty"`
	Processes int      `json:"processes,omitempty"`
	Program   []string `json:"program,omitempty"` // PROG ARGS after --, if any
	Checker   string   `json:"checker,omitempty"` // how output was compared: lines, exact, tokens, float:EPS, a program
	// Isolation is the level asked for; samples say what each run got.
	Isolation Isolation `json:"isolation,omitempty"`
	Cgroup    string    `json:"cgroup"` // auto, v1, v2, off as asked
	Out       string    `json:"out"`    // the run directory
	JSON      bool      `json:"json"`   // summary printed as JSON
	Quiet     bool      `json:"quiet"`
	// HarnessHold is memory the harness held on purpose while it ran (the
	// parent-rss scenario), in bytes.
	HarnessHold int64 `json:"harness_hold_bytes,omitempty"`
}

// Machine describes the host a run was made on.
type Machine struct {
	Hostname          string   `json:"hostname"`
	CPUModel          string   `json:"cpu_model"`
	LogicalCores      int      `json:"logical_cores"`
	PhysicalCores     int      `json:"physical_cores"`
	SMT               bool     `json:"smt"`
	Kernel            string   `json:"kernel"`
	Governor          string   `json:"governor"` // "" when the host has no cpufreq
	GoVersion         string   `json:"go_version"`
	GOMAXPROCSDefault int      `json:"gomaxprocs_default"`
	CgroupVersion     string   `json:"cgroup_version"`      // what the sandbox used: v1, v2 or none
	ContainerCPULimit float64  `json:"container_cpu_limit"` // CPUs allowed by a CPU quota; 0 for none
	DoctorWarnings    []string `json:"doctor_warnings"`     // timing hazards found on the host
	SandboxWarnings   []string `json:"sandbox_warnings"`    // guarantees the sandbox could not give
	// Placement is the CPUs worker slots took when pinned, in order: slot i
	// the i-th (round again past the end). Its length is the CPUs they may
	// use.
	Placement []int `json:"placement,omitempty"`
	// Judge describes the judge that ran the cases; nil for the sandbox.
	Judge *JudgeInfo `json:"judge,omitempty"`
}

// Sample is one measured case execution: one case, one model, one setting,
// one repetition. Times are milliseconds with microsecond resolution.
type Sample struct {
	Case        string  `json:"case"`
	Model       Model   `json:"model"`
	Measure     Measure `json:"measure"`
	Parallelism int     `json:"parallelism"`
	GOMAXPROCS  int     `json:"gomaxprocs"`
	Pinned      bool    `json:"pinned"`
	// Isolation is how far the program was kept from the harness; files
	// of older versions, which did not say, read as none.
	Isolation Isolation `json:"isolation"`
	Repeat    int       `json:"repeat"`
	Worker    int       `json:"worker"` // the slot that ran it, from 0
	Seq       int       `json:"seq"`    // start order within its group, from 0
	// StartOffsetMS is when the case started, from the start of its group.
	StartOffsetMS float64 `json:"start_offset_ms"`
	CPUTimeMS     float64 `json:"cpu_time_ms"`
	UserTimeMS    float64 `json:"user_time_ms"`
	SysTimeMS     float64 `json:"sys_time_ms"`
	RealTimeMS    float64 `json:"real_time_ms"`
	MemoryBytes   int64   `json:"memory_bytes"`
	MemorySource  string  `json:"memory_source,omitempty"`
	Verdict       Verdict `json:"verdict"`
	// ExpectedVerdict is the verdict the case must get: ACCEPTED, or an
	// injected fault's, or the scenario's. "" (only in files of older
	// versions) counts as ACCEPTED.
	ExpectedVerdict Verdict `json:"expected_verdict,omitempty"`
	// ReferenceVerdict is the case's verdict in the reference group (the
	// serial group measured exact, see Reference): its most common there, of
	// equally common the first seen. Verdict flips are counted against it.
	// Set when run.json is written; "" when the case has no reference.
	ReferenceVerdict Verdict `json:"reference_verdict,omitempty"`
	// FaultInjected is true when ExpectedVerdict was injected (the scenario
	// said so). Only injected faults count as faults.
	FaultInjected bool `json:"fault_injected,omitempty"`
	// CheckerMessage says where the output first differs from the expected
	// output, or what a checker program said; "" when it matched.
	CheckerMessage      string `json:"checker_message,omitempty"`
	ExitCode            int    `json:"exit_code"`
	Signal              int    `json:"signal"`
	Error               string `json:"error"`
	InvoluntarySwitches int64  `json:"involuntary_switches"`
	// WorkerMS is the process model's whole worker time (start-up, the case
	// sent and returned as JSON, the case, exit); 0 for other models.
	WorkerMS float64 `json:"worker_ms,omitempty"`
	// Placement (last, so that the columns of an export keep their places)
	// is the order pinned worker slots took CPUs in (a strategy
	// of judgebench topology: spread, packed, ...); empty when unpinned, or
	// for runs made before it was recorded (spread).
	Placement string `json:"placement,omitempty"`
	// Executor is what ran the case: "sandbox" (judgebench's own), or the
	// judge an adapter drove ("judger", "isolate", "go-judge", or a command
	// file's name). Files of older versions, which did not say, read as
	// sandbox.
	Executor string `json:"executor"`
	// Judge is the judge's own account of the case, when the executor is not
	// the sandbox; the sample's figures and verdict are then the judge's.
	Judge *JudgeReport `json:"judge,omitempty"`
}

// ExecutorSandbox is Sample.Executor for judgebench's own sandbox.
const ExecutorSandbox = "sandbox"

// JudgeReport is what another judge reported of one case, as it reported it.
type JudgeReport struct {
	// Status is the judge's own name of its verdict ("TO", "Time Limit
	// Exceeded", "1"), before it was mapped to judgebench's.
	Status string `json:"status"`
	// Verdict is what judgebench would decide from the judge's own figures
	// and the limits, when that differs from the judge's verdict; "" when
	// they agree.
	Verdict Verdict `json:"judgebench_verdict,omitempty"`
	// Why says what the difference is, when Verdict is set.
	Why string `json:"why,omitempty"`
	// LatencyMS is judgebench's wall time around the call: what one case
	// costs through the judge, its own start-up and result included.
	LatencyMS float64 `json:"latency_ms"`
	// Raw is the judge's raw result as JSON, without file contents.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// JudgeInfo describes the judge a run measured, when it is not the sandbox.
type JudgeInfo struct {
	Executor string `json:"executor"` // judger, isolate, go-judge, command:NAME
	Spec     string `json:"spec"`     // as given to --executor
	Version  string `json:"version,omitempty"`
	// Config is the judge's configuration as it reports it, or as judgebench
	// drove it (its flags, its servers).
	Config json.RawMessage `json:"config,omitempty"`
	// Parallelism is how many cases the judge itself runs at once, where it
	// says (go-judge); 0 when it does not. A sweep beyond it measures the
	// judge's queue, not its cases.
	Parallelism int `json:"parallelism,omitempty"`
	// Notes are what judgebench knows of how the judge measures and limits.
	Notes []string `json:"notes,omitempty"`
	// Remote is true when the judge runs its cases on other hosts (go-judge
	// servers elsewhere): this machine's CPUs say nothing of how many it can
	// take at once.
	Remote bool `json:"remote,omitempty"`
}

// Key identifies a group: the samples that share model, measure mode,
// parallelism, GOMAXPROCS, pinning and isolation.
type Key struct {
	Model       Model     `json:"model"`
	Measure     Measure   `json:"measure"`
	Parallelism int       `json:"parallelism"`
	GOMAXPROCS  int       `json:"gomaxprocs"`
	Pinned      bool      `json:"pinned"`
	Placement   string    `json:"placement,omitempty"`
	Isolation   Isolation `json:"isolation"`
	Executor    string    `json:"executor"`
}

// Key returns the group key of s.
func (s *Sample) Key() Key {
	return Key{s.Model, s.Measure, s.Parallelism, s.GOMAXPROCS, s.Pinned, s.Placement, s.Isolation, s.Executor}
}

// Group holds the statistics of the samples of one Key.
type Group struct {
	Key
	N           int   `json:"n"`
	CPUTimeMS   Stats `json:"cpu_time_ms"`
	RealTimeMS  Stats `json:"real_time_ms"`
	MemoryBytes Stats `json:"memory_bytes"`
	// Inflation is median real_time / median cpu_time.
	Inflation float64 `json:"inflation"`
	// CPUVsSerial is median cpu_time / the serial group's median cpu_time over
	// the cases both ran; 0 when there is no serial group to compare with.
	CPUVsSerial         float64 `json:"cpu_vs_serial"`
	ThroughputCasesPerS float64 `json:"throughput_cases_per_s"`
	// Verdicts counts the group's samples by verdict.
	Verdicts       map[Verdict]int `json:"verdicts"`
	FaultsInjected int             `json:"faults_injected"`
	FaultsReported int             `json:"faults_reported"`
	FaultsLost     int             `json:"faults_lost"`
	VerdictFlips   int             `json:"verdict_flips"`
	ElapsedMS      float64         `json:"elapsed_ms"` // wall time of the whole group
}

// Stats summarise one measurement over a group's samples.
type Stats struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Mean   float64 `json:"mean"`
	P95    float64 `json:"p95"`
	Max    float64 `json:"max"`
	Stddev float64 `json:"stddev"`
	MAD    float64 `json:"mad"` // median absolute deviation
}
