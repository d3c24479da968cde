package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// FileName is the name of the run file in a run directory.
const FileName = "run.json"

// Writer streams samples to a run directory and writes its run.json at
// Finish. Its memory stays flat however many samples come: each Add appends
// one JSON line to a temporary file in the directory, and only the numbers the
// statistics need are kept per group. A Writer is safe for concurrent use.
type Writer struct {
	dir     string
	created bool // Create made dir

	mu    sync.Mutex
	state state
	err   error    // the first write error, returned by every later call
	tmp   *os.File // the samples, nil once removed
	buf   *bufio.Writer
	n     int // samples written
	tally *tally
}

type state int

const (
	open state = iota
	finished
	aborted
)

func (s state) String() string {
	return [...]string{"open", "finished", "aborted"}[s]
}

// DefaultDir is the directory that holds the run directories whose names a
// command chose.
const DefaultDir = "judgebench-results"

// Create makes dir, with its parents, and returns a Writer of a run in it. It
// is an error, wrapping fs.ErrExist, if dir already holds a run.json.
func Create(dir string) (*Writer, error) {
	_, err := os.Stat(dir)
	created := errors.Is(err, fs.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: create: %w", err)
	}
	return create(dir, created)
}

// CreateNew makes a new run directory in parent (made if need be), named
// after t, in UTC to the second, and name: "20260102T150405Z-judge", else
// the first of "...-judge-2", "...-judge-3", ... that does not exist yet.
// Each name is taken by an atomic mkdir, so runs started together never
// share a directory. It returns a Writer of a run in it.
func CreateNew(parent, name string, t time.Time) (*Writer, error) {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("results: create: %w", err)
	}
	base := filepath.Join(parent, t.UTC().Format("20060102T150405Z")+"-"+dirName(name))
	for n := 1; ; n++ {
		dir := base
		if n > 1 {
			dir += "-" + strconv.Itoa(n)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			w, err := create(dir, true)
			if err != nil {
				os.Remove(dir)
			}
			return w, err
		}
		if !errors.Is(err, fs.ErrExist) || n == 10_000 {
			return nil, fmt.Errorf("results: create: %w", err)
		}
	}
}

// dirName is name fit to be part of a directory name: the base name of a
// path without its extension, anything but ASCII letters, digits, '-' and
// '_' made '_'.
func dirName(name string) string {
	if abs, err := filepath.Abs(name); err == nil { // "." names the directory it is
		name = abs
	}
	name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, name)
}

// create returns a Writer of a run in dir, which exists; Abort removes dir
// when created is set.
func create(dir string, created bool) (*Writer, error) {
	path := filepath.Join(dir, FileName)
	switch _, err := os.Lstat(path); {
	case err == nil:
		return nil, fmt.Errorf("results: create: %s: %w", path, fs.ErrExist)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("results: create: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".samples-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("results: create: %w", err)
	}
	return &Writer{
		dir:     dir,
		created: created,
		tmp:     tmp,
		buf:     bufio.NewWriterSize(tmp, 64<<10),
		tally:   newTally(),
	}, nil
}

// Dir returns the run directory of w.
func (w *Writer) Dir() string { return w.dir }

// Add records s. It is an error if s has an empty or unknown verdict or an
// unknown expected verdict, if a time is not a finite number, or if the
// Writer is finished or aborted. After a write error every call fails.
func (w *Writer) Add(s Sample) error {
	if err := checkSample(&s); err != nil {
		return fmt.Errorf("results: add: %w", err)
	}
	s.Error, s.CheckerMessage = cut(s.Error, maxText), cut(s.CheckerMessage, maxText)
	line, err := marshal(&s)
	if err != nil {
		return fmt.Errorf("results: add: case %q: %w", s.Case, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable("add"); err != nil {
		return err
	}
	// The temporary file holds exactly the inside of run.json's samples
	// array, so that Finish copies it as it is.
	sep := ",\n"
	if w.n == 0 {
		sep = "\n"
	}
	w.buf.WriteString(sep)
	if _, err := w.buf.Write(line); err != nil { // bufio errors are sticky
		w.err = fmt.Errorf("results: add: %w", err)
		return w.err
	}
	w.n++
	w.tally.add(&s)
	return nil
}

// usable returns why op cannot run now, or nil.
func (w *Writer) usable(op string) error {
	if w.state != open {
		return fmt.Errorf("results: %s: writer is %s", op, w.state)
	}
	return w.err
}

// Abort removes the Writer's temporary files, and dir if Create made it and
// it is empty now. Abort after Finish does nothing, so a deferred Abort is
// a safe cleanup.
func (w *Writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state != open {
		return nil
	}
	w.state = aborted
	w.tally = nil
	err := w.removeTemp()
	if w.created {
		os.Remove(w.dir) // fails, as it should, when dir holds something else
	}
	return err
}

// removeTemp closes and removes the samples file.
func (w *Writer) removeTemp() error {
	if w.tmp == nil {
		return nil
	}
	name := w.tmp.Name()
	w.tmp.Close()
	w.tmp, w.buf = nil, nil
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// marshal returns the compact JSON of v, without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// cut returns s cut to at most n bytes, at a rune boundary, marked "...".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s[len(s)-1:]) && !utf8.RuneStart(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return strings.ToValidUTF8(s, "") + "..."
}
