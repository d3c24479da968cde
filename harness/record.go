package harness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// A Job is what a run directory records: a Harness running a plan, or a
// Calibrator.
type Job interface {
	// Run sends every sample to sink as it finishes and returns what only
	// the job knows of each group. When ctx is cancelled it stops, keeps what
	// finished, and returns the context's error.
	Run(ctx context.Context, sink Sink) (map[results.Key]results.GroupInfo, error)
	// Machine describes the host and the sandbox the job runs cases in.
	Machine() results.Machine
}

var (
	_ Job = (*Harness)(nil)
	_ Job = (*Calibrator)(nil)
	_ Job = (*Tuner)(nil)
)

// Recording says where and under what name a run is recorded.
type Recording struct {
	// Dir is the run directory; "" means a new one in results.DefaultDir
	// named after the time and Name (see results.CreateNew).
	Dir string
	// Name names the default directory; "" means Target.
	Name string
	// Target is what ran: a scenario, a file, a problem directory.
	Target string
	// Settings are recorded as given, but for Out, which is set to the run
	// directory.
	Settings results.Settings
}

// ErrInterrupted is the error of Record when its context was cancelled
// before the job finished: run.json holds the samples that finished and
// says "interrupted": true.
var ErrInterrupted = errors.New("interrupted")

// Record runs job into a run directory and writes its run.json, whether the
// job finished, failed or was interrupted, so that nothing measured is lost.
// It returns the path of run.json, "" when it could not be written. Its error
// wraps ErrInterrupted and the context's cause when ctx was cancelled before
// the job finished (the one meaning of interrupted), or is the job's error.
func Record(ctx context.Context, job Job, rec Recording) (string, error) {
	w, err := createRun(rec)
	if err != nil {
		return "", err
	}
	defer w.Abort() // after Finish, nothing
	header := results.Run{Schema: results.Schema, Target: rec.Target, StartedAt: time.Now().UTC(),
		Settings: rec.Settings, Machine: job.Machine()}
	header.Settings.Out = w.Dir()
	info, runErr := job.Run(ctx, w)
	header.FinishedAt = time.Now().UTC()
	header.Interrupted = runErr != nil && ctx.Err() != nil // stopped by the cancel, not after it
	path, err := w.Finish(header, info)
	switch {
	case err != nil:
		return "", errors.Join(runErr, err)
	case header.Interrupted:
		return path, fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(ctx))
	}
	return path, runErr
}

// createRun makes the run directory of rec.
func createRun(rec Recording) (*results.Writer, error) {
	if rec.Dir != "" {
		return results.Create(rec.Dir)
	}
	name := rec.Name
	if name == "" {
		name = rec.Target
	}
	return results.CreateNew(results.DefaultDir, name, time.Now())
}

// machine describes this host and sb.
func machine(sb *sandbox.Sandbox) results.Machine {
	m := host.Describe()
	m.CgroupVersion = "none"
	if sb != nil {
		m.CgroupVersion = sb.Cgroup()
		m.SandboxWarnings = append([]string{}, sb.Warnings()...)
	}
	return m
}
