package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// maxComment is how many bytes of a checker program's comment a Result keeps.
const maxComment = 200

// checkFiles are the files a checker program reads, in a temporary directory of
// the run's own (mode 0700, under os.TempDir): the case's input, the program's
// output and the expected answer.
type checkFiles struct {
	dir string
	out *os.File // the program's output, written as it streams
}

// newCheckFiles makes the directory, copies stdin (nil: nothing) into its input
// file and opens its output file.
func newCheckFiles(stdin io.Reader) (f *checkFiles, err error) {
	dir, err := os.MkdirTemp("", "judgebench-check-")
	if err != nil {
		return nil, fmt.Errorf("sandbox: checker files: %w", err)
	}
	files := &checkFiles{dir: dir}
	defer func() {
		if err != nil {
			files.remove()
		}
	}()
	f = files
	if err := createFile(f.path("input"), stdin); err != nil {
		return nil, fmt.Errorf("sandbox: read stdin: %w", err)
	}
	if f.out, err = os.OpenFile(f.path("output"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
		return nil, fmt.Errorf("sandbox: checker files: %w", err)
	}
	return f, nil
}

func (f *checkFiles) path(name string) string { return filepath.Join(f.dir, name) }

// args are the checker program's arguments: input, output, answer.
func (f *checkFiles) args() []string {
	return []string{f.path("input"), f.path("output"), f.path("answer")}
}

// openInput opens the input file for the program to read.
func (f *checkFiles) openInput() (*os.File, error) { return os.Open(f.path("input")) }

// remove closes and removes everything; it can be called more than once.
func (f *checkFiles) remove() error {
	if f.out != nil {
		f.out.Close()
	}
	if err := os.RemoveAll(f.dir); err != nil {
		return fmt.Errorf("sandbox: remove checker files: %w", err)
	}
	return nil
}

// createFile creates path (mode 0600) with what r holds; a nil r is nothing.
func createFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if r != nil {
		_, err = io.Copy(f, r)
	}
	return errors.Join(err, f.Close())
}

// checkerVerdict maps a checker program's run to the case's verdict: exit status 0
// is ACCEPTED, 1 (wrong answer) and 2 (presentation error) WRONG_ANSWER. Anything
// else (testlib's 3, a crash, a limit, a start failure) is an error: the judge failed,
// not the program.
func checkerVerdict(cr *Result, comment string) (Verdict, error) {
	var why string
	switch {
	case cr.Verdict == Accepted:
		return Accepted, nil
	case cr.Verdict == RuntimeError && cr.Signal == 0 && (cr.ExitCode == 1 || cr.ExitCode == 2):
		return WrongAnswer, nil
	case cr.Verdict == SystemError:
		return 0, errors.New(strings.TrimPrefix(cr.Error, "sandbox: "))
	case cr.Verdict == RuntimeError && cr.Signal != 0:
		why = "killed by " + cr.SignalName()
	case cr.Verdict == RuntimeError:
		why = fmt.Sprintf("exit status %d", cr.ExitCode)
	default:
		why = fmt.Sprintf("%v (cpu %v, real %v)", cr.Verdict, cr.CPUTime.Round(time.Millisecond), cr.RealTime.Round(time.Millisecond))
	}
	if comment != "" {
		why += ": " + comment
	}
	return 0, errors.New(why)
}

// checkerComment returns the first non-blank line a checker program wrote: testlib
// writes its comment to stderr, so stderr's, else stdout's. It is cut to maxComment
// bytes, with control characters as spaces.
func checkerComment(stderr, stdout []byte) string {
	for _, b := range [][]byte{stderr, stdout} {
		b = bytes.TrimLeft(b, " \t\r\n\v\f")
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[:i]
		}
		if b = bytes.TrimSpace(b); len(b) > 0 {
			return printable(b)
		}
	}
	return ""
}

// printable returns b as valid UTF-8 of at most maxComment bytes (with an ellipsis
// if cut), control characters replaced by spaces.
func printable(b []byte) string {
	cut := len(b) > maxComment
	if cut {
		b = b[:maxComment]
		for range utf8.UTFMax - 1 { // a rune the cut split
			if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
				break
			}
			b = b[:len(b)-1]
		}
	}
	s := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(b), "\uFFFD"))
	if cut {
		s += "…"
	}
	return s
}
