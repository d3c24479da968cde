package main

import (
	"fmt"
	"io"
	"os"

	"github.com/judgebench/judgebench/harness"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is a progress bar on stderr, drawn only when stderr is a terminal.
type progress struct {
	f   *os.File
	bar *progressbar.ProgressBar
}

func newProgress(stderr io.Writer, quiet bool) *progress {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	return &progress{f: f}
}

// update shows where the run is: cases done of the total, and the group
// running.
func (p *progress) update(at harness.Progress) {
	if p.f == nil {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(at.Total, progressbar.OptionSetWriter(p.f), progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true), progressbar.OptionSetPredictTime(true))
	}
	p.bar.Describe(at.Group.Name())
	p.bar.Set(at.Done)
}

// stop leaves the bar where it is (a run cut short stays short of 100%) and
// ends its line.
func (p *progress) stop() {
	if p.bar != nil {
		p.bar.Exit()
		fmt.Fprintln(p.f)
	}
}
