package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestUnwaitedChildren: a program starts two children that burn 800ms of CPU
// each, and never waits for them: they are orphaned at once, and the program
// ends when they have (they hold the pipe its last command reads). With a
// cgroup, cpu_time is its counter: every task, 1.6s. Without one it is wait4
// of the program, which counts only what it waited for; the test shows that
// too, as the documented limit of that mode.
func TestUnwaitedChildren(t *testing.T) {
	forEachMode(t, func(t *testing.T, s *Sandbox) {
		c := selfSh(t, Limits{CPUTime: 10 * time.Second}, `{ "$0" work burn 800ms & "$0" work burn 800ms & } | cat`)
		r, out := runOut(t, s, c)
		if r.Verdict != Accepted {
			t.Fatalf("two unwaited burns = %s", describe(r))
		}
		var burnt time.Duration // the children's own process clocks
		lines := strings.Split(strings.TrimSpace(out), "\n")
		for _, line := range lines {
			_, process, _ := burnClock(t, line)
			burnt += process
		}
		t.Logf("cpu_time %v (user %v, sys %v); the children's own clocks: %v", r.CPUTime, r.User, r.System, burnt)
		if len(lines) != 2 || r.User+r.System != r.CPUTime {
			t.Fatalf("two unwaited burns = %s, printed %q; want two burns' clocks, and user+sys = cpu_time", describe(r), out)
		}
		if s.Cgroup() == "none" {
			if r.CPUTime > 500*time.Millisecond {
				t.Errorf("without a cgroup, cpu_time = %v; want wait4's, which misses the unwaited children (some ms)", r.CPUTime)
			}
			return
		}
		if r.CPUTime < burnt || r.CPUTime < 1600*time.Millisecond {
			t.Errorf("with cgroup %s, cpu_time = %v; want at least the children's %v (2 x 800ms)", s.Cgroup(), r.CPUTime, burnt)
		}
	})
}

// TestUnwaitedChildrenOverLimit: the same children under a 1s limit: the
// watchdog kills them at the cgroup's count, and the verdict, from the same
// count, is CPU_TIME_LIMIT_EXCEEDED, not the ACCEPTED of wait4's few ms.
func TestUnwaitedChildrenOverLimit(t *testing.T) {
	s := newSandbox(t, CgroupAuto)
	if s.Cgroup() == "none" {
		t.Skip("no cgroup: the children's CPU time is not counted")
	}
	c := selfSh(t, Limits{CPUTime: time.Second}, `{ "$0" work burn 800ms & "$0" work burn 800ms & } | cat`)
	if r := s.Run(t.Context(), c); r.Verdict != CPUTimeLimitExceeded || r.CPUTime < time.Second {
		t.Errorf("two unwaited burns of 800ms under 1s = %s; want CPU_TIME_LIMIT_EXCEEDED at 1s or more", describe(r))
	}
}

// TestMemoryOverLimitWithoutOOM: the verdict compares the measured peak with
// the limit, whatever the kernel did: a peak over it (a limit raised behind
// the harness's back) is MEMORY_LIMIT_EXCEEDED without an OOM kill.
func TestMemoryOverLimitWithoutOOM(t *testing.T) {
	for _, src := range []MemorySource{MemoryCgroupV1, MemoryCgroupV2, MemoryVmHWM} {
		for _, peak := range []Size{255 * MiB, 257 * MiB} {
			r := &run{limits: Limits{}.WithDefaults(), io: &pipes{}, res: &Result{Memory: peak, MemorySource: src}}
			r.judge()
			want := Accepted
			if peak > 256*MiB {
				want = MemoryLimitExceeded
			}
			if r.res.Verdict != want {
				t.Errorf("a clean exit with a peak of %v (%s) under 256MiB = %v; want %v", peak, src, r.res.Verdict, want)
			}
		}
	}
}

