package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A holder keeps the namespaces of the namespaces isolation level for one
// run at a time: it is PID 1 of a PID namespace, alone in a network
// namespace with a loopback interface, with a UTS namespace of its own, and in
// a mount namespace whose root is a box: the system directories read-only, a
// few devices, its PID namespace's /proc, and per run a fresh working
// directory, /tmp and /dev/shm in one tmpfs. It is this executable, started
// again (see runRole), and it takes orders on a socket: prepare a run, kill
// what a run left. When the socket closes (the harness is gone, even by
// SIGKILL) it exits, and the kernel kills everything in its PID namespace.
//
// The program does not run as the holder's child: the harness starts it from a
// thread that has entered the holder's namespaces (see launch), so that the
// harness stays its parent and tracer and the program is not PID 1, which
// would ignore the signals a crash raises. Its orphans are the holder's, which
// reaps them.
type holder struct {
	pid  int
	ctl  *os.File
	in   *bufio.Reader
	ns   map[string]int // namespace descriptors by /proc/PID/ns name
	dir  string         // the box's mount point on the host, empty there
	root string         // /proc/PID/root: the box seen from the host

	programs map[programKey]string   // copies in the box, by the original's identity
	found    map[string]foundProgram // what program found, by the path it was given
	ahead    string                  // the prepare order sent ahead, its answer not read yet
	ready    string                  // the prepare order the box is ready for without one (see keep)
	seen     rwView                  // the run tmpfs as a prepare made it, seen from the host
	spawn    *spawner                // the start thread of its runs, once one started
}

// holderNamespaces are the namespaces a holder has of its own and a run enters.
var holderNamespaces = []struct {
	name string
	flag int
}{{"mnt", unix.CLONE_NEWNS}, {"pid", unix.CLONE_NEWPID}, {"net", unix.CLONE_NEWNET}, {"uts", unix.CLONE_NEWUTS}, {"ipc", unix.CLONE_NEWIPC}}

// Argument zero of this executable started as a holder and as a launcher.
const (
	holderArg0   = "judgebench-sandbox-holder"
	launcherArg0 = "judgebench-sandbox-launch"
)

// The box's own paths.
const (
	boxWork     = "/box" // the run's working directory
	boxLauncher = "/.judgebench/launch"
	boxPrograms = "/.judgebench/programs"
	boxRW       = "/.judgebench/rw" // the run's tmpfs, bound at /box, /tmp and /dev/shm
)

// startHolder starts a holder whose box is mounted on dir, an empty directory.
func startHolder(dir string) (*holder, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("holder: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "holder"), os.NewFile(uintptr(fds[1]), "holder")
	defer theirs.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		ours.Close()
		return nil, fmt.Errorf("holder: %w", err)
	}
	defer null.Close()
	attr := &syscall.ProcAttr{
		// A race-instrumented build (judgebench's tests) would otherwise
		// sleep a second at exit, and the box with it.
		Env:   []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GORACE=atexit_sleep_ms=0"},
		Files: []uintptr{null.Fd(), null.Fd(), null.Fd(), theirs.Fd()},
		Sys: &syscall.SysProcAttr{
			// A session of its own: a Ctrl-C at the terminal is the harness's
			// to handle, and the harness's closing of the socket ends it.
			Setsid:     true,
			Cloneflags: unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWNET | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC,
		},
	}
	live.mu.RLock()
	pid, _, err := syscall.StartProcess("/proc/self/exe", []string{holderArg0, dir}, attr)
	if err == nil {
		addLive(pid) // no search for orphans may take it for one
	}
	live.mu.RUnlock()
	if err != nil {
		ours.Close()
		return nil, fmt.Errorf("holder: start: %w", err)
	}
	h := &holder{pid: pid, ctl: ours, in: bufio.NewReader(ours), ns: map[string]int{}, dir: dir,
		root: "/proc/" + strconv.Itoa(pid) + "/root", programs: map[programKey]string{},
		found: map[string]foundProgram{}}
	if err := h.answer(); err != nil {
		h.close()
		return nil, fmt.Errorf("holder: start: %w", err)
	}
	for _, n := range holderNamespaces {
		fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/ns/"+n.name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			h.close()
			return nil, fmt.Errorf("holder: %w", err)
		}
		h.ns[n.name] = fd
	}
	return h, nil
}

