package judges

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// isolateExec drives isolate (github.com/ioi/isolate), the box of the IOI
// and CMS: each worker slot takes a box of its own on first use and keeps
// it, initialized, until Close. A box is taken under a lock judgebench
// holds for as long as it keeps the box, so that concurrent runs, and
// executors of one process, never share one.
type isolateExec struct {
	path    string
	spec    string
	version string
	conf    isolateConf
	cg      bool   // --cg: cgroup mode
	locks   string // the directory of the box locks
	wd      *workdir

	mu     sync.Mutex
	boxes  map[int]*isolateBox // by slot
	closed bool
}

// isolateConf is what isolate's compiled-in configuration says of its
// boxes, as `isolate -v -v --check-config` prints it.
type isolateConf struct {
	BoxRoot  string `json:"box_root"`
	LockRoot string `json:"lock_root,omitempty"`
	CgRoot   string `json:"cg_root,omitempty"`
	FirstUID int    `json:"first_uid"`
	NumBoxes int    `json:"num_boxes"`
}

// isolateBox is a box an executor holds: its id, its directory and
// judgebench's lock on it. One case runs in it at a time.
type isolateBox struct {
	id   int
	dir  string   // box_root/ID, as --init printed it
	lock *os.File // flocked; holds dir while the box is initialized

	mu     sync.Mutex // held by the case running in the box
	closed bool       // cleaned up by Close
}

// isolatePATH is the program's PATH in the box.
const isolatePATH = "PATH=/usr/local/bin:/usr/bin:/bin"

// errBoxBusy is an --init that found the box in use by another isolate.
var errBoxBusy = errors.New("box in use")

// openIsolate opens "PATH[,cg]": the isolate binary at PATH, in cgroup mode
// with ",cg".
func openIsolate(ctx context.Context, arg string) (Executor, error) {
	path, opts, _ := strings.Cut(arg, ",")
	e := &isolateExec{spec: "isolate:" + arg, boxes: map[int]*isolateBox{}}
	for o := range strings.SplitSeq(opts, ",") {
		switch o {
		case "":
		case "cg":
			e.cg = true
		default:
			return nil, fmt.Errorf("judges: isolate: unknown option %q in %q; want isolate:PATH[,cg]", o, e.spec)
		}
	}
	var err error
	if e.path, err = filepath.Abs(path); err != nil {
		return nil, fmt.Errorf("judges: isolate: %w", err)
	}
	if st, err := os.Stat(e.path); err != nil {
		return nil, fmt.Errorf("judges: isolate: %w", err)
	} else if !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("judges: isolate: %s: not an executable file", e.path)
	}
	version, err := exec.CommandContext(ctx, e.path, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("judges: isolate: %s --version: %v", e.path, err)
	}
	e.version, _, _ = strings.Cut(strings.TrimSpace(string(version)), "\n")
	if e.conf, err = isolateConfig(ctx, e.path); err != nil {
		return nil, err
	}
	if e.locks, err = isolateLocks(); err != nil {
		return nil, err
	}
	if e.wd, err = newWorkdir("isolate"); err != nil {
		return nil, err
	}
	if strings.ContainsAny(e.wd.dir, ":=,") {
		e.wd.Close()
		return nil, fmt.Errorf("judges: isolate: %s: a directory isolate's --dir cannot bind (':', '=' or ','): set TMPDIR", e.wd.dir)
	}
	return e, nil
}

// isolateConfig reads the configuration compiled into the isolate at path.
func isolateConfig(ctx context.Context, path string) (isolateConf, error) {
	var c isolateConf
	out, err := exec.CommandContext(ctx, path, "-v", "-v", "--check-config").CombinedOutput()
	if err != nil {
		return c, fmt.Errorf("judges: isolate: %s --check-config: %v: %s", path, err, firstLine(out))
	}
	for _, f := range strings.Fields(string(out)) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "box_root":
			c.BoxRoot = v
		case "lock_root":
			c.LockRoot = v
		case "cg_root":
			c.CgRoot = v
		case "first_uids", "first_uid":
			c.FirstUID, _ = strconv.Atoi(v)
		case "num_boxes":
			c.NumBoxes, _ = strconv.Atoi(v)
		}
	}
	if c.BoxRoot == "" || c.NumBoxes <= 0 {
		return c, fmt.Errorf("judges: isolate: %s: no box_root and num_boxes in what -v -v --check-config prints: not isolate 2?", path)
	}
	return c, nil
}

