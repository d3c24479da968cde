package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// WorkerArgs is how the process model starts a worker: this binary with these
// arguments (`judgebench worker`). Test binaries that pose as judgebench
// handle them in TestMain by calling WorkerMain.
var WorkerArgs = []string{"worker"}

// workerGrace is how long a worker may take beyond its case's real-time
// limit (its own start-up and exit) before it counts as hung.
var workerGrace = 10 * time.Second

// job is what travels to a worker: data only, a workload's name and its
// arguments, never code. That is the Go face of "can't pickle instancemethod":
// a func or a channel cannot cross a process boundary, a name can.
type job struct {
	Case      scenarios.Case     `json:"case"`
	Limits    limitsJSON         `json:"limits"`
	Cgroup    sandbox.CgroupMode `json:"cgroup"`
	Mode      results.Measure    `json:"measure"`
	Isolation sandbox.Isolation  `json:"isolation"`
	UIDs      sandbox.UIDRange   `json:"uids"`
	Disk      sandbox.Size       `json:"disk"`
	Env       []string           `json:"env,omitempty"`
	Slot      int                `json:"slot"`
	CPUs      []int              `json:"cpus,omitempty"` // the program's; none: the worker's
}

// limitsJSON is sandbox.Limits on the wire.
type limitsJSON struct {
	CPUTime   time.Duration `json:"cpu_time_ns,omitempty"`
	RealTime  time.Duration `json:"real_time_ns,omitempty"`
	Memory    int64         `json:"memory,omitempty"`
	Output    int64         `json:"output,omitempty"`
	Stack     int64         `json:"stack,omitempty"`
	Processes int           `json:"processes,omitempty"`
}

func toWire(l sandbox.Limits) limitsJSON {
	return limitsJSON{l.CPUTime, l.RealTime, int64(l.Memory), int64(l.Output), int64(l.Stack), l.Processes}
}

func (w limitsJSON) limits() sandbox.Limits {
	return sandbox.Limits{CPUTime: w.CPUTime, RealTime: w.RealTime, Memory: sandbox.Size(w.Memory),
		Output: sandbox.Size(w.Output), Stack: sandbox.Size(w.Stack), Processes: w.Processes}
}

// runProcess starts one worker process for c, sends it the case as JSON and
// reads the outcome back as JSON. A worker that dies, hangs past the case's
// real-time limit plus a grace period, or answers garbage is a SYSTEM_ERROR
// carrying its stderr: never a hang, never a dropped case.
func runProcess(ctx context.Context, c *scenarios.Case, l sandbox.Limits, opts sandbox.Options, mode results.Measure, at place) outcome {
	exe, err := os.Executable()
	if err != nil {
		return systemError(fmt.Errorf("harness: find this binary: %w", err))
	}
	in, err := json.Marshal(job{Case: *c, Limits: toWire(l), Cgroup: opts.Cgroup, Mode: mode, Isolation: opts.Isolation,
		UIDs: opts.UIDs, Disk: opts.Disk, Env: opts.Env, Slot: at.slot, CPUs: at.cpus})
	if err != nil {
		return systemError(fmt.Errorf("harness: encode case %s: %w", c.Name, err))
	}
	l = l.WithDefaults()
	ctx, cancel := context.WithTimeout(ctx, l.RealTime+workerGrace)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, WorkerArgs...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	// SIGTERM first: the worker kills its case and closes its sandbox; only
	// one that does not is killed, and its cgroups removed from here.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = &stdout, &limitedBuffer{&stderr, 16 << 10}
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if err != nil && cmd.Process != nil {
		sandbox.RemoveLeftovers(cmd.Process.Pid)
	}
	var o outcome
	if derr := json.Unmarshal(stdout.Bytes(), &o); derr != nil || err != nil {
		cause := fmt.Sprintf("answered no outcome (%v)", derr)
		switch {
		case ctx.Err() != nil:
			cause = fmt.Sprintf("%v (%v)", ctx.Err(), err)
		case err != nil:
			cause = err.Error()
		}
		msg := strings.TrimSpace(stderr.String())
		return systemError(fmt.Errorf("harness: worker for case %s: %s; stderr: %q", c.Name, cause, msg))
	}
	o.Worker = took
	return o
}

// limitedBuffer keeps the first n bytes written to it.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// Work is a process-model worker: it reads one case as JSON from stdin, runs
// it in a sandbox of its own and writes the outcome as JSON to stdout. Its
// error is for the worker's stderr: the harness reports a worker that
// answers no outcome as a SYSTEM_ERROR with it.
func Work(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	var j job
	if err := json.NewDecoder(stdin).Decode(&j); err != nil {
		return fmt.Errorf("worker: read case: %w", err)
	}
	if err := j.check(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	sb, err := sandbox.New(sandbox.Options{Cgroup: j.Cgroup, Isolation: j.Isolation, UIDs: j.UIDs, Disk: j.Disk, Env: j.Env})
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	o := runSandboxed(ctx, sb, &j.Case, j.Limits.limits(), j.Mode, place{j.Slot, j.CPUs})
	if err := sb.Close(); err != nil && o.Error == "" {
		o.Error = "worker: " + err.Error() // the case was measured: say what the cleanup left
	}
	if err := json.NewEncoder(stdout).Encode(o); err != nil {
		return fmt.Errorf("worker: write outcome: %w", err)
	}
	return nil
}

// check reports what makes j no case a worker can run.
func (j *job) check() error {
	c := &j.Case
	switch {
	case c.Workload == "" && (len(c.Program) == 0 || c.Program[0] == ""):
		return fmt.Errorf("case %q: no workload and no program", c.Name)
	case c.Workload != "":
		if _, ok := scenarios.Lookup(c.Workload); !ok {
			return fmt.Errorf("case %q: no workload %q", c.Name, c.Workload)
		}
	}
	if _, err := sandbox.ParseCgroupMode(string(j.Cgroup)); j.Cgroup != "" && err != nil {
		return err
	}
	if _, err := sandbox.ParseIsolation(string(j.Isolation)); j.Isolation != "" && err != nil {
		return err
	}
	if _, err := results.ParseMeasure(string(j.Mode)); err != nil {
		return err
	}
	return nil
}

// CaseJSON is a case as it travels to a process-model worker.
func CaseJSON(c scenarios.Case) ([]byte, error) {
	return json.Marshal(job{Case: c, Limits: toWire(sandbox.Limits{}), Cgroup: sandbox.CgroupAuto, Mode: results.Exact})
}
