package sandbox

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fuseFile serves one read-only file of size bytes through FUSE and returns
// its path. Its page cache can be dropped, unlike tmpfs's: the VM of
// .ci/cgroup2 has no disk, and Debian's kernels build no disk file system
// in, but FUSE they do. The server is a child process, this test binary as
// `fuse SIZE DIR` (see serveFUSE): were it this process, a request in flight
// when the process dies (a test's timeout) would keep it from ever exiting.
// Mounting needs root; the test is skipped without it. The file holds lines
// of digits.
func fuseFile(t *testing.T, size int64) string {
	t.Helper()
	if err := unix.Access("/dev/fuse", unix.R_OK|unix.W_OK); err != nil {
		t.Skipf("no FUSE: /dev/fuse: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(self(t), "fuse", strconv.FormatInt(size, 10), dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- strings.TrimSpace(line)
	}()
	var line string
	select {
	case line = <-ready:
	case <-time.After(30 * time.Second):
	}
	if line != "ready" {
		cmd.Process.Kill()
		cmd.Wait()
		if strings.HasPrefix(line, "skip: ") {
			t.Skip(strings.TrimPrefix(line, "skip: "))
		}
		t.Fatalf("the FUSE server said %q", line)
	}
	t.Cleanup(func() {
		// The kernel ends the connection: the server's read fails, and it exits.
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
			cmd.Process.Kill()
			unix.Unmount(dir, unix.MNT_DETACH)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the FUSE server: %v", err)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("the FUSE server did not end")
		}
	})
	return filepath.Join(dir, fuseName)
}

// serveFUSE is the FUSE server of fuseFile, as `fuse SIZE DIR`: it mounts a
// file system at DIR holding one file of SIZE bytes, prints "ready" (or
// "skip: WHY" when FUSE cannot be had), and serves it until it is unmounted.
func serveFUSE(args []string) int {
	if len(args) != 2 {
		fmt.Println("usage: fuse SIZE DIR")
		return 2
	}
	size, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		fmt.Println("usage: fuse SIZE DIR:", err)
		return 2
	}
	fd, err := unix.Open("/dev/fuse", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		fmt.Printf("skip: no FUSE: open /dev/fuse: %v\n", err)
		return 0
	}
	opts := fmt.Sprintf("fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fd)
	if err := unix.Mount("judgebench-test", args[1], "fuse", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_RDONLY, opts); err != nil {
		fmt.Printf("skip: cannot mount FUSE: %v\n", err)
		return 0
	}
	fmt.Println("ready")
	if err := (&fuseServer{fd: fd, size: size}).serve(); err != nil {
		fmt.Fprintln(os.Stderr, "fuse test server:", err)
		return 1
	}
	return 0
}

// fuseName is the file a fuseServer serves, in its root directory.
const fuseName = "input"

// The FUSE requests a fuseServer answers (include/uapi/linux/fuse.h); it
// answers any other with ENOSYS, and FORGET and INTERRUPT with nothing.
const (
	fuseLookup      = 1
	fuseForget      = 2
	fuseGetattr     = 3
	fuseOpen        = 14
	fuseRead        = 15
	fuseRelease     = 18
	fuseFlush       = 25
	fuseInit        = 26
	fuseOpendir     = 27
	fuseReleasedir  = 29
	fuseInterrupt   = 36
	fuseBatchForget = 42

	fuseKeepCache = 1 << 1 // FOPEN_KEEP_CACHE: a new open keeps the pages
	fuseRootID    = 1
	fuseFileID    = 2
)

// fuseServer answers the kernel's FUSE requests for one file.
type fuseServer struct {
	fd   int
	size int64
}

