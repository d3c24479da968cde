package judges

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/judgebench/judgebench/results"
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
	// A path, not a name looked up in PATH, made absolute for Describe.
	if _, err := checkExecutable(e.path); err != nil {
		return nil, fmt.Errorf("judges: isolate: %w", err)
	}
	if e.version, err = readVersion(ctx, e.path, "--version"); err != nil {
		return nil, fmt.Errorf("judges: isolate: %s --version: %v", e.path, err)
	}
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
		"isolate -b BOX -s -M META --time=CPU_S --wall-time=REAL_S " + mem + " --stack=STACK_KIB --processes=N --fsize=OUTPUT_KIB -E " + defaultPATH + " [-E ENV] --dir=/judgebench=WORKDIR --run -- /judgebench/PROGRAM ARGS"})
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