// answer reads the holder's reply to an order: "ok", or "error WHAT".
func (h *holder) answer() error {
	line, err := h.in.ReadString('\n')
	if err != nil {
		if err == io.EOF {
			err = errors.New("it exited")
		}
		return err
	}
	line = strings.TrimSuffix(line, "\n")
	if line == "ok" {
		return nil
	}
	return errors.New(strings.TrimPrefix(line, "error "))
}

// order sends the holder one order and waits for its answer.
func (h *holder) order(words ...string) error {
	if _, err := io.WriteString(h.ctl, strings.Join(words, " ")+"\n"); err != nil {
		return fmt.Errorf("holder %d: %s: %w", h.pid, words[0], err)
	}
	if err := h.answer(); err != nil {
		return fmt.Errorf("holder %d: %s: %w", h.pid, words[0], err)
	}
	return nil
}

// prepare gives the next run a fresh tmpfs of size bytes, owned by uid and
// gid, as its working directory, /tmp and /dev/shm, after killing whatever
// the previous run left: a new one, or the last one if the last run left it
// exactly as it was made for the same uid, gid and size (see rwView).
func (h *holder) prepare(uid, gid int, size Size) error {
	words := prepareOrder(uid, gid, size)
	key := strings.Join(words, " ")
	ready := h.ready == key
	h.ready = ""
	if ready && h.alive() {
		return nil
	}
	h.seen.close()
	sent := h.ahead
	h.ahead = ""
	if sent != "" {
		if err := h.answer(); err != nil {
			return fmt.Errorf("holder %d: prepare: %w", h.pid, err)
		}
	}
	if sent != key {
		if err := h.order(words...); err != nil {
			return err
		}
	}
	h.seen.open(h.root, key) // a view that fails sees nothing: the box is then never kept
	return nil
}

// keep readies the box for the next run of uid, gid and size without an
// order when the run before, all of whose processes are gone, left the run
// tmpfs as the last prepare made it for the same, and the holder lives: the
// holder would have nothing to do (it keeps an untouched tmpfs, and finds
// no process to kill; the orphans the run left are zombies it reaps as they
// come). It reports whether it did; else the caller sends the order.
func (h *holder) keep(uid, gid int, size Size) bool {
	key := strings.Join(prepareOrder(uid, gid, size), " ")
	if h.seen.key != key || !h.seen.still() || !h.alive() {
		return false
	}
	h.ready = key
	return true
}

// alive reports whether the holder has not exited. A box whose holder died
// starts no program (its PID namespace has no init): its order's answer
// says so, and the holder is ended.
func (h *holder) alive() bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_PID, h.pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	return err == nil && info.Signo == 0
}

// prepareAhead sends the order to prepare the next run, for uid, gid and
// size, without waiting: the holder clears the box while the harness goes
// on, and prepare reads the answer (or, when the next run is another's, sends
// its own order after it).
func (h *holder) prepareAhead(uid, gid int, size Size) error {
	words := prepareOrder(uid, gid, size)
	if _, err := io.WriteString(h.ctl, strings.Join(words, " ")+"\n"); err != nil {
		return fmt.Errorf("holder %d: prepare: %w", h.pid, err)
	}
	h.ahead = strings.Join(words, " ")
	return nil
}

func prepareOrder(uid, gid int, size Size) []string {
	return []string{"prepare", strconv.Itoa(uid), strconv.Itoa(gid), strconv.FormatInt(int64(size), 10)}
}

// preparedFor reports whether the prepare order sent ahead is the one for
// uid (the slot's).
func (h *holder) preparedFor(uid int) bool {
	prefix := "prepare " + strconv.Itoa(uid) + " "
	return strings.HasPrefix(h.ahead, prefix) || strings.HasPrefix(h.ready, prefix)
}