// isolateLocks makes and returns the directory of judgebench's box locks,
// the same for every judgebench on the host.
func isolateLocks() (string, error) {
	dir := "/tmp/judgebench-isolate-boxes"
	if st, err := os.Stat("/run"); err == nil && st.IsDir() {
		dir = "/run/judgebench/isolate-boxes"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("judges: isolate: box locks: %w", err)
	}
	return dir, nil
}

// box returns slot's box, taking and initializing the first free one on
// the slot's first case.
func (e *isolateExec) box(ctx context.Context, slot int) (*isolateBox, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("judges: isolate: executor closed")
	}
	if b := e.boxes[slot]; b != nil {
		return b, nil
	}
	for id := range e.conf.NumBoxes {
		b, err := e.take(ctx, id)
		if err != nil {
			return nil, err
		}
		if b != nil {
			e.boxes[slot] = b
			return b, nil
		}
	}
	return nil, fmt.Errorf("judges: isolate: all %d boxes of %s are taken", e.conf.NumBoxes, e.conf.BoxRoot)
}

// take locks and initializes box id, or returns nil when another holds it:
// a judgebench (its lock), or anyone else who initialized it (see foreign).
// A box a dead judgebench left initialized is taken.
func (e *isolateExec) take(ctx context.Context, id int) (*isolateBox, error) {
	// Boxes of two configurations may share a uid, and a uid's process
	// count; they share nothing else: lock by uid.
	name := filepath.Join(e.locks, fmt.Sprintf("uid-%d", e.conf.FirstUID+id))
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("judges: isolate: box lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, fmt.Errorf("judges: isolate: lock %s: %w", name, err)
	}
	b := &isolateBox{id: id, dir: filepath.Join(e.conf.BoxRoot, strconv.Itoa(id)), lock: f}
	if e.foreign(b) {
		f.Close()
		return nil, nil
	}
	if err := e.init(ctx, b, false); err != nil {
		f.Close()
		if errors.Is(err, errBoxBusy) {
			return nil, nil
		}
		return nil, err
	}
	return b, nil
}

// foreign reports whether someone other than a judgebench initialized b:
// isolate's lock file of the box is not empty, and judgebench's lock does
// not name the box, as it does from --init to Close.
func (e *isolateExec) foreign(b *isolateBox) bool {
	if e.conf.LockRoot == "" {
		return false
	}
	st, err := os.Stat(filepath.Join(e.conf.LockRoot, strconv.Itoa(b.id)))
	if err != nil || st.Size() == 0 {
		return false
	}
	ours, _ := os.ReadFile(b.lock.Name())
	return string(ours) != b.dir
}

// init (re)initializes b, waiting for the box when wait is set (a killed
// isolate's last process may still hold it), and marks b's lock with the
// box's directory.
func (e *isolateExec) init(ctx context.Context, b *isolateBox, wait bool) error {
	args := []string{"--init"}
	if wait {
		args = append(args, "--wait")
	}
	out, err := e.command(ctx, b, args...)
	if err != nil {
		if strings.Contains(err.Error(), "currently in use") {
			return errBoxBusy
		}
		return err
	}
	if dir := strings.TrimSpace(out); dir != "" {
		b.dir = dir
	}
	if err := b.lock.Truncate(0); err != nil {
		return fmt.Errorf("judges: isolate: box lock: %w", err)
	}
	if _, err := b.lock.WriteAt([]byte(b.dir), 0); err != nil {
		return fmt.Errorf("judges: isolate: box lock: %w", err)
	}
	return nil
}

// command runs isolate on b with args (--init, --cleanup) and returns its
// standard output.
func (e *isolateExec) command(ctx context.Context, b *isolateBox, args ...string) (string, error) {
	all := []string{"-b", strconv.Itoa(b.id)}
	if e.cg {
		all = append(all, "--cg")
	}
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, e.path, append(all, args...)...)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("judges: isolate: box %d %s: %v: %s", b.id, args[0], err, firstLine(stderr.Bytes()))
	}
	return stdout.String(), nil
}

// Close cleans up every box the executor took and releases them.
func (e *isolateExec) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	var errs []error
	for _, b := range e.boxes {
		b.mu.Lock() // a case still running ends first
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := e.command(ctx, b, "--cleanup")
		cancel()
		if err == nil {
			err = b.lock.Truncate(0)
		}
		errs = append(errs, err, b.lock.Close())
		b.closed = true
		b.mu.Unlock()
	}
	e.boxes = nil
	errs = append(errs, e.wd.Close())
	return errors.Join(errs...)
}

