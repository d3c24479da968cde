package judges

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/judgebench/judgebench/sandbox"
)

// gjMaxContent is the largest stdin sent inline as {"content"}; larger ones,
// and ones that are not UTF-8 (a JSON string cannot carry them), are uploaded.
const gjMaxContent = 64 << 10

// gjCmd is one command of a POST /run request.
type gjCmd struct {
	Args        []string          `json:"args"`
	Env         []string          `json:"env"`
	Files       []gjFile          `json:"files"`
	CPULimit    int64             `json:"cpuLimit"`    // ns
	ClockLimit  int64             `json:"clockLimit"`  // ns
	MemoryLimit int64             `json:"memoryLimit"` // bytes
	StackLimit  int64             `json:"stackLimit"`  // bytes
	ProcLimit   int               `json:"procLimit"`
	CopyIn      map[string]gjFile `json:"copyIn"`
}

// gjFile is a file of a command: inline content, an uploaded file, or a
// collector of an output (name and max).
type gjFile struct {
	Content *string `json:"content,omitempty"`
	FileID  string  `json:"fileId,omitempty"`
	Name    string  `json:"name,omitempty"`
	Max     int64   `json:"max,omitempty"`
}

// command is cmd as go-judge runs it on s, uploading what s lacks; done
// removes what was uploaded for this case alone.
func (g *goJudge) command(ctx context.Context, s *gjServer, cmd *sandbox.Command) (c gjCmd, done func(), err error) {
	prog, err := g.program(ctx, s, cmd.Path)
	if err != nil {
		return c, nil, err
	}
	stdin, done, err := g.stdin(ctx, s, cmd.Stdin)
	if err != nil {
		return c, nil, err
	}
	l := cmd.Limits.WithDefaults()
	env := envOrDefault(cmd.Env)
	return gjCmd{
		Args:        append([]string{"prog"}, cmd.Args...),
		Env:         env,
		Files:       []gjFile{stdin, {Name: "stdout", Max: int64(l.Output)}, {Name: "stderr", Max: int64(stderrLimit(cmd.StderrLimit))}},
		CPULimit:    l.CPUTime.Nanoseconds(),
		ClockLimit:  l.RealTime.Nanoseconds(),
		MemoryLimit: int64(l.Memory),
		StackLimit:  int64(l.Stack),
		ProcLimit:   l.Processes,
		CopyIn:      map[string]gjFile{"prog": {FileID: prog}},
	}, done, nil
}

// program returns the file id on s of the program at path, uploading it
// once per version. A name without a slash is looked up in PATH.
func (g *goJudge) program(ctx context.Context, s *gjServer, path string) (string, error) {
	abs, st, err := lookProgram(path)
	if err != nil {
		return "", err
	}
	return g.cached(ctx, s, programKey{abs, st.Size(), st.ModTime()}, func() (io.ReadCloser, error) {
		return os.Open(abs)
	})
}

// stdin is the file go-judge reads as the case's stdin: inline content
// when small, else an upload (once per version of a regular file; once per
// case of anything else, which done then removes).
func (g *goJudge) stdin(ctx context.Context, s *gjServer, in io.Reader) (f gjFile, done func(), err error) {
	nop := func() {}
	if in == nil {
		return gjFile{Content: new("")}, nop, nil
	}
	if file, ok := in.(*os.File); ok {
		if st, err := file.Stat(); err == nil && st.Mode().IsRegular() {
			abs, err := filepath.Abs(file.Name())
			if err != nil {
				return f, nil, err
			}
			id, err := g.cached(ctx, s, programKey{abs, st.Size(), st.ModTime()}, func() (io.ReadCloser, error) {
				return io.NopCloser(io.NewSectionReader(file, 0, st.Size())), nil
			})
			return gjFile{FileID: id}, nop, err
		}
	}
	head, err := io.ReadAll(io.LimitReader(in, gjMaxContent+1))
	if err != nil {
		return f, nil, fmt.Errorf("read the input: %w", err)
	}
	if len(head) <= gjMaxContent && utf8.Valid(head) {
		return gjFile{Content: new(string(head))}, nop, nil
	}
	id, err := g.upload(ctx, s, io.MultiReader(bytes.NewReader(head), in))
	if err != nil {
		return f, nil, err
	}
	return gjFile{FileID: id}, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		g.remove(ctx, s, id)
	}, nil
}
