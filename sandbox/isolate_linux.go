package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// isolator is what a Sandbox's isolated runs share: a root-owned directory
// (mode 0711: a uid may enter only its own run's directory) that holds each
// run's working directory and the copies of programs their uids could not
// reach where they are.
type isolator struct {
	uids   UIDRange
	disk   Size
	env    []string
	asRoot bool // uids can change and tmpfs be mounted
	boxed  bool // IsolationNamespaces: runs are in holders' boxes
	root   string

	mu       sync.Mutex
	programs map[programKey]string // staged copies, by the original's identity
	seq      int
	idle     []*holder // holders between runs, at IsolationNamespaces
}

// programKey identifies a program file, so that a copy is made once.
type programKey struct {
	dev, ino uint64
	size     int64
	mtime    int64
}

// newIsolator prepares isolation level, process or namespaces. At namespaces
// it starts a first holder, so that a host that cannot give the namespaces
// fails here, before any run.
func newIsolator(opts Options, level Isolation) (*isolator, []string, error) {
	iso := &isolator{uids: opts.UIDs, disk: opts.Disk, env: opts.Env, asRoot: os.Geteuid() == 0,
		boxed: level == IsolationNamespaces, programs: make(map[programKey]string)}
	if iso.boxed && !iso.asRoot {
		return nil, nil, errors.New("isolation namespaces needs root (use process)")
	}
	if _, err := filterProgram(false, false); iso.boxed && err != nil {
		return nil, nil, fmt.Errorf("isolation namespaces: %w", err)
	}
	if iso.uids.Count == 0 {
		iso.uids = DefaultUIDs
	}
	if iso.disk == 0 {
		iso.disk = 64 * MiB
	}
	parent := os.TempDir()
	if iso.asRoot && !searchableByOthers(parent) {
		parent = "/tmp" // the runs' uids must reach their directories
	}
	root, err := os.MkdirTemp(parent, isolationPrefix+owner()+"-")
	if err != nil {
		return nil, nil, fmt.Errorf("isolation: %w", err)
	}
	iso.root = root
	if err := os.Chmod(root, 0o711); err != nil {
		os.Remove(root)
		return nil, nil, fmt.Errorf("isolation: %w", err)
	}
	if iso.boxed {
		h, err := iso.holder(-1)
		if err != nil {
			os.Remove(root)
			return nil, nil, fmt.Errorf("isolation namespaces: %w", err)
		}
		iso.putHolder(h, true, -1, -1, false)
	}
	var warns []string
	if !iso.asRoot {
		warns = append(warns, "isolation process without root: programs run as this user, so they can signal, trace and read what the harness can; their working directory has no disk limit")
	}
	return iso, warns, nil
}

// holder returns an idle holder, or a new one.
func (iso *isolator) holder(uid int) (*holder, error) {
	iso.mu.Lock()
	if n := len(iso.idle); n > 0 {
		// The one readied for uid's run, if one was.
		i := slices.IndexFunc(iso.idle, func(h *holder) bool { return h.preparedFor(uid) })
		if i < 0 {
			i = n - 1
		}
		h := iso.idle[i]
		iso.idle = slices.Delete(iso.idle, i, i+1)
		iso.mu.Unlock()
		return h, nil
	}
	iso.seq++
	dir := filepath.Join(iso.root, "box-"+strconv.Itoa(iso.seq))
	iso.mu.Unlock()
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	h, err := startHolder(dir)
	if err != nil {
		os.Remove(dir)
	}
	return h, err
}

// putHolder takes back a holder whose run (as uid and gid; -1 for none) is
// over, and has it ready the box for the next run of the same uid at once;
// one that failed is ended. When the run's processes are all gone (emptied)
// and it left the box as it found it, the box is ready as it is (see keep).
func (iso *isolator) putHolder(h *holder, ok bool, uid, gid int, emptied bool) error {
	if ok && uid >= 0 && !(emptied && h.keep(uid, gid, iso.disk)) {
		h.seen.close() // it would keep the tmpfs the holder drops alive
		if h.prepareAhead(uid, gid, iso.disk) != nil {
			ok = false
		}
	}
	if !ok {
		return h.close()
	}
	iso.mu.Lock()
	iso.idle = append(iso.idle, h)
	iso.mu.Unlock()
	return nil
}

// close ends the holders and removes the isolator's directory: the programs
// copied there, and what runs left (there should be nothing).
func (iso *isolator) close() error {
	iso.mu.Lock()
	idle := iso.idle
	iso.idle = nil
	iso.mu.Unlock()
	var errs []error
	for _, h := range idle {
		errs = append(errs, h.close())
	}
	if err := removeIsolationDir(iso.root); err != nil {
		errs = append(errs, fmt.Errorf("isolation: %w", err))
	}
	return errors.Join(errs...)
}