// TestInputPageCache: the memory of a program that reads a 10 MB input is
// the same, within 1MiB, whether the input was in the page cache or not. A
// cgroup charges a page of the page cache to whoever read it first; the
// harness reads a stdin file before the case starts, so it is charged the
// input, not the case. The input is dropped from the cache with
// posix_fadvise(DONTNEED) for the cold read. It is a file in a temporary
// directory, and a file served through FUSE (as root): tmpfs, the VM's only
// file system, keeps its pages. A first cold run without the harness's read
// shows that the cold read is real: the input is charged to the case then.
func TestInputPageCache(t *testing.T) {
	for _, m := range modes() {
		for _, iso := range Isolations() {
			t.Run(string(m)+"/"+string(iso), func(t *testing.T) {
				s, err := New(Options{Cgroup: m, Isolation: iso})
				if err != nil {
					t.Skipf("cgroup mode %s: %v", m, err)
				}
				defer s.Close()
				if s.Cgroup() == "none" || slices.ContainsFunc(s.Warnings(), mentions("memory")) {
					t.Skip("no memory cgroup: VmHWM never counts the page cache of what the program reads")
				}
				const size = 10_000_000
				t.Run("file", func(t *testing.T) { checkColdWarm(t, s, tempInput(t, size)) })
				t.Run("fuse", func(t *testing.T) { checkColdWarm(t, s, fuseFile(t, size)) })
			})
		}
	}
}

// checkColdWarm runs a program that reads the file at path whole, cold and
// warm, and compares the memory figures.
func checkColdWarm(t *testing.T, s *Sandbox, path string) {
	read := func(cold, harnessReads bool) Size {
		t.Helper()
		f, err := OpenInput(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if cold {
			if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
				t.Fatal(err)
			}
			if in, _ := residentPages(t, f); in > 0 {
				t.Fatalf("%s: %d pages still cached after posix_fadvise(DONTNEED)", path, in)
			}
		}
		s.coldInput = !harnessReads
		defer func() { s.coldInput = false }()
		r := s.Run(t.Context(), &Command{Path: "/bin/sh", Args: []string{"-c", "cat >/dev/null"}, Stdin: f, Limits: roomy(Limits{})})
		if r.Verdict != Accepted {
			t.Fatalf("cat of %s = %s", path, describe(r))
		}
		return r.Memory
	}
	var unread Size // above isolation none, stdin is a copy the harness made: never cold
	if s.isolation == IsolationNone {
		unread = read(true, false)
	}
	cold, warm := read(true, true), read(false, true)
	mib := func(s Size) string { return fmt.Sprintf("%.2f MiB", float64(s)/float64(MiB)) }
	t.Logf("a 10 MB input read cold: %s; warm: %s", mib(cold), mib(warm))
	if s.isolation == IsolationNone {
		t.Logf("cold, when the harness does not read it first: %s", mib(unread))
	}
	if s.isolation == IsolationNone && unread < cold+8*MiB {
		t.Errorf("cold without the harness's read = %s; want the input charged to the case (10 MB above %s): was the read cold?", mib(unread), mib(cold))
	}
	if d := cold - warm; d > MiB || d < -MiB {
		t.Errorf("a 10 MB input read cold = %s, warm = %s; want the same within 1MiB", mib(cold), mib(warm))
	}
}

