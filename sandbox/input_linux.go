package sandbox

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// OpenInput opens the file at path for a case to read, as its stdin or its
// expected output, without ever blocking: what is not a regular file (or the
// null device) is refused with an *InputError before it is opened, and again
// if it became one meanwhile. A named pipe in particular is never opened for
// reading, which would wait for a writer that may never come.
func OpenInput(path string) (*os.File, error) {
	if err := CheckInput(path); err != nil {
		return nil, err
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	fi, err := f.Stat()
	if err == nil {
		err = inputError(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkFileInput refuses an input handed over as an open file that is not a
// regular file, the null device, or a pipe: a pipe the harness itself feeds
// is legitimate, but a named pipe, a device or a socket may never end.
func checkFileInput(f *os.File, what string) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("sandbox: %s: %w", what, err)
	}
	if fi.Mode()&fs.ModeNamedPipe != 0 && anonymousPipe(f) {
		return nil
	}
	if err := inputError(f.Name(), fi); err != nil {
		return fmt.Errorf("sandbox: %s: %w", what, err)
	}
	return nil
}

// anonymousPipe reports whether f is a pipe made by pipe(2), which lives in
// pipefs, not a named one in a file system.
func anonymousPipe(f *os.File) bool {
	var st unix.Statfs_t
	err := control(f, func(fd int) error { return unix.Fstatfs(fd, &st) })
	return err == nil && st.Type == unix.PIPEFS_MAGIC
}

func isNullDevice(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Rdev == unix.Mkdev(1, 3)
}

// control runs fn on f's descriptor without changing its mode.
func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// warmInput reads the regular file f whole through the page cache, unless
// every page of it is there already, so that the pages are charged to the
// harness's memory cgroup, not to the case's: a cgroup charges a page of the
// page cache to the cgroup of the task that first read it, and the case's
// memory would otherwise count its input when that was not cached (10 MiB
// more for a 10 MB input read cold than warm). It reads with pread, so f's
// offset, which the program inherits, does not move.
func warmInput(f *os.File) {
	control(f, func(fd int) error {
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size <= 0 || cached(fd, st.Size) {
			return nil
		}
		unix.Fadvise(fd, 0, st.Size, unix.FADV_WILLNEED) // start the reads ahead at once
		buf := make([]byte, 1<<20)
		for off := int64(0); off < st.Size; {
			n, err := unix.Pread(fd, buf, off)
			if n <= 0 || err != nil {
				break
			}
			off += int64(n)
		}
		return nil
	})
}

// cached reports whether every page of the first size bytes of file fd is in
// the page cache: by cachestat (Linux 6.5), one system call, else by mincore
// of a mapping of it, whose unmapping interrupts every CPU the harness's
// threads ran on (a dozen microseconds a case on a virtual machine).
func cached(fd int, size int64) bool {
	if in, ok := cachedByStat(fd, size); ok {
		return in
	}
	return cachedByMap(fd, size)
}

// cachedByStat is cached by cachestat; ok is false where the kernel has none.
func cachedByStat(fd int, size int64) (in, ok bool) {
	var cs unix.Cachestat_t
	if err := unix.Cachestat(uint(fd), &unix.CachestatRange{Off: 0, Len: uint64(size)}, &cs, 0); err != nil {
		// EPERM: a file neither the harness's nor writable by it, of
		// which mincore too would say every page is there (Linux 6.10).
		return false, err == unix.EPERM
	}
	page := int64(os.Getpagesize())
	return cs.Cache >= uint64((size+page-1)/page), true
}

// cachedByMap is cached by mincore.
func cachedByMap(fd int, size int64) bool {
	if size > math.MaxInt {
		return false
	}
	data, err := unix.Mmap(fd, 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return false
	}
	defer unix.Munmap(data)
	page := int64(os.Getpagesize())
	vec := make([]byte, (size+page-1)/page)
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), uintptr(unsafe.Pointer(&vec[0])))
	if errno != 0 {
		return false
	}
	for _, v := range vec {
		if v&1 == 0 {
			return false
		}
	}
	return true
}
