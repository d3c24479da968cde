package sandbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

// checkOutput judges the program's output with the checker program: a run of its
// own under CheckerLimits, after the program has ended and been cleaned up, whose
// verdict replaces the program's ACCEPTED or WRONG_ANSWER. Its time and memory are
// not the case's. The expected answer is written out only now, so the program
// never had it at hand.
func (r *run) checkOutput(ctx context.Context) {
	if err := createFile(r.files.path("answer"), r.c.Expect); err != nil {
		r.fail(fmt.Errorf("sandbox: expected output: %w", err))
		return
	}
	cr, stdout := r.runChecker(ctx)
	for _, w := range cr.Warnings[min(len(r.s.warnings), len(cr.Warnings)):] {
		r.warn(errors.New("checker: " + w))
	}
	comment := checkerComment(cr.Stderr, stdout)
	verdict, err := checkerVerdict(cr, comment)
	if err != nil {
		r.fail(fmt.Errorf("sandbox: checker %s: %w", r.c.Checker.Program, err))
		return
	}
	r.res.Verdict, r.res.Match = verdict, verdict == Accepted
	if verdict == WrongAnswer {
		r.res.CheckerMessage = comment
	}
}

// runChecker runs the checker program as `PROGRAM input output answer` in the
// files' directory, with /dev/null for stdin and the harness's environment.
func (r *run) runChecker(ctx context.Context) (*Result, []byte) {
	prog, err := filepath.Abs(r.c.Checker.Program) // it runs in another directory
	if err != nil {
		prog = r.c.Checker.Program
	}
	stdout := &boundedBuffer{limit: 4 << 10}
	cr := r.s.Run(ctx, &Command{
		Path:        prog,
		Args:        r.files.args(),
		Dir:         r.files.dir,
		Stdout:      stdout,
		StderrLimit: 4 * KiB,
		Limits:      r.c.CheckerLimits.WithCheckerDefaults(),
		trusted:     true, // the judge's own program: no isolation
	})
	return cr, stdout.Bytes()
}
