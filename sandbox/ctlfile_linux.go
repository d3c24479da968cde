package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A ctlFile is a kernel control file (a cgroup's, /proc's) kept open: each
// write is one write(2), each read a pread(2) from the start, which the
// kernel answers afresh, with no path walk and none of Go's poller (which
// tries, and fails, to register every file it opens). A ctlFile whose file
// the kernel does not have is absent, as is the zero ctlFile.
type ctlFile struct {
	fd   int
	path string
	open bool
}

// noCtl is an absent control file.
var noCtl = ctlFile{}

// openCtl opens the control file at path for reading and writing, or for
// reading alone when it is read-only. A missing file is an error.
func openCtl(path string) (ctlFile, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.EACCES) {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return noCtl, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return ctlFile{fd, path, true}, nil
}

// openCtlIfThere opens the control file at path, or gives an absent one
// when the kernel does not have it.
func openCtlIfThere(path string) (ctlFile, error) {
	f, err := openCtl(path)
	if errors.Is(err, unix.ENOENT) {
		return noCtl, nil
	}
	return f, err
}

func (f ctlFile) present() bool { return f.open }

// ctlOpener opens the control files of cgroup directories one after another
// and keeps every error for the end.
type ctlOpener struct{ errs []error }

// open opens file name of dir, which must be there.
func (o *ctlOpener) open(dir, name string) ctlFile {
	f, err := openCtl(filepath.Join(dir, name))
	o.errs = append(o.errs, err)
	return f
}

// openIfThere opens file name of dir, or gives an absent one when the
// kernel does not have it.
func (o *ctlOpener) openIfThere(dir, name string) ctlFile {
	f, err := openCtlIfThere(filepath.Join(dir, name))
	o.errs = append(o.errs, err)
	return f
}

func (o *ctlOpener) err() error { return errors.Join(o.errs...) }

// set writes value. A write the kernel must work for (a memory limit below
// the usage: reclaim) can be interrupted by the runtime's signals: it is
// tried again.
func (f ctlFile) set(value string) error {
	for {
		_, err := unix.Write(f.fd, []byte(value))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "write", Path: f.path, Err: err}
		}
		return nil
	}
}

// read returns the whole content, read afresh.
func (f ctlFile) read() ([]byte, error) {
	buf := make([]byte, 512)
	n := 0
	for {
		m, err := unix.Pread(f.fd, buf[n:], int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: f.path, Err: err}
		}
		if m == 0 {
			return buf[:n], nil
		}
		n += m
		if n == len(buf) {
			buf = slices.Grow(buf, len(buf))[:2*len(buf)]
		}
	}
}

// int reads a file of one integer.
func (f ctlFile) int() (int64, error) {
	data, err := f.read()
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(bytes.TrimSpace(data)), 10, 64)
}

// keys reads the values of keys in a flat-keyed file ("key value" lines).
func (f ctlFile) keys(keys ...string) ([]int64, error) {
	data, err := f.read()
	if err != nil {
		return make([]int64, len(keys)), err
	}
	return parseKeys(f.path, data, keys)
}

func (f *ctlFile) close() {
	if f.open {
		unix.Close(f.fd)
	}
	*f = noCtl
}

// readOnce reads the whole of a kernel file at path once, as a ctlFile
// would.
func readOnce(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := ctlFile{fd, path, true}
	defer f.close()
	return f.read()
}

// writeFile writes value to the kernel file at path, in one write.
func writeFile(path, value string) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := ctlFile{fd, path, true}
	defer f.close()
	return f.set(value)
}

// parseKeys reads the values of keys in the flat-keyed content of the file
// at path.
func parseKeys(path string, data []byte, keys []string) ([]int64, error) {
	vals := make([]int64, len(keys))
	found := 0
	for line := range strings.SplitSeq(string(data), "\n") {
		k, v, ok := strings.Cut(line, " ")
		if i := slices.Index(keys, k); ok && i >= 0 {
			var err error
			if vals[i], err = strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
				return vals, fmt.Errorf("%s: %s: %w", path, k, err)
			}
			found++
		}
	}
	if found < len(keys) {
		return vals, fmt.Errorf("%s: not every one of %q", path, keys)
	}
	return vals, nil
}
