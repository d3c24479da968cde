package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Finish computes the groups of the samples added, then writes dir/run.json
// atomically: the header fields of run (its Schema is set to [Schema], its
// Samples and Groups are ignored), the samples, streamed from the temporary
// file, and the groups. info, which may be nil, is passed to [ComputeGroups].
// It never replaces a run.json: when another run finished in dir first, its
// error wraps fs.ErrExist. It returns the path of run.json and removes the
// temporary file; when run.json cannot be written the temporary file, which
// holds every sample, stays, and the error names it. Calling Finish twice,
// or after Abort, is an error.
func (w *Writer) Finish(run Run, info map[Key]GroupInfo) (_ string, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable("finish"); err != nil {
		return "", err
	}
	w.state = finished
	defer func() {
		if err == nil {
			w.removeTemp()
		} else if w.tmp != nil {
			err = fmt.Errorf("%w (the samples are kept in %s)", err, w.tmp.Name())
			w.tmp.Close()
		}
	}()
	if err := w.buf.Flush(); err != nil {
		return "", fmt.Errorf("results: finish: %w", err)
	}
	groups := w.tally.compute(info)
	refs := w.tally.referenceVerdicts()
	w.tally = nil
	run.Schema = Schema
	path := filepath.Join(w.dir, FileName)
	err = writeFile(path, func(out io.Writer) error {
		return w.encode(bufio.NewWriterSize(out, 64<<10), &run, groups, refs)
	}, linkNew)
	if err != nil {
		return "", fmt.Errorf("results: finish: %w", err)
	}
	return path, nil
}

// header is a Run without its samples and groups: the fields at depth 0
// hide those of the embedded Run, and being empty they are omitted.
type header struct {
	*Run
	Samples []Sample `json:"samples,omitempty"`
	Groups  []Group  `json:"groups,omitempty"`
}

// encode writes run.json to out: the header fields of run on the first line,
// then one line per sample, with its reference verdict from refs, and one
// per group.
func (w *Writer) encode(out *bufio.Writer, run *Run, groups []Group, refs func(string, Measure) Verdict) error {
	head, err := marshal(header{Run: run})
	if err != nil {
		return err
	}
	out.Write(head[:len(head)-1]) // without its closing brace
	out.WriteString(",\n\"samples\":[")
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := copySamples(out, w.tmp, refs); err != nil {
		return err
	}
	out.WriteString("\n],\n\"groups\":[")
	for i := range groups {
		line, err := marshal(&groups[i])
		if err != nil {
			return err
		}
		if i > 0 {
			out.WriteString(",")
		}
		out.WriteString("\n")
		out.Write(line)
	}
	out.WriteString("\n]}\n")
	return out.Flush() // bufio errors are sticky
}

// maxSampleLine is the longest sample line a run file may hold: Add cuts
// the free texts of a sample (its error, its checker message) to maxText.
const (
	maxSampleLine = 16 << 20
	maxText       = 64 << 10
)

// copySamples copies the sample lines of tmp (as Add wrote them: each on a
// line of its own, a comma ending all but the last) to out, each with its
// reference verdict added as its last field.
func copySamples(out *bufio.Writer, tmp io.Reader, refs func(string, Measure) Verdict) error {
	sc := bufio.NewScanner(tmp)
	sc.Buffer(make([]byte, 64<<10), maxSampleLine)
	first := true
	for sc.Scan() {
		line := bytes.TrimSuffix(sc.Bytes(), []byte(","))
		if len(line) == 0 {
			continue
		}
		var id struct {
			Case    string  `json:"case"`
			Measure Measure `json:"measure"`
		}
		if err := json.Unmarshal(line, &id); err != nil {
			return fmt.Errorf("samples file: %w", err)
		}
		if !first {
			out.WriteString(",")
		}
		first = false
		out.WriteString("\n")
		if ref := refs(id.Case, id.Measure); ref != "" {
			out.Write(line[:len(line)-1]) // without its closing brace
			fmt.Fprintf(out, ",%q:%q}", "reference_verdict", ref)
		} else {
			out.Write(line)
		}
	}
	return sc.Err()
}

// linkNew puts tmp at path only if path does not exist: a hard link, or
// where the file system has none, a rename after a look.
func linkNew(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, serr := os.Lstat(path); serr == nil {
		return &os.LinkError{Op: "link", Old: tmp, New: path, Err: fs.ErrExist}
	}
	return os.Rename(tmp, path)
}
