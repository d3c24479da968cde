package main

import (
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/judgebench/judgebench/harness"
	"github.com/judgebench/judgebench/host"
	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
	"github.com/spf13/pflag"
)

// addLimitFlags binds the contract's limit flags to l. Zero values left in l
// after parsing mean "the default" (sandbox.Limits.WithDefaults); a limit
// of 0 given on the command line is refused.
func addLimitFlags(fs *pflag.FlagSet, l *sandbox.Limits) {
	fs.Var((*durationFlag)(&l.CPUTime), "cpu-time", "CPU time limit, user+sys (default 1s)")
	fs.Var((*durationFlag)(&l.RealTime), "real-time", "real time limit (default 3x cpu-time)")
	fs.Var((*sizeFlag)(&l.Memory), "memory", "peak memory limit: B, K/KiB, M/MiB, G/GiB (default 256MiB)")
	fs.Var((*sizeFlag)(&l.Output), "output", "stdout size limit (default 64MiB)")
	fs.Var((*sizeFlag)(&l.Stack), "stack", "stack size limit (default = memory)")
	fs.Var(&intFlag{v: &l.Processes, min: 1}, "processes", "tasks at once, threads included (default 64)")
}

// sizeFlag is a limit size: more than 0; 0 (not given) prints as nothing.
type sizeFlag sandbox.Size

func (s *sizeFlag) String() string {
	if *s == 0 {
		return ""
	}
	return sandbox.Size(*s).String()
}

func (s *sizeFlag) Set(v string) error {
	size, err := sandbox.ParseSize(v)
	if err == nil && size <= 0 {
		err = errors.New("a limit must be more than 0")
	}
	*s = sizeFlag(size)
	return err
}

func (s *sizeFlag) Type() string { return "size" }

// intFlag is a whole number of at least min; 0 (not given) prints as
// nothing when min is above it.
type intFlag struct {
	v   *int
	min int
}

func (f *intFlag) String() string {
	if f.v == nil || *f.v == 0 && f.min > 0 {
		return ""
	}
	return strconv.Itoa(*f.v)
}

func (f *intFlag) Set(s string) error {
	n, err := parseInt(s, f.min)
	*f.v = n
	return err
}

func (f *intFlag) Type() string { return "int" }

// intsFlag is a comma-separated list of whole numbers of at least min.
type intsFlag struct {
	v   *[]int
	min int
}

func (f *intsFlag) String() string {
	if f.v == nil {
		return ""
	}
	s := make([]string, len(*f.v))
	for i, n := range *f.v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func (f *intsFlag) Set(s string) error {
	for part := range strings.SplitSeq(s, ",") {
		n, err := parseInt(strings.TrimSpace(part), f.min)
		if err != nil {
			return err
		}
		*f.v = append(*f.v, n)
	}
	return nil
}

func (f *intsFlag) Type() string { return "ints" }

// parseInt parses a whole number of at least min, with an error a user
// reads.
func parseInt(s string, min int) (int, error) {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, errors.New("not a whole number")
	case n < min:
		return 0, fmt.Errorf("must be at least %d", min)
	}
	return n, nil
}

// durationsFlag is a comma-separated list of durations, each more than 0.
type durationsFlag []time.Duration

func (d *durationsFlag) String() string {
	s := make([]string, len(*d))
	for i, v := range *d {
		s[i] = v.String()
	}
	return strings.Join(s, ",")
}

func (d *durationsFlag) Set(s string) error {
	var list []time.Duration
	for part := range strings.SplitSeq(s, ",") {
		var v durationFlag
		if err := v.Set(strings.TrimSpace(part)); err != nil {
			return err
		}
		list = append(list, time.Duration(v))
	}
	*d = list
	return nil
}

func (d *durationsFlag) Type() string { return "durations" }

// isolationOptions are the isolation flags.
type isolationOptions struct {
	level sandbox.Isolation
	uids  sandbox.UIDRange
	disk  sandbox.Size
	env   []string
}

// addIsolationFlags binds --isolation, --uids, --disk and --env to o.
func addIsolationFlags(fs *pflag.FlagSet, o *isolationOptions) {
	fs.Var(&o.level, "isolation", "how far programs are kept from the harness and the host: none, process or namespaces (default: the strongest this host allows)")
	fs.Var(&o.uids, "uids", "uids of isolated programs, one per worker slot, FIRST-LAST (default 63000-63999)")
	fs.Var((*sizeFlag)(&o.disk), "disk", "size of an isolated program's working directory, a tmpfs counted in its memory (default 64MiB)")
	fs.StringArrayVar(&o.env, "env", nil, "KEY=VALUE added to an isolated program's minimal environment (repeatable)")
}

// check reports a malformed --env.
func (o *isolationOptions) check() error {
	for _, kv := range o.env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
	}
	return nil
}

// options returns the sandbox options of o with the cgroup mode m.
func (o *isolationOptions) options(m sandbox.CgroupMode) sandbox.Options {
	return sandbox.Options{Cgroup: m, Isolation: o.level, UIDs: o.uids, Disk: o.disk, Env: o.env}
}