// kill kills every process in the holder's PID namespace but the holder, and
// returns once none is left that is not a zombie.
func (h *holder) kill() error { return h.order("kill") }

// close ends the holder, and with it its namespaces and whatever still runs
// in them.
func (h *holder) close() error {
	if h.spawn != nil {
		h.spawn.stop()
		h.spawn = nil
	}
	h.ctl.Close()
	h.seen.close()
	var ws unix.WaitStatus
	var err error
	if _, werr := wait4(h.pid, &ws, nil); werr != nil {
		err = fmt.Errorf("holder %d: %w", h.pid, werr)
	} else if !ws.Exited() || ws.ExitStatus() != 0 {
		err = fmt.Errorf("holder %d ended with wait status %#x", h.pid, uint32(ws))
	}
	removeLive(h.pid)
	for _, fd := range h.ns {
		unix.Close(fd)
	}
	os.Remove(h.dir)
	return err
}

// program returns the path in the box of the program at path: the same path
// when it lies in the system directories the box shares, else a copy in the
// box, made once per program file. What is no executable regular file is
// refused as exec would refuse it. Its answer for a path is kept while a
// stat of the path finds the same file unchanged (its ctime moves with any
// link, unlink or mode change of it): one system call a run, not the dozen
// of the symbolic links and directories looked at. (A directory above it
// made unsearchable later is not seen: the box's exec then fails, and says
// so.)
func (h *holder) program(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	var st unix.Stat_t
	if err := unix.Stat(abs, &st); err == nil {
		id := identityOf(&st)
		if f, ok := h.found[abs]; ok && f.id == id {
			return f.box, nil
		}
		box, err := h.lookUp(abs)
		// Kept only when the path showed the same file after the look-up.
		var after unix.Stat_t
		if err == nil && unix.Stat(abs, &after) == nil && identityOf(&after) == id {
			h.found[abs] = foundProgram{id, box}
		}
		return box, err
	}
	return h.lookUp(abs)
}

// foundProgram is what holder.program found for a path: the identity of the
// file there then, and its path in the box.
type foundProgram struct {
	id  fileIdentity
	box string
}

// fileIdentity tells a file, and whether it changed: a write moves its
// mtime; a link, unlink, rename, chmod or chown its ctime.
type fileIdentity struct {
	dev, ino           uint64
	size, mtime, ctime int64
	mode, uid, gid     uint32
}

func identityOf(st *unix.Stat_t) fileIdentity {
	return fileIdentity{uint64(st.Dev), st.Ino, st.Size, st.Mtim.Nano(), st.Ctim.Nano(), st.Mode, st.Uid, st.Gid}
}

// lookUp is program's look, at the absolute path abs.
func (h *holder) lookUp(abs string) (string, error) {
	if real, err := filepath.EvalSymlinks(abs); err == nil && sharedWithBox(real) && runnableByOthers(real) {
		return real, nil
	}
	f, err := os.Open(abs)
	if err != nil {
		return "", err // as the harness sees it: missing, not forbidden
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return "", err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Mode&0o111 == 0 {
		// What exec would say of it where it is.
		return "", &os.PathError{Op: "exec", Path: abs, Err: unix.EACCES}
	}
	key := programKey{uint64(st.Dev), st.Ino, st.Size, st.Mtim.Nano()}
	if copied, ok := h.programs[key]; ok {
		return copied, nil
	}
	copied := fmt.Sprintf("%s/%s-%s", boxPrograms, unguessable(), filepath.Base(abs))
	if err := copyProgram(f, h.root+copied); err != nil {
		return "", fmt.Errorf("isolation: copy the program into the box: %w", err)
	}
	h.programs[key] = copied
	return copied, nil
}

// boxSystem are the host's system directories a box shows, read-only, at the
// same paths, and boxEtc what it shows of /etc: what the dynamic loader and
// the alternatives system need, and the time zone. A symbolic link among them
// (/bin to usr/bin) is made again in the box.
var (
	boxSystem = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}
	boxEtc    = []string{"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"}
)