// Run runs cmd in its slot's box.
func (e *isolateExec) Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result {
	j := &sandbox.JudgeReport{Executor: "isolate"}
	b, err := e.box(ctx, cmd.Slot)
	if err != nil {
		return failed(j, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return failed(j, errors.New("judges: isolate: executor closed"))
	}
	prog, err := e.wd.program(cmd.Path)
	if err != nil {
		return failed(j, fmt.Errorf("judges: isolate: program: %w", err))
	}
	in, done, err := e.wd.input(cmd)
	if err != nil {
		return failed(j, fmt.Errorf("judges: isolate: input: %w", err))
	}
	defer done()
	f := caseFiles{in: in, out: e.wd.file(".out"), err: e.wd.file(".err"), meta: e.wd.file(".meta")}
	defer func() { os.Remove(f.out); os.Remove(f.err); os.Remove(f.meta) }()
	start := time.Now()
	st, err := e.exec(ctx, e.runArgs(b, cmd, prog, f.meta), f, cmd.CPUs)
	j.Latency = time.Since(start)
	r := e.result(ctx, b, cmd, st, err, f, j)
	if err := b.scrub(); err != nil && r.Error == "" {
		r.Error = "judges: isolate: empty the box: " + err.Error()
	}
	if r.Verdict != sandbox.SystemError {
		finish(ctx, cmd, r, f.out)
	}
	return r
}

// runArgs is isolate's command line that runs cmd's program prog in b.
func (e *isolateExec) runArgs(b *isolateBox, cmd *sandbox.Command, prog, meta string) []string {
	l := cmd.Limits.WithDefaults()
	mem := "--mem="
	args := []string{"-b", strconv.Itoa(b.id)}
	if e.cg {
		mem = "--cg-mem="
		args = append(args, "--cg")
	}
	args = append(args, "-s", "-M", meta,
		"--time="+seconds(l.CPUTime), "--wall-time="+seconds(l.RealTime),
		mem+kib(l.Memory), "--stack="+kib(l.Stack), "--processes="+strconv.Itoa(l.Processes),
		"--fsize="+kib(l.Output+1), // past the limit, so that finish sees a program pass it
		"-E", isolatePATH)
	for _, kv := range cmd.Env {
		if strings.Contains(kv, "=") { // a bare name would inherit judgebench's
			args = append(args, "-E", kv)
		}
	}
	args = append(args, "--dir=/judgebench="+e.wd.dir, "--run", "--", "/judgebench/"+filepath.Base(prog))
	return append(args, cmd.Args...)
}

// caseFiles are the paths of one case's files: stdin, and the stdout,
// stderr and meta file isolate writes.
type caseFiles struct{ in, out, err, meta string }

// exec runs isolate with args and the case's files f, pinned to cpus when
// there are some, and returns how it ended. On cancel isolate gets SIGTERM,
// on which it kills the box and writes its meta file; one still alive 2s
// later is killed with its process group (the box's PID namespace ends with
// isolate's proxy, its init).
func (e *isolateExec) exec(ctx context.Context, args []string, f caseFiles, cpus []int) (*os.ProcessState, error) {
	var std [3]*os.File
	for i, p := range []struct {
		path string
		flag int
	}{{f.in, os.O_RDONLY}, {f.out, os.O_WRONLY | os.O_CREATE | os.O_TRUNC}, {f.err, os.O_WRONLY | os.O_CREATE | os.O_TRUNC}} {
		fh, err := os.OpenFile(p.path, p.flag, 0o600)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		std[i] = fh
	}
	c := exec.CommandContext(ctx, e.path, args...)
	c.Stdin, c.Stdout, c.Stderr = std[0], std[1], std[2]
	// Pdeathsig: a judgebench that dies takes its cases with it. It fires
	// when the thread that started isolate ends: that thread stays locked
	// to this goroutine until isolate has ended.
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
	c.WaitDelay = 2 * time.Second
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if len(cpus) > 0 {
		restore, err := pinThread(cpus)
		if err != nil {
			return nil, fmt.Errorf("CPUs %v: %w", cpus, err)
		}
		defer restore()
	}
	err := c.Start()
	if err == nil {
		err = c.Wait()
	}
	if c.ProcessState != nil && !c.ProcessState.Exited() {
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
	if c.ProcessState != nil {
		return c.ProcessState, nil // its exit status is read from it
	}
	return nil, err
}

// result is the case's result from isolate's end st (nil: it did not
// start, for err) and its meta file. A box isolate left in doubt (it was
// killed, or failed) is initialized again.
func (e *isolateExec) result(ctx context.Context, b *isolateBox, cmd *sandbox.Command, st *os.ProcessState, err error, f caseFiles, j *sandbox.JudgeReport) *sandbox.Result {
	m, merr := readMeta(f.meta)
	j.Status, j.Raw = m.status(), m.JSON()
	r := m.result()
	r.Stderr = head(f.err, cmd.StderrLimit)
	code := st.ExitCode()
	msg := m.get("message")
	if msg == "" {
		msg = firstLine(r.Stderr)
	}
	switch {
	case ctx.Err() != nil:
		r = failed(j, fmt.Errorf("judges: isolate: %w", context.Cause(ctx)))
	case st == nil:
		r = failed(j, fmt.Errorf("judges: isolate: %w", err))
	case code >= 2 || code < 0 || m.get("status") == "XX":
		r = failed(j, fmt.Errorf("judges: isolate: exit status %d: %s", code, msg))
	case merr != nil:
		r = failed(j, fmt.Errorf("judges: isolate: meta file: %w", merr))
	}
	r.Judge, r.Isolation = j, isolation
	if st != nil && (code >= 2 || code < 0) && !strings.Contains(msg, "currently in use") {
		if err := e.init(context.Background(), b, true); err != nil {
			r.Error += "; " + err.Error()
		}
	}
	return r
}

// pinThread sets the CPUs of the calling (locked) thread, which the isolate
// it starts inherits with its box, and returns what restores them.
func pinThread(cpus []int) (func(), error) {
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, err
	}
	for _, c := range cpus {
		if c < 0 || c >= len(set)*64 {
			return nil, fmt.Errorf("no CPU %d", c)
		}
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return nil, err
	}
	return func() { unix.SchedSetaffinity(0, &old) }, nil
}

// scrub empties what a program may have left in b (its /box and /tmp),
// so that every case starts from an empty box.
func (b *isolateBox) scrub() error {
	err := clearDir(filepath.Join(b.dir, "box"))
	tmp := filepath.Join(b.dir, "tmp")
	ents, _ := os.ReadDir(tmp)
	for _, d := range ents {
		if d.IsDir() {
			err = errors.Join(err, clearDir(filepath.Join(tmp, d.Name())))
		}
	}
	return err
}

// clearDir removes everything in dir.
func clearDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, d := range ents {
		err = errors.Join(err, os.RemoveAll(filepath.Join(dir, d.Name())))
	}
	return err
}