// jail is what one isolated run got.
type jail struct {
	uid, gid int
	dir      string   // its working directory
	mounted  bool     // dir is a tmpfs of its own
	path     string   // the program to exec: the original, or a copy its uid can run
	env      []string // its environment
	stdin    *os.File // a copy of a file stdin, as a memfd; nil when none
	box      *holder  // at IsolationNamespaces: the holder whose box it runs in
	iso      *isolator
	boxErr   error // the holder failed: it is ended, not reused
	emptied  bool  // the run's cgroup killed every process of it
}

// prepare makes the jail of a run of c whose program is at path.
func (iso *isolator) prepare(c *Command, path string) (*jail, error) {
	j := &jail{uid: ownEUID(), gid: ownEGID(), path: path, iso: iso}
	if iso.asRoot {
		j.uid = iso.uids.uid(c.Slot)
		j.gid = j.uid
	}
	var err error
	if iso.boxed {
		if err := iso.enterBox(j); err != nil {
			return nil, err
		}
		j.env = iso.environ(c, boxWork, "/tmp")
	} else {
		if j.path, err = iso.reachable(path, j.uid); err != nil {
			return nil, err
		}
		if err := iso.workdir(j); err != nil {
			return nil, err
		}
		j.env = iso.environ(c, j.dir, j.dir)
	}
	if f, ok := c.Stdin.(*os.File); ok {
		if j.stdin, err = memfdCopy(f); err != nil {
			j.release()
			return nil, err
		}
	}
	return j, nil
}

// enterBox gives j a holder's box, prepared for its uid, with the program
// where the box shows it.
func (iso *isolator) enterBox(j *jail) error {
	h, err := iso.holder(j.uid)
	if err != nil {
		return fmt.Errorf("isolation: %w", err)
	}
	j.box, j.dir = h, boxWork
	if err := h.prepare(j.uid, j.gid, iso.disk); err != nil {
		j.boxErr = err
		j.release()
		return fmt.Errorf("isolation: %w", err)
	}
	if j.path, err = h.program(j.path); err != nil {
		j.release()
		return err
	}
	return nil
}

// workdir makes the run's working directory, owned by its uid, a tmpfs of
// the disk size as root.
func (iso *isolator) workdir(j *jail) error {
	iso.mu.Lock()
	iso.seq++
	j.dir = filepath.Join(iso.root, "run-"+strconv.Itoa(iso.seq))
	iso.mu.Unlock()
	if err := os.Mkdir(j.dir, 0o700); err != nil {
		return fmt.Errorf("isolation: working directory: %w", err)
	}
	if !iso.asRoot {
		return nil
	}
	opts := fmt.Sprintf("size=%d,mode=0700,uid=%d,gid=%d", int64(iso.disk), j.uid, j.gid)
	if err := unix.Mount("tmpfs", j.dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err == nil {
		j.mounted = true
		return nil
	}
	// No mount here (a container may forbid it): a plain directory, no disk
	// limit but RLIMIT_FSIZE's per file.
	if err := os.Chown(j.dir, j.uid, j.gid); err != nil {
		os.Remove(j.dir)
		return fmt.Errorf("isolation: working directory: %w", err)
	}
	return nil
}

// environ is the environment of an isolated run: the command's own when it
// gives one, else a minimal one (a PATH, HOME and TMPDIR in its working
// directory and TMPDIR in tmp), with the Sandbox's Env added. GORACE and GOCOVERDIR pass
// through, so that race- and coverage-instrumented programs (judgebench's own
// tests) behave.
func (iso *isolator) environ(c *Command, dir, tmp string) []string {
	if c.Env != nil {
		return append(append([]string{}, c.Env...), iso.env...)
	}
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir, "TMPDIR=" + tmp, "LANG=C.UTF-8"}
	for _, key := range []string{"GORACE", "GOCOVERDIR"} {
		if v, ok := os.LookupEnv(key); ok {
			env = append(env, key+"="+v)
		}
	}
	return append(env, iso.env...)
}

// release removes what the run had: its working directory, its stdin copy,
// and the files its uid left in the world-writable directories.
func (j *jail) release() error {
	if j.stdin != nil {
		j.stdin.Close()
	}
	var errs []error
	if j.box != nil {
		// Its processes were killed at the run's teardown (killBox).
		return j.iso.putHolder(j.box, j.boxErr == nil, j.uid, j.gid, j.emptied)
	}
	if j.mounted {
		if err := unix.Unmount(j.dir, unix.MNT_DETACH); err != nil {
			errs = append(errs, fmt.Errorf("isolation: unmount %s: %w", j.dir, err))
		}
	}
	if j.dir != "" {
		errs = append(errs, os.RemoveAll(j.dir))
	}
	if j.uid != ownEUID() {
		for _, dir := range []string{"/tmp", "/var/tmp", "/dev/shm"} {
			errs = append(errs, removeOwned(dir, j.uid))
		}
	}
	return errors.Join(errs...)
}

// removeOwned removes the entries of dir that uid owns.
func removeOwned(dir string, uid int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // no such directory here
	}
	var errs []error
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) == uid {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}