// boxDevices are the devices a box has.
var boxDevices = []string{"null", "zero", "full", "random", "urandom"}

// sharedWithBox reports whether path, free of symbolic links, lies in one of
// the directories every box shows.
func sharedWithBox(path string) bool {
	for _, dir := range boxSystem {
		if real, err := filepath.EvalSymlinks(dir); err == nil && strings.HasPrefix(path, real+"/") {
			return true
		}
	}
	return false
}

// holderMain is the holder: it builds its box on the directory in its
// arguments, says "ok" on descriptor 3, and takes orders there until it
// closes. It never returns.
func holderMain() {
	ctl := os.NewFile(3, "control")
	fail := func(err error) {
		fmt.Fprintf(ctl, "error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(1)
	}
	if len(os.Args) != 2 || os.Getpid() != 1 {
		fail(errors.New("a holder takes a box directory and must be PID 1"))
	}
	if err := buildBox(os.Args[1]); err != nil {
		fail(err)
	}
	// Orphans of the runs come to PID 1: reap them as they die.
	chld := make(chan os.Signal, 1)
	signal.Notify(chld, unix.SIGCHLD)
	var reaping sync.Mutex
	reapAll := func() {
		reaping.Lock()
		defer reaping.Unlock()
		for {
			var ws unix.WaitStatus
			if pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil); pid <= 0 || err != nil {
				return
			}
		}
	}
	go func() {
		for range chld {
			reapAll()
		}
	}()
	fmt.Fprintln(ctl, "ok")
	var rw rwView // the run tmpfs as it was made, while no run changed it
	in := bufio.NewScanner(ctl)
	for in.Scan() {
		f := strings.Fields(in.Text())
		var err error
		switch {
		case len(f) == 1 && f[0] == "kill":
			if err = killAll(reapAll); err == nil && !rw.still() {
				rw.close()
				dropRW() // the run's files go with it, not at the next run
			}
		case len(f) == 4 && f[0] == "prepare":
			err = killAll(reapAll)
			key := strings.Join(f[1:], " ")
			if err == nil && (rw.key != key || !rw.still()) {
				rw.close()
				if err = freshRW(f[1], f[2], f[3]); err == nil {
					err = rw.open("", key)
				}
			}
		default:
			err = fmt.Errorf("unknown order %q", in.Text())
		}
		if err != nil {
			fmt.Fprintf(ctl, "error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Fprintln(ctl, "ok")
		}
	}
	os.Exit(0) // the harness is gone: the kernel kills the namespace
}

// ipcLimits are the sysctls of an IPC namespace that bound how many System V
// shared memory segments, message queues and semaphore sets (the fourth
// number of kernel/sem) and POSIX message queues it may hold.
var ipcLimits = []string{"kernel/shmmni", "kernel/msgmni", "kernel/sem", "fs/mqueue/queues_max"}

// closeIPC lets no program make an object in the holder's IPC namespace,
// which every run of the box shares: a program has no capability, and the
// kernel refuses it a System V segment, message queue or semaphore set
// (ENOSPC) past the namespace's limit, and a POSIX message queue past
// queues_max, which are all 0 here. So nothing a run could leave there
// (objects outlive their processes) reaches the next, with no namespace
// made a run (a trivial case ran 30 to 40 microseconds faster without it,
// BenchmarkLaunch; 60 to 80 when the namespace was simply left out) and
// nothing to clean.
func closeIPC() error {
	for _, name := range ipcLimits {
		path := "/proc/sys/" + name
		if !fileExists(path) {
			continue // a kernel without that kind of object
		}
		value := "0"
		if name == "kernel/sem" { // SEMMSL SEMMNS SEMOPM SEMMNI
			data, err := os.ReadFile(path)
			f := strings.Fields(string(data))
			if err != nil || len(f) != 4 {
				return fmt.Errorf("close the IPC namespace: %s: %q, %v", path, data, err)
			}
			value = strings.Join(append(f[:3], "0"), " ")
		}
		if err := os.WriteFile(path, []byte(value), 0); err != nil {
			return fmt.Errorf("close the IPC namespace: %w", err)
		}
	}
	return nil
}

// buildBox makes the holder's mount namespace a box on dir and enters it: a
// read-only tmpfs root with the shared system directories bound read-only,
// a few devices, the launcher (this executable), a directory for copies of
// programs, and its PID namespace's /proc. It also brings up the loopback
// interface and names the host "judgebench".
func buildBox(dir string) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make the mounts private: %w", err)
	}
	if err := unix.Mount("judgebench", dir, "tmpfs", unix.MS_NOSUID, "size=1m,mode=0755"); err != nil {
		return fmt.Errorf("mount the box: %w", err)
	}
	in := func(p string) string { return filepath.Join(dir, p) }
	for _, d := range []string{"proc", "tmp", "dev", "dev/shm", "box", ".judgebench", boxPrograms[1:], boxRW[1:], ".old"} {
		if err := os.MkdirAll(in(d), 0o755); err != nil {
			return err
		}
	}
	for _, p := range slices.Concat(boxSystem, boxEtc) {
		if err := shareReadOnly(p, in(p)); err != nil {
			return err
		}
	}
	for _, d := range boxDevices {
		if err := bindFile("/dev/"+d, in("/dev/"+d), 0); err != nil {
			return err
		}
	}
	for name, target := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		if err := os.Symlink(target, in("/dev/"+name)); err != nil {
			return err
		}
	}
	// Not listable: a program finds no other copy by name (see unguessable).
	if err := unix.Mount("judgebench", in(boxPrograms), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0711"); err != nil {
		return fmt.Errorf("mount %s: %w", boxPrograms, err)
	}
	if err := placeLauncher(in(boxLauncher), in(boxPrograms)); err != nil {
		return err
	}
	if err := enterRoot(dir); err != nil {
		return err
	}
	if err := os.Remove("/.old"); err != nil {
		return err
	}
	// Processes of other uids (the holder) are invisible to the program.
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "hidepid=2"); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	// Through the box's own /proc: a container's (Docker's, a systemd unit's
	// with ProtectKernelTunables) may have its /proc/sys read-only.
	if err := closeIPC(); err != nil {
		return err
	}
	if err := unix.Mount("", "/", "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|unix.MS_NOSUID, ""); err != nil {
		return fmt.Errorf("make the box read-only: %w", err)
	}
	if err := unix.Sethostname([]byte("judgebench")); err != nil {
		return fmt.Errorf("sethostname: %w", err)
	}
	return loopbackUp()
}