// Describe says how isolate measures and limits, and how it is driven.
func (e *isolateExec) Describe() results.JudgeInfo {
	e.mu.Lock()
	boxes := []int{}
	for _, b := range e.boxes {
		boxes = append(boxes, b.id)
	}
	e.mu.Unlock()
	slices.Sort(boxes)
	mem := "--mem=MEMORY_KIB"
	if e.cg {
		mem = "--cg --cg-mem=MEMORY_KIB"
	}
	config, _ := json.Marshal(struct {
		Binary string `json:"binary"`
		isolateConf
		CG    bool   `json:"cg"`
		Locks string `json:"box_locks"`
		Boxes []int  `json:"boxes"`
		Run   string `json:"run"`
	}{e.path, e.conf, e.cg, e.locks, boxes,
		"isolate -b BOX -s -M META --time=CPU_S --wall-time=REAL_S " + mem + " --stack=STACK_KIB --processes=N --fsize=OUTPUT_KIB -E " + isolatePATH + " [-E ENV] --dir=/judgebench=WORKDIR --run -- /judgebench/PROGRAM ARGS"})
	notes := []string{
		"CPU and wall-clock limits are polled every 100 ms (CPU from /proc/PID/stat in 10 ms ticks): a spinner under a 250 ms limit is killed near 300 ms",
		"time is user+system CPU from wait4 (with --cg the cgroup's cpu.stat); no user/system split",
		"the program's working directory is the box's /box, emptied by judgebench after every case; Command.Dir is not used",
	}
	if e.cg {
		notes = append(notes, "memory is limited and measured by the box's cgroup (--cg-mem, cg-mem); an OOM kill is MEMORY_LIMIT_EXCEEDED")
	} else {
		notes = append(notes,
			"memory is limited as address space (--mem, RLIMIT_AS per process): an allocation past it fails and the program exits with an error, a RUNTIME_ERROR, never MEMORY_LIMIT_EXCEEDED; Go programs need at least 768MiB",
			"memory is max-rss (ru_maxrss of the box's processes)",
			"per-box CPUs only with --cg; judgebench pins isolate itself to Command.CPUs, which the box inherits")
	}
	notes = append(notes, "output is limited by --fsize (RLIMIT_FSIZE), set to the next KiB past the output limit: a program killed by SIGXFSZ is OUTPUT_LIMIT_EXCEEDED; one that ignores the signal (Go) sees its write fail, and its exit status is isolate's verdict (judgebench's own is OUTPUT_LIMIT_EXCEEDED)")
	return results.JudgeInfo{Executor: "isolate", Spec: e.spec, Version: e.version, Config: config, Notes: notes}
}

