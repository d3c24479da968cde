package results

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Finish computes the groups of the samples added, then writes dir/run.json
// atomically: the header fields of run (its Schema is set to [Schema], its
// Samples and Groups are ignored), the samples, streamed from the temporary
// file, and the groups. info, which may be nil, is passed to [ComputeGroups].
// Finish removes the temporary file, whether it succeeds or not, and returns
// the path of run.json. Calling Finish twice, or after Abort, is an error.
func (w *Writer) Finish(run Run, info map[Key]GroupInfo) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable("finish"); err != nil {
		return "", err
	}
	w.state = finished
	defer w.removeTemp()
	if err := w.buf.Flush(); err != nil {
		return "", fmt.Errorf("results: finish: %w", err)
	}
	groups := w.tally.compute(info)
	w.tally = nil
	run.Schema = Schema
	path := filepath.Join(w.dir, FileName)
	err := writeAtomic(path, func(out *bufio.Writer) error {
		return w.encode(out, &run, groups)
	})
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
// then one line per sample and one per group.
func (w *Writer) encode(out *bufio.Writer, run *Run, groups []Group) error {
	head, err := marshal(header{Run: run})
	if err != nil {
		return err
	}
	out.Write(head[:len(head)-1]) // without its closing brace
	out.WriteString(",\n\"samples\":[")
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(out, w.tmp); err != nil {
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
	_, err = out.WriteString("\n]}\n") // bufio errors are sticky
	return err
}

// writeAtomic writes path through fill: into a temporary file in the same
// directory, synced, then renamed over path. A reader sees the old file or
// the whole new one, never part of it; on error path is untouched.
func writeAtomic(path string, fill func(*bufio.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	out := bufio.NewWriterSize(f, 64<<10)
	if err := fill(out); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: some file
// systems cannot sync a directory, and the file itself is already synced.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