// enterRoot makes dir the root of this mount namespace, the host's root
// unmounted under it. From an initial ramfs, which pivot_root refuses (a
// machine booted into its initramfs, as the VM of .ci/cgroup2), dir is moved
// over the root and chrooted into: the host's root stays underneath, out of
// reach of a program that can neither chroot nor mount.
func enterRoot(dir string) error {
	err := unix.PivotRoot(dir, filepath.Join(dir, ".old"))
	if err == nil {
		if err := unix.Chdir("/"); err != nil {
			return err
		}
		if err := unix.Unmount("/.old", unix.MNT_DETACH); err != nil {
			return fmt.Errorf("unmount the host's root: %w", err)
		}
		return nil
	}
	if err != unix.EINVAL {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Chdir(dir); err != nil {
		return err
	}
	if err := unix.Mount(dir, "/", "", unix.MS_MOVE, ""); err != nil {
		return fmt.Errorf("pivot_root: %w; move the box over the root: %w", unix.EINVAL, err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("chroot into the box: %w", err)
	}
	return unix.Chdir("/")
}

// placeLauncher binds this executable at path, by its name, when any uid may
// run it: /proc/self/exe
// itself leads to the file in the mount namespace that started the holder,
// which a bind in this one may not take. An executable that has no name here
// (deleted, or out of this namespace's reach) is copied into dir instead, and
// path made a link to the copy.
func placeLauncher(path, dir string) error {
	if name, err := os.Readlink("/proc/self/exe"); err == nil {
		if fi, err := os.Stat(name); err == nil && fi.Mode().Perm()&0o005 == 0o005 && bindFile(name, path, unix.MS_RDONLY|unix.MS_NODEV) == nil {
			return nil
		}
	}
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return fmt.Errorf("launcher: %w", err)
	}
	defer src.Close()
	if err := copyProgram(src, filepath.Join(dir, "launch")); err != nil {
		return fmt.Errorf("launcher: %w", err)
	}
	os.Remove(path)
	return os.Symlink(filepath.Join(boxPrograms, "launch"), path)
}

// shareReadOnly shows host path at box path, read-only: a directory or file
// bound, a symbolic link made again. What the host lacks is left out.
func shareReadOnly(host, box string) error {
	fi, err := os.Lstat(host)
	if err != nil {
		return nil
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(host)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(box), 0o755); err != nil {
			return err
		}
		return os.Symlink(target, box)
	}
	if !fi.IsDir() {
		return bindFile(host, box, unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV)
	}
	if err := os.MkdirAll(box, 0o755); err != nil {
		return err
	}
	if err := unix.Mount(host, box, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", host, err)
	}
	return readOnly(host, box, true)
}

