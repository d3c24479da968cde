package harness

import (
	"context"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// Executor runs one case under its limits and measures it. judgebench's
// sandbox is one; package judges drives the judges operators run (QingdaoU
// Judger, isolate, go-judge, any command) as others.
//
// An Executor must be safe for concurrent use: Command.Slot tells apart the
// worker slots running at once. A Result of another judge carries the
// judge's own account in Result.Judge.
type Executor interface {
	Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result
}

var _ Executor = (*sandbox.Sandbox)(nil)

// Describer is an Executor that can say what it is, for the record of a
// run: every executor of package judges is one.
type Describer interface {
	Describe() results.JudgeInfo
}

// describe is what run.json records of e; nil for the sandbox.
func describe(e Executor) *results.JudgeInfo {
	if e == nil {
		return nil
	}
	if d, ok := e.(Describer); ok {
		info := d.Describe()
		return &info
	}
	return &results.JudgeInfo{Executor: "unnamed"}
}

// executorName is the name samples of e record.
func executorName(e Executor) string {
	if info := describe(e); info != nil {
		return info.Executor
	}
	return results.ExecutorSandbox
}