// apply gives plan the isolation of o.
func (o *isolationOptions) apply(plan *harness.Plan) {
	plan.Isolation, plan.UIDs, plan.Disk, plan.Env = o.level, o.uids, o.disk, o.env
}

// addCheckerFlag binds --checker to c.
func addCheckerFlag(fs *pflag.FlagSet, c *sandbox.Checker) {
	fs.Var(c, "checker", "how output is judged: lines, exact, tokens, float:EPS (tokens, numbers within EPS\n"+
		"absolutely or relatively), or a checker program PATH with a slash, run as PATH input output answer\n"+
		"(exit 0 accepts, 1 or 2 rejects, else SYSTEM_ERROR)")
}

// useChecker gives every case the checker of --checker, when it was given:
// it overrides a scenario's. A checker program must be one that can start.
func useChecker(fs *pflag.FlagSet, c sandbox.Checker, cases []scenarios.Case) error {
	if !fs.Changed("checker") {
		return nil
	}
	if c.Kind == sandbox.KindProgram {
		if _, err := exec.LookPath(c.Program); err != nil {
			return fmt.Errorf("--checker: the checker cannot start: %w", err)
		}
	}
	for i := range cases {
		cases[i].Checker = c
	}
	return nil
}

// addCgroupFlag binds --cgroup to m, which starts as auto.
func addCgroupFlag(fs *pflag.FlagSet, m *sandbox.CgroupMode) {
	*m = sandbox.CgroupAuto
	fs.Var((*cgroupFlag)(m), "cgroup", "cgroup use: auto, v1, v2 or off")
}

// cgroupFlag is a sandbox.CgroupMode as a flag.
type cgroupFlag sandbox.CgroupMode

func (c *cgroupFlag) String() string { return string(*c) }
func (c *cgroupFlag) Type() string   { return "mode" }

func (c *cgroupFlag) Set(s string) error {
	m, err := sandbox.ParseCgroupMode(s)
	*c = cgroupFlag(m)
	return err
}

// wordsFlag is a comma-separated list of words of the record's vocabulary
// (models, measure modes), each checked by parse.
type wordsFlag[T ~string] struct {
	list  *[]T
	parse func(string) (T, error)
}

func (f wordsFlag[T]) String() string {
	s := make([]string, len(*f.list))
	for i, w := range *f.list {
		s[i] = string(w)
	}
	return strings.Join(s, ",")
}

func (f wordsFlag[T]) Set(s string) error {
	for w := range strings.SplitSeq(s, ",") {
		v, err := f.parse(strings.TrimSpace(w))
		if err != nil {
			return err
		}
		*f.list = append(*f.list, v)
	}
	return nil
}

func (f wordsFlag[T]) Type() string { return "list" }

// addCPUsFlag binds --cpus to cpus.
func addCPUsFlag(fs *pflag.FlagSet, cpus *[]int) {
	fs.Var((*cpuListFlag)(cpus), "cpus", "CPUs worker slots may use, a list such as 0-3,8 (default: those this process may run on\n"+
		"but the isolated ones; an isolated CPU only when named); pinned slots take them in the order\n"+
		"of judgebench topology")
}

// cpuListFlag is a CPU list, "0-3,8"; an empty one is refused.
type cpuListFlag []int

func (f *cpuListFlag) String() string { return host.FormatCPUList(*f) }
func (f *cpuListFlag) Type() string   { return "list" }

func (f *cpuListFlag) Set(s string) error {
	cpus, err := host.ParseCPUList(s)
	if err == nil && len(cpus) == 0 {
		err = errors.New("no CPU given")
	}
	*f = cpus
	return err
}

// pinFlag is a results.Pin as a flag.
type pinFlag results.Pin

func (p *pinFlag) String() string { return string(*p) }
func (p *pinFlag) Type() string   { return "pin" }

func (p *pinFlag) Set(s string) error {
	v, err := results.ParsePin(s)
	*p = pinFlag(v)
	return err
}

// durationFlag is a limit duration: a Go duration, more than 0; 0 (not
// given) prints as nothing.
type durationFlag time.Duration

func (d *durationFlag) String() string {
	if *d == 0 {
		return ""
	}
	return time.Duration(*d).String()
}

func (d *durationFlag) Set(s string) error {
	v, err := sandbox.ParseDuration(s)
	if err == nil && v <= 0 {
		err = errors.New("must be more than 0")
	}
	*d = durationFlag(v)
	return err
}

func (d *durationFlag) Type() string { return "duration" }

// fractionFlag is a fraction given as a percentage: "5%", "0.5%", or "5"
// (also percent); never negative, NaN or infinite.
type fractionFlag float64

func (f *fractionFlag) String() string {
	return strconv.FormatFloat(float64(*f)*100, 'g', -1, 64) + "%"
}

func (f *fractionFlag) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%q is no percentage (e.g. 5%%, 0.5%%)", s)
	}
	*f = fractionFlag(v / 100)
	return nil
}

func (f *fractionFlag) Type() string { return "percent" }
