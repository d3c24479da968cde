package results

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes the file path through fill: into a temporary file in
// the same directory, synced, then renamed over path, and the directory
// synced, so that a reader, or a machine that loses power, sees the old file
// or the whole new one, never a part. On error path is untouched and the
// temporary file removed. Errors name path, not the temporary file.
func WriteFileAtomic(path string, fill func(io.Writer) error) error {
	return writeFile(path, fill, os.Rename)
}

// writeFile writes path through fill as WriteFileAtomic says, putting the
// temporary file in place with put: os.Rename replaces path, os.Link fails
// with fs.ErrExist when path exists.
func writeFile(path string, fill func(io.Writer) error, put func(tmp, path string) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return fmt.Errorf("%s: %w", path, cause(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := fill(f); err != nil {
		return err
	}
	err = f.Chmod(0o644)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Close()
	}
	if err == nil {
		err = put(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, cause(err))
	}
	os.Remove(f.Name()) // after a link; gone after a rename
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

// cause strips the operation and file name off err, an error of package os,
// when the caller names the file itself.
func cause(err error) error {
	if pe, ok := errors.AsType[*os.PathError](err); ok {
		return pe.Err
	}
	if le, ok := errors.AsType[*os.LinkError](err); ok {
		return le.Err
	}
	return err
}
