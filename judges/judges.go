// Package judges drives the judges operators already run — QingdaoU Judger,
// isolate, go-judge, or any command described in a small YAML file — as
// executors of the harness: each runs one case under judgebench's limits
// through the judge and returns the judge's own verdict and figures in
// judgebench's terms (a sandbox.Result whose Judge field keeps the judge's
// raw account).
//
// The judge's verdict is the sample's verdict, mapped to judgebench's names.
// judgebench adds only two things: its checker turns an accepted run whose
// output is wrong into WRONG_ANSWER, and what judgebench would decide from
// the judge's own figures and the limits, when that differs, goes in
// JudgeReport.Verdict (a judge that polls its CPU limit lets a program that
// ends in time past the limit pass; one that counts user time only lets a
// program that lives in the kernel pass).
package judges

import (
	"context"
	"fmt"
	"strings"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// Executor runs one case through a judge. It satisfies the harness's
// Executor and Describer; Close releases what it holds (boxes, copies of
// programs, uploaded files).
type Executor interface {
	Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result
	Describe() results.JudgeInfo
	Close() error
}

// Spec names the executors --executor takes, for usage messages.
const Spec = "sandbox, judger:PATH, isolate:PATH, go-judge:URL[,URL...] or command:FILE"

// Open starts the executor that spec names: "judger:PATH" (QingdaoU Judger's
// libjudger.so command line), "isolate:PATH" (the isolate binary),
// "go-judge:URL[,URL...]" (go-judge servers, served round-robin) or
// "command:FILE" (a judge described in YAML). "sandbox" and "" return nil:
// judgebench's own sandbox, which the caller makes.
func Open(ctx context.Context, spec string) (Executor, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	if spec == "" || spec == results.ExecutorSandbox {
		return nil, nil
	}
	if arg == "" {
		return nil, fmt.Errorf("judges: executor %q: want %s", spec, Spec)
	}
	switch kind {
	case "judger":
		return openJudger(ctx, arg)
	case "isolate":
		return openIsolate(ctx, arg)
	case "go-judge":
		return openGoJudge(ctx, arg)
	case "command":
		return openCommand(ctx, arg)
	}
	return nil, fmt.Errorf("judges: executor %q: unknown kind %q; want %s", spec, kind, Spec)
}
