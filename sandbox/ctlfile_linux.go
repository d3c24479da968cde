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
	"sync"

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
	return openCtlAt(unix.AT_FDCWD, path, path)
}

// openCtlAt is openCtl of name in the directory open as dirfd; path names
// the file in errors.
func openCtlAt(dirfd int, name, path string) (ctlFile, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.EACCES) {
		fd, err = unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return noCtl, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return ctlFile{fd, path, true}, nil
}

// ifThere turns an open that failed for want of the file into an absent
// control file.
func ifThere(f ctlFile, err error) (ctlFile, error) {
	if errors.Is(err, unix.ENOENT) {
		return noCtl, nil
	}
	return f, err
}

func (f ctlFile) present() bool { return f.open }

// ctlOpener opens the control files of cgroup directories one after another
// and keeps every error for the end. It opens each file from its directory,
// which it keeps open while the files that follow are in it too: the path
// from /sys/fs/cgroup down is walked once, not once a file.
type ctlOpener struct {
	errs  []error
	dir   string
	dirfd int // open on dir when has is set
	has   bool
}

// open opens file name of dir, which must be there.
func (o *ctlOpener) open(dir, name string) ctlFile {
	f, err := o.openAt(dir, name)
	o.errs = append(o.errs, err)
	return f
}

// openIfThere opens file name of dir, or gives an absent one when the
// kernel does not have it.
func (o *ctlOpener) openIfThere(dir, name string) ctlFile {
	f, err := ifThere(o.openAt(dir, name))
	o.errs = append(o.errs, err)
	return f
}

// openAt opens file name of dir from dir's descriptor, which it opens
// first when the last file was in another directory.
func (o *ctlOpener) openAt(dir, name string) (ctlFile, error) {
	path := filepath.Join(dir, name)
	if !o.has || dir != o.dir {
		o.closeDir()
		fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return noCtl, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		o.dir, o.dirfd, o.has = dir, fd, true
	}
	return openCtlAt(o.dirfd, name, path)
}

// closeDir closes the directory open, if one is.
func (o *ctlOpener) closeDir() {
	if o.has {
		unix.Close(o.dirfd)
		o.has = false
	}
}

// done ends the opening, and returns every error of it.
func (o *ctlOpener) done() error {
	o.closeDir()
	return errors.Join(o.errs...)
}

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

// readBuffers are ctlFile.read's first buffers, used again from read to
// read.
var readBuffers = sync.Pool{New: func() any { return new([4096]byte) }}

// read returns the whole content, read afresh: from offset 0, which makes
// the kernel make it anew, to the read that returns nothing (a short read
// is no end: a seq_file of many records, such as cgroup.procs, stops a
// read at a record that does not fit). The first read takes a page, as
// the kernel's own buffer does: /proc/PID/status comes in one read, and
// the empty one that ends it.
func (f ctlFile) read() ([]byte, error) { return f.readUntil(nil) }

// readUntil is read that stops early, at the end of a read after which
// enough (when not nil) finds what its caller needs in the content so far.
func (f ctlFile) readUntil(enough func(data []byte) bool) ([]byte, error) {
	page := readBuffers.Get().(*[4096]byte)
	defer readBuffers.Put(page)
	buf := page[:]
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
			return bytes.Clone(buf[:n]), nil
		}
		n += m
		if enough != nil && enough(buf[:n]) {
			return bytes.Clone(buf[:n]), nil
		}
		if n == len(buf) {
			buf = append(buf, make([]byte, len(buf))...)
		}
	}
}

// int reads a file of one integer. Its line whole is all of it: the read
// that would return nothing is saved.
func (f ctlFile) int() (int64, error) {
	data, err := f.readUntil(func(data []byte) bool { return data[len(data)-1] == '\n' })
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(bytes.TrimSpace(data)), 10, 64)
}

// keys reads the values of keys in a flat-keyed file ("key value" lines),
// as far as the last of their lines.
func (f ctlFile) keys(keys ...string) ([]int64, error) {
	data, err := f.readUntil(func(data []byte) bool {
		for _, k := range keys {
			if !hasKeyLine(data, k) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return make([]int64, len(keys)), err
	}
	return parseKeys(f.path, data, keys)
}

// hasKeyLine reports whether data holds the whole line of key ("key
// value\n").
func hasKeyLine(data []byte, key string) bool {
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return false
		}
		if line := data[:i]; len(line) > len(key) && string(line[:len(key)]) == key && line[len(key)] == ' ' {
			return true
		}
		data = data[i+1:]
	}
}

func (f *ctlFile) close() {
	if f.open {
		unix.Close(f.fd)
	}
	*f = noCtl
}

// readOnce reads the whole of a kernel file at path once, as a ctlFile
// would.
func readOnce(path string) ([]byte, error) { return readOnceUntil(path, nil) }

// readOnceUntil is readOnce that stops early (see ctlFile.readUntil).
func readOnceUntil(path string, enough func(data []byte) bool) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := ctlFile{fd, path, true}
	defer f.close()
	return f.readUntil(enough)
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