// serve answers requests until the file system is unmounted.
func (s *fuseServer) serve() error {
	buf := make([]byte, 1<<20+4096) // at least max_write and the headers
	for {
		n, err := unix.Read(s.fd, buf)
		switch {
		case err == unix.EINTR || err == unix.EAGAIN || err == unix.ENOENT: // ENOENT: an interrupted request
			continue
		case err == unix.ENODEV:
			return nil // unmounted
		case err != nil:
			return fmt.Errorf("read /dev/fuse: %w", err)
		case n < 40:
			return fmt.Errorf("read /dev/fuse: a request of %d bytes", n)
		}
		le := binary.LittleEndian
		op, unique, node := le.Uint32(buf[4:]), le.Uint64(buf[8:]), le.Uint64(buf[16:])
		body := buf[40:n]
		switch op {
		case fuseForget, fuseBatchForget, fuseInterrupt:
		case fuseInit:
			out := make([]byte, 64) // fuse_init_out
			le.PutUint32(out[0:], 7)
			le.PutUint32(out[4:], 31)
			le.PutUint32(out[8:], le.Uint32(body[8:])) // max_readahead, as the kernel asks
			le.PutUint16(out[16:], 16)                 // max_background
			le.PutUint16(out[18:], 12)                 // congestion_threshold
			le.PutUint32(out[20:], 128<<10)            // max_write
			le.PutUint32(out[24:], 1)                  // time_gran
			s.reply(unique, 0, out)
		case fuseLookup:
			if name, _, _ := cutNUL(body); node != fuseRootID || name != fuseName {
				s.reply(unique, -int32(unix.ENOENT), nil)
				continue
			}
			out := make([]byte, 40, 128) // fuse_entry_out
			le.PutUint64(out[0:], fuseFileID)
			le.PutUint64(out[16:], 3600) // entry_valid
			le.PutUint64(out[24:], 3600) // attr_valid
			s.reply(unique, 0, append(out, s.attr(fuseFileID)...))
		case fuseGetattr:
			out := make([]byte, 16, 104) // fuse_attr_out
			le.PutUint64(out[0:], 3600)
			s.reply(unique, 0, append(out, s.attr(node)...))
		case fuseOpen, fuseOpendir:
			out := make([]byte, 16) // fuse_open_out
			le.PutUint32(out[8:], fuseKeepCache)
			s.reply(unique, 0, out)
		case fuseRead:
			off, size := int64(le.Uint64(body[8:])), int64(le.Uint32(body[16:]))
			s.reply(unique, 0, s.content(off, min(size, max(s.size-off, 0))))
		case fuseRelease, fuseReleasedir, fuseFlush:
			s.reply(unique, 0, nil)
		default:
			s.reply(unique, -int32(unix.ENOSYS), nil)
		}
	}
}

func cutNUL(b []byte) (string, []byte, bool) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:], true
		}
	}
	return string(b), nil, false
}

// attr is the fuse_attr of the root directory or the file.
func (s *fuseServer) attr(node uint64) []byte {
	le := binary.LittleEndian
	a := make([]byte, 88)
	le.PutUint64(a[0:], node)
	mode, nlink := uint32(unix.S_IFDIR|0o555), uint32(2)
	if node == fuseFileID {
		le.PutUint64(a[8:], uint64(s.size))
		le.PutUint64(a[16:], uint64(s.size+511)/512)
		mode, nlink = unix.S_IFREG|0o444, 1
	}
	le.PutUint32(a[60:], mode)
	le.PutUint32(a[64:], nlink)
	le.PutUint32(a[80:], 4096) // blksize
	return a
}

// content is n bytes of the file from off: lines of ten digits.
func (s *fuseServer) content(off, n int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "0123456789\n"[(off+int64(i))%11]
	}
	return b
}

// reply answers request unique; a reply the kernel refuses leaves its
// request waiting forever, so it is said on stderr.
func (s *fuseServer) reply(unique uint64, errno int32, payload []byte) {
	out := make([]byte, 16, 16+len(payload)) // fuse_out_header
	binary.LittleEndian.PutUint32(out[0:], uint32(16+len(payload)))
	binary.LittleEndian.PutUint32(out[4:], uint32(errno))
	binary.LittleEndian.PutUint64(out[8:], unique)
	if _, err := unix.Write(s.fd, append(out, payload...)); err != nil && err != unix.ENOENT {
		fmt.Fprintf(os.Stderr, "fuse test server: reply: %v\n", err)
	}
}