// bindFile binds host file onto a new empty file at box, with flags
// (MS_RDONLY, MS_NOSUID, MS_NODEV) added.
func bindFile(host, box string, flags uintptr) error {
	if err := os.MkdirAll(filepath.Dir(box), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(box, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	f.Close()
	if err := unix.Mount(host, box, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s: %w", host, err)
	}
	if flags == 0 {
		return nil
	}
	return unix.Mount("", box, "", unix.MS_REMOUNT|unix.MS_BIND|flags, "")
}

// readOnly makes the bind mount at box read-only, nosuid and nodev, with what
// is mounted below it when recursive.
func readOnly(host, box string, recursive bool) error {
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	flags := 0
	if recursive {
		flags = unix.AT_RECURSIVE
	}
	if err := unix.MountSetattr(-1, box, uint(flags), attr); err == nil {
		return nil
	}
	// Kernels before 5.12: the top mount only.
	if err := unix.Mount("", box, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		return fmt.Errorf("make %s read-only: %w", host, err)
	}
	return nil
}

// loopbackUp brings up the network namespace's loopback interface.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	return nil
}

// killAll kills every other process of the PID namespace and waits until
// each is gone or a zombie (the program, which the harness reaps).
func killAll(reapAll func()) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		// kill(-1) reaches every other process of the namespace, zombies
		// included: ESRCH, once the zombies are reaped, means none is left.
		reapAll()
		if unix.Kill(-1, unix.SIGKILL) == unix.ESRCH {
			return nil
		}
		reapAll()
		left := 0
		entries, err := os.ReadDir("/proc")
		if err != nil {
			return err
		}
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == 1 {
				continue
			}
			if state, _ := procStat(pid); state != 'Z' && state != 0 {
				left++
			}
		}
		if left == 0 {
			reapAll() // the zombies seen, if they are the holder's
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d processes still alive 5s after SIGKILL", left)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// An rwView is the run tmpfs as freshRW made it for key (its uid, gid and
// size), seen from the box (the holder's) or from the host (the
// harness's, through the holder's /proc/PID/root): its directories kept
// open, and their state then. A run that left it so, to the last
// timestamp, extended attribute and inode, leaves nothing for the next,
// which gets it again rather than a new one: two mounts fewer a run for a
// program that writes no file, and, when the run's cgroup killed all of
// it, no order to the holder (see holder.keep). Open directories spare a
// look the walks of their paths (a few microseconds each through
// /proc/PID/root). The zero rwView sees nothing.
type rwView struct {
	key   string
	dirs  []int
	state rwState
}

// open sees the run tmpfs of the box at root ("" in the box) as it is now,
// made for key; after a failure the view sees nothing.
func (v *rwView) open(root, key string) error {
	v.close()
	dirs, err := openRW(root)
	if err != nil {
		return err
	}
	*v = rwView{key: key, dirs: dirs}
	if err := describeRW(dirs, &v.state); err != nil {
		v.close()
		return err
	}
	return nil
}

// still reports whether the run tmpfs is as the view saw it.
func (v *rwView) still() bool {
	if v.key == "" {
		return false
	}
	var state rwState
	err := describeRW(v.dirs, &state)
	return err == nil && state == v.state
}

// close lets the tmpfs go: open, it would outlive its unmount.
func (v *rwView) close() {
	closeFDs(v.dirs)
	*v = rwView{}
}

// openRW opens the run tmpfs's root and its parts, seen from root. Opening
// a directory changes none of its times.
func openRW(root string) ([]int, error) {
	rw := root + boxRW
	var dirs []int
	for _, dir := range []string{rw, rw + "/box", rw + "/tmp", rw + "/shm"} {
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			closeFDs(dirs)
			return nil, &os.PathError{Op: "open", Path: dir, Err: err}
		}
		dirs = append(dirs, fd)
	}
	return dirs, nil
}

