package sandbox

import (
	"errors"
	"io/fs"
	"os"
)

// ErrNotRegular is the error of an input that is not a regular file; an
// *InputError wraps it.
var ErrNotRegular = errors.New("not a regular file")

// InputError is an input (a case's stdin or expected output) that is not a
// regular file: a named pipe, whose open waits for a writer and whose reads
// may never end; a device; a directory; a socket. The null device is allowed:
// it reads as an empty file.
type InputError struct {
	Path string // the file as it was named
	Kind string // what it is instead: "a named pipe", "a character device", ...
}

func (e *InputError) Error() string { return e.Path + ": not a regular file (" + e.Kind + ")" }
func (e *InputError) Unwrap() error { return ErrNotRegular }

// CheckInput reports whether the file at path, followed through symbolic
// links, can be a case's input: nil for a regular file or the null device,
// else an *InputError, or the error of stat naming the path. It does not
// open the file.
func CheckInput(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return inputError(path, fi)
}

// inputError is the *InputError of a file that is not a regular file or the
// null device, else nil.
func inputError(path string, fi fs.FileInfo) error {
	if kind := fileKind(fi); kind != "" {
		return &InputError{Path: path, Kind: kind}
	}
	return nil
}

// fileKind names what a file that cannot be an input is; "" when it can.
func fileKind(fi fs.FileInfo) string {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return ""
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeDevice != 0 && m&fs.ModeCharDevice != 0:
		if isNullDevice(fi) {
			return ""
		}
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a file"
}