// reachable returns a path of the program that uid can execute: path itself
// when uid can reach and run it, else a copy in the isolator's directory,
// made once per program file. What is no executable file (a directory, a
// file without an execute bit) stays as it is, for exec to refuse.
func (iso *isolator) reachable(path string, uid int) (string, error) {
	if uid == ownEUID() || runnableByOthers(path) {
		return path, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", err // as the harness sees it: missing, not forbidden
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return path, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return "", err
	}
	key := programKey{uint64(st.Dev), st.Ino, st.Size, st.Mtim.Nano()}
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if copied, ok := iso.programs[key]; ok {
		return copied, nil
	}
	copied := filepath.Join(iso.root, fmt.Sprintf("program-%s-%s", unguessable(), filepath.Base(path)))
	if err := copyProgram(f, copied); err != nil {
		return "", fmt.Errorf("isolation: copy the program where its uid can run it: %w", err)
	}
	iso.programs[key] = copied
	return copied, nil
}

// unguessable returns a random name part: a copied program lies in a
// directory that other uids may search but not list, so that a program can
// run its own copy and not find another's.
func unguessable() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// runnableByOthers reports whether anyone may execute path: the file is
// executable by others and every directory above it searchable by them.
func runnableByOthers(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	fi, err := os.Stat(abs)
	if err != nil || fi.Mode().Perm()&0o005 != 0o005 {
		return false
	}
	return searchableByOthers(filepath.Dir(abs))
}

// searchableByOthers reports whether anyone may reach what is in dir: dir
// and every directory above it are searchable by others.
func searchableByOthers(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for ; ; dir = filepath.Dir(dir) {
		di, err := os.Stat(dir)
		if err != nil || di.Mode().Perm()&0o001 == 0 {
			return false
		}
		if dir == filepath.Dir(dir) {
			return true
		}
	}
}

// copyProgram copies src to a new file dst, mode 0755.
func copyProgram(src *os.File, dst string) (err error) {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	_, err = io.Copy(out, src)
	return err
}

// memfdCopy returns an anonymous copy of f's contents from its current
// offset, seekable and mappable like a file, whose /proc/self/fd link names
// no path. A pipe or terminal stays as it is: it names none either.
func memfdCopy(f *os.File) (*os.File, error) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, nil
	}
	fd, err := unix.MemfdCreate("stdin", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("isolation: stdin copy: %w", err)
	}
	m := os.NewFile(uintptr(fd), "stdin")
	if err := sendAll(m, f); err != nil {
		m.Close()
		return nil, fmt.Errorf("isolation: stdin copy: %w", err)
	}
	if _, err := m.Seek(0, io.SeekStart); err != nil {
		m.Close()
		return nil, fmt.Errorf("isolation: stdin copy: %w", err)
	}
	return m, nil
}

// sendAll copies f from its offset to its end into m, in the kernel
// (sendfile): a few system calls, no buffer, where io.Copy's way tries
// copy_file_range first (refused across file systems) and then reads and
// writes through a buffer of its own.
func sendAll(m, f *os.File) error {
	var sent bool
	err := control(m, func(out int) error {
		return control(f, func(in int) error {
			for {
				n, err := unix.Sendfile(out, in, nil, 1<<30)
				if err == unix.EINTR {
					continue
				}
				if err != nil {
					return err
				}
				if n == 0 {
					return nil
				}
				sent = true
			}
		})
	})
	if err != nil && !sent && (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS)) {
		_, err = io.Copy(m, f) // no sendfile from this file
	}
	return err
}

// killBox kills every process the run left in its box, before the harness
// waits for the end of the program's output: nothing of the box can hold it
// open after. A holder that fails to is not used again.
func (j *jail) killBox() error {
	if j.box != nil && j.boxErr == nil {
		j.boxErr = j.box.kill()
		return j.boxErr
	}
	return nil
}

// identity gives sys the jail's uid and gid, no supplementary group, in a
// user namespace of its own that maps just them: the harness, root and owner
// of that namespace, keeps there the capabilities it needs on the program
// (prlimit takes CAP_SYS_RESOURCE for another uid, which a container may not
// give root), and the program has none anywhere. Nothing changes when the
// uid is the harness's.
func (j *jail) identity(sys *syscall.SysProcAttr) {
	if j.uid == ownEUID() {
		return
	}
	sys.Credential = &syscall.Credential{Uid: uint32(j.uid), Gid: uint32(j.gid), Groups: []uint32{}}
	if j.box != nil {
		return // the launcher sets the rlimits itself
	}
	sys.Cloneflags |= syscall.CLONE_NEWUSER
	sys.UidMappings = []syscall.SysProcIDMap{{ContainerID: j.uid, HostID: j.uid, Size: 1}}
	sys.GidMappings = []syscall.SysProcIDMap{{ContainerID: j.gid, HostID: j.gid, Size: 1}}
	sys.GidMappingsEnableSetgroups = true
}

// noNewPrivs sets no_new_privs on the calling thread, which its children
// inherit: a program cannot gain privileges by exec (setuid files, file
// capabilities). The thread keeps it for good: the caller must let it die.
func noNewPrivs() error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("isolation: no_new_privs: %w", err)
	}
	return nil
}
