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