// tempInput returns a file of size bytes, lines of digits, in a temporary
// directory; the test is skipped when posix_fadvise cannot drop its pages
// from the page cache (tmpfs).
func tempInput(t *testing.T, size int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "input")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = "0123456789\n"[i%11]
	}
	for n := int64(0); n < size; n += int64(len(buf)) {
		if _, err := f.Write(buf[:min(int64(len(buf)), size-n)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	if in, all := residentPages(t, f); in > 0 {
		var fs unix.Statfs_t
		unix.Statfs(path, &fs)
		t.Skipf("%s: %d of %d pages stay cached after posix_fadvise(DONTNEED) (file system %#x, tmpfs is 0x1021994)", path, in, all, fs.Type)
	}
	return path
}

// residentPages counts the pages of f in the page cache, and all its pages.
func residentPages(t *testing.T, f *os.File) (in, all int) {
	t.Helper()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 || fi.Size() > math.MaxInt {
		t.Fatalf("%s: %v, size %d", f.Name(), err, fi.Size())
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(data)
	vec := make([]byte, (len(data)+os.Getpagesize()-1)/os.Getpagesize())
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	for _, v := range vec {
		in += int(v & 1)
	}
	return in, len(vec)
}

// TestCachedProbes: both ways of asking whether an input is in the page
// cache (cachestat, and mincore where there is none) say no for a file
// dropped whole or but its last page, and yes once it was read whole.
func TestCachedProbes(t *testing.T) {
	path := tempInput(t, 3*int64(os.Getpagesize())+100) // skips where pages cannot be dropped
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	fd, size := int(f.Fd()), fi.Size()
	check := func(want bool) {
		t.Helper()
		if got := cachedByMap(fd, size); got != want {
			t.Errorf("cachedByMap = %v, want %v", got, want)
		}
		got, ok := cachedByStat(fd, size)
		if !ok {
			t.Log("no cachestat on this kernel")
		} else if got != want {
			t.Errorf("cachedByStat = %v, want %v", got, want)
		}
		if got := cached(fd, size); got != want {
			t.Errorf("cached = %v, want %v", got, want)
		}
	}
	check(false)
	buf := make([]byte, size)
	if _, err := f.ReadAt(buf, 0); err != nil {
		t.Fatal(err)
	}
	check(true)
	// Only the last page, a partial one, dropped: not all of it.
	page := int64(os.Getpagesize())
	unix.Fadvise(fd, size/page*page, page, unix.FADV_DONTNEED)
	if in, all := residentPages(t, f); in != all-1 {
		t.Skipf("%d of %d pages cached after dropping the last one (a large folio?)", in, all)
	}
	check(false)
}

// TestStdinFromItsOffset: a stdin file the caller read part of is read by
// the program from there on at every isolation level, whether the program
// gets the file itself or a copy (a box's); a large one whole.
func TestStdinFromItsOffset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in")
	big := bytes.Repeat([]byte("0123456789\n"), 300_000)
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	forEachLevel(t, func(t *testing.T, s *Sandbox) {
		for _, skip := range []int64{0, 5, int64(len(big)) - 3} {
			f, err := OpenInput(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Seek(skip, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			r := s.Run(t.Context(), &Command{Path: "/bin/sh", Args: []string{"-c", "cat"}, Stdin: f, Stdout: &out, Limits: roomy(Limits{})})
			f.Close()
			if r.Verdict != Accepted || !bytes.Equal(out.Bytes(), big[skip:]) {
				t.Errorf("cat of a stdin read up to %d = %s, %d bytes; want ACCEPTED, the %d bytes after", skip, describe(r), out.Len(), len(big)-int(skip))
			}
		}
	})
}

// TestInputsRefused: an input handed over as an open file that is not a
// regular file is a SYSTEM_ERROR that says so, at once: a named pipe could
// hold the harness forever. A pipe from the harness itself, the null device
// and a regular file are inputs like any other.
func TestInputsRefused(t *testing.T) {
	s := newSandbox(t, CgroupAuto)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	open := func(path string, flag int) *os.File {
		f, err := os.OpenFile(path, flag, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	// O_RDWR: the open of a named pipe does not wait for a writer then, and
	// its reader never sees the end, as with a writer that never closes.
	for _, tt := range []struct {
		name   string
		stdin  *os.File
		expect *os.File
		kind   string
	}{
		{"stdin named pipe", open(fifo, os.O_RDWR), nil, "stdin: " + fifo + ": not a regular file (a named pipe)"},
		{"expected output named pipe", nil, open(fifo, os.O_RDWR), "expected output: " + fifo + ": not a regular file (a named pipe)"},
		{"stdin directory", open(dir, os.O_RDONLY), nil, "not a regular file (a directory)"},
		{"stdin /dev/zero", open("/dev/zero", os.O_RDONLY), nil, "not a regular file (a character device)"},
	} {
		c := &Command{Path: "/bin/cat", Limits: roomy(Limits{})}
		if tt.stdin != nil {
			c.Stdin = tt.stdin
		}
		if tt.expect != nil {
			c.Expect = tt.expect
		}
		start := time.Now()
		r := s.Run(t.Context(), c)
		if r.Verdict != SystemError || !strings.Contains(r.Error, tt.kind) || time.Since(start) > coarse(t, time.Second) {
			t.Errorf("%s = %s after %v; want SYSTEM_ERROR saying %q at once", tt.name, describe(r), time.Since(start), tt.kind)
		}
	}

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { io.WriteString(pw, "from a pipe\n"); pw.Close() }()
	regular := filepath.Join(dir, "in")
	os.WriteFile(regular, []byte("from a file\n"), 0o600)
	for _, tt := range []struct {
		name  string
		stdin *os.File
		want  string
	}{
		{"a pipe", pr, "from a pipe\n"},
		{"the null device", open(os.DevNull, os.O_RDONLY), ""},
		{"a regular file", open(regular, os.O_RDONLY), "from a file\n"},
	} {
		r, out := runOut(t, s, &Command{Path: "/bin/cat", Stdin: tt.stdin, Limits: roomy(Limits{})})
		if r.Verdict != Accepted || out != tt.want {
			t.Errorf("stdin %s = %s, printed %q; want ACCEPTED and %q", tt.name, describe(r), out, tt.want)
		}
	}
	pr.Close()
}

// TestOpenInput: what is not a regular file (or the null device) is refused
// by name, and a named pipe without a writer is refused at once, not waited
// for.
func TestOpenInput(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	unix.Mkfifo(fifo, 0o600)
	regular := filepath.Join(dir, "1.in")
	os.WriteFile(regular, []byte("1\n"), 0o600)
	link := filepath.Join(dir, "link")
	os.Symlink(fifo, link)
	for _, tt := range []struct {
		path, want string
	}{
		{fifo, fifo + ": not a regular file (a named pipe)"},
		{link, link + ": not a regular file (a named pipe)"},
		{dir, dir + ": not a regular file (a directory)"},
		{"/dev/zero", "/dev/zero: not a regular file (a character device)"},
		{filepath.Join(dir, "none"), "no such file or directory"},
		{regular, ""},
		{os.DevNull, ""},
	} {
		got := make(chan error, 1)
		go func() {
			f, err := OpenInput(tt.path)
			if f != nil {
				f.Close()
			}
			got <- err
		}()
		select {
		case err := <-got:
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("OpenInput(%s) = %v; want %q", tt.path, err, tt.want)
			}
			if ierr := CheckInput(tt.path); (ierr == nil) != (tt.want == "") {
				t.Errorf("CheckInput(%s) = %v; want an error %v", tt.path, ierr, tt.want != "")
			}
			if strings.Contains(tt.want, "not a regular file") && !errors.Is(err, ErrNotRegular) {
				t.Errorf("OpenInput(%s) = %v; want an error wrapping ErrNotRegular", tt.path, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("OpenInput(%s) still blocks after 5s", tt.path)
		}
	}
}

// TestLeaderLeavesItsCgroup: a program that can write cgroup files (root,
// at IsolationNone) and moves itself out of its cgroups after starting a
// child in a session of its own leaves that child counted alone in the
// run's pids cgroup; the child is killed all the same before Run returns.
func TestLeaderLeavesItsCgroup(t *testing.T) {
	root := "/sys/fs/cgroup/pids/cgroup.procs"
	if os.Geteuid() != 0 {
		t.Skip("not root: a program cannot leave its cgroups")
	}
	if _, err := os.Stat(root); err != nil {
		t.Skip("no cgroup v1 pids hierarchy")
	}
	s, err := New(Options{Cgroup: CgroupV1, Isolation: IsolationNone})
	if err != nil {
		t.Skip(err)
	}
	defer s.Close()
	marker := strconv.FormatInt(time.Now().UnixNano()%1e6+1e6, 10) // sleep's argument, in seconds
	script := "setsid sleep " + marker + " & sleep 0.2; echo $$ > " + root
	r := s.Run(t.Context(), &Command{Path: "/bin/sh", Args: []string{"-c", script}, Limits: roomy(Limits{})})
	if r.Verdict != Accepted {
		t.Errorf("%s: %s", script, describe(r))
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && bytes.Contains(cmdline, []byte("sleep\x00"+marker)) {
			pid, _ := strconv.Atoi(e.Name())
			unix.Kill(pid, unix.SIGKILL)
			t.Errorf("after the run, its child %d (%q) still runs", pid, cmdline)
		}
	}
}