func closeFDs(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// rwState is the run tmpfs as describeRW saw it: its blocks and inodes in
// use and, for its root and each of its parts, every attribute a run could
// change, timestamps included, and the names of its extended attributes.
// Any file left in it takes an inode.
type rwState struct {
	blocks, files uint64
	dirs          [4]dirState
}

type dirState struct {
	ino, nlink, dev  uint64
	mode, uid, gid   uint32
	size, blocks     int64
	atim, mtim, ctim unix.Timespec
	xattrs           string
}

// describeRW fills st from the run tmpfs open as dirs (its root first).
func describeRW(dirs []int, st *rwState) error {
	var fs unix.Statfs_t
	if err := unix.Fstatfs(dirs[0], &fs); err != nil {
		return err
	}
	st.blocks, st.files = fs.Blocks-fs.Bfree, fs.Files-fs.Ffree
	var xattrs [256]byte
	for i, fd := range dirs {
		var s unix.Stat_t
		if err := unix.Fstat(fd, &s); err != nil {
			return err
		}
		n, err := unix.Flistxattr(fd, xattrs[:])
		if err != nil {
			return err
		}
		st.dirs[i] = dirState{uint64(s.Ino), uint64(s.Nlink), uint64(s.Dev), s.Mode, s.Uid, s.Gid, s.Size, s.Blocks, s.Atim, s.Mtim, s.Ctim, string(xattrs[:n])}
	}
	return nil
}

// rwBinds are the parts of a run's tmpfs and where the box shows them.
var rwBinds = map[string]string{"box": boxWork, "tmp": "/tmp", "shm": "/dev/shm"}

// dropRW unmounts the last run's tmpfs, and with it its files.
func dropRW() {
	for _, at := range rwBinds {
		unix.Unmount(at, unix.MNT_DETACH) // EINVAL when nothing is mounted
	}
	unix.Unmount(boxRW, unix.MNT_DETACH)
}

// freshRW replaces the run tmpfs with a new one of size bytes, whose box
// directory belongs to uid and gid, and binds its parts at /box, /tmp and
// /dev/shm.
func freshRW(uid, gid, size string) error {
	dropRW()
	u, err1 := strconv.Atoi(uid)
	g, err2 := strconv.Atoi(gid)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if err := unix.Mount("judgebench", boxRW, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size="+size); err != nil {
		return fmt.Errorf("mount the run's tmpfs: %w", err)
	}
	for part, at := range rwBinds {
		p := filepath.Join(boxRW, part)
		mode := os.FileMode(0o1777)
		if part == "box" {
			mode = 0o700
		}
		if err := os.Mkdir(p, mode); err != nil {
			return err
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			return err
		}
		if part == "box" {
			if err := os.Chown(p, u, g); err != nil {
				return err
			}
		}
		if err := unix.Mount(p, at, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind %s: %w", at, err)
		}
	}
	return nil
}