// isolateMeta is isolate's meta file: key:value lines, kept in order; a
// repeated key's last value wins.
type isolateMeta struct {
	keys []string
	vals map[string]string
}

// readMeta reads and parses the meta file at path.
func readMeta(path string) (isolateMeta, error) {
	b, err := os.ReadFile(path)
	return parseMeta(b), err
}

// parseMeta parses a meta file; lines without a colon are skipped.
func parseMeta(b []byte) isolateMeta {
	m := isolateMeta{vals: map[string]string{}}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ":")
		if !ok || k == "" {
			continue
		}
		if _, seen := m.vals[k]; !seen {
			m.keys = append(m.keys, k)
		}
		m.vals[k] = v
	}
	return m
}

func (m isolateMeta) get(k string) string { return m.vals[k] }

// status is isolate's verdict: RE, SG, TO or XX, or OK when it gives none.
func (m isolateMeta) status() string {
	if s := m.get("status"); s != "" {
		return s
	}
	return "OK"
}

// seconds is key k as a duration of seconds, 0 when absent or malformed.
func (m isolateMeta) seconds(k string) time.Duration {
	f, err := strconv.ParseFloat(m.get(k), 64)
	if err != nil || f < 0 || f > math.MaxInt64/1e9 {
		return 0
	}
	return time.Duration(math.Round(f * 1e9))
}

// int is key k as an integer, and whether it is one.
func (m isolateMeta) int(k string) (int64, bool) {
	n, err := strconv.ParseInt(m.get(k), 10, 64)
	return n, err == nil
}

// jsonNumber matches what may go in JSON as a number as it is.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,9})?$`)

// JSON is m as one JSON object, in the file's order: numbers as numbers,
// anything else as strings.
func (m isolateMeta) JSON() json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		b.Write(key)
		b.WriteByte(':')
		if v := m.vals[k]; jsonNumber.MatchString(v) {
			b.WriteString(v)
		} else {
			val, _ := json.Marshal(v)
			b.Write(val)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// result is the case's result as the meta file tells it: verdict and
// figures.
func (m isolateMeta) result() *sandbox.Result {
	r := &sandbox.Result{
		Verdict:  m.verdict(),
		CPUTime:  m.seconds("time"),
		RealTime: m.seconds("time-wall"),
		ExitCode: -1,
	}
	if n, ok := m.int("exitcode"); ok {
		r.ExitCode = int(n)
	}
	if n, ok := m.int("exitsig"); ok {
		r.Signal = int(n)
	}
	if n, ok := m.int("max-rss"); ok {
		r.Memory, r.MaxRSS, r.MemorySource = sandbox.Size(n)*sandbox.KiB, sandbox.Size(n)*sandbox.KiB, "isolate:max-rss"
	}
	if n, ok := m.int("cg-mem"); ok {
		r.Memory, r.MemorySource = sandbox.Size(n)*sandbox.KiB, "isolate:cg-mem"
	}
	r.VoluntarySwitches, _ = m.int("csw-voluntary")
	r.InvoluntarySwitches, _ = m.int("csw-forced")
	return r
}

// verdict maps isolate's status to judgebench's verdict.
func (m isolateMeta) verdict() sandbox.Verdict {
	_, oom := m.vals["cg-oom-killed"]
	switch s := m.get("status"); {
	case s == "":
		return sandbox.Accepted
	case s == "TO" && strings.Contains(m.get("message"), "wall clock"):
		return sandbox.RealTimeLimitExceeded
	case s == "TO":
		return sandbox.CPUTimeLimitExceeded
	case (s == "SG" || s == "RE") && oom:
		return sandbox.MemoryLimitExceeded
	case s == "SG" && m.get("exitsig") == strconv.Itoa(int(syscall.SIGXFSZ)):
		return sandbox.OutputLimitExceeded
	case s == "SG" || s == "RE":
		return sandbox.RuntimeError
	}
	return sandbox.SystemError
}

// seconds is d in seconds as isolate's options take them.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// kib is s in KiB, rounded up, as isolate's options take sizes.
func kib(s sandbox.Size) string { return strconv.FormatInt(int64((s+sandbox.KiB-1)/sandbox.KiB), 10) }

// head returns the first limit bytes (0: 64KiB) of the file at path.
func head(path string, limit sandbox.Size) []byte {
	if limit <= 0 {
		limit = 64 * sandbox.KiB
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, limit)
	n, _ := f.ReadAt(b, 0)
	if n == 0 {
		return nil
	}
	return b[:n]
}
