package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"github.com/spf13/pflag"
)

// addLimitFlags binds the contract's limit flags to l. Zero values left in l
// after parsing mean "the default" (sandbox.Limits.WithDefaults).
func addLimitFlags(fs *pflag.FlagSet, l *sandbox.Limits) {
	fs.Var((*durationFlag)(&l.CPUTime), "cpu-time", "CPU time limit, user+sys (default 1s)")
	fs.Var((*durationFlag)(&l.RealTime), "real-time", "real time limit (default 3x cpu-time)")
	fs.Var(&l.Memory, "memory", "peak memory limit: B, K/KiB, M/MiB, G/GiB (default 256MiB)")
	fs.Var(&l.Output, "output", "stdout size limit (default 64MiB)")
	fs.Var(&l.Stack, "stack", "stack size limit (default = memory)")
	fs.IntVar(&l.Processes, "processes", 0, "tasks at once, threads included (default 64)")
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

// pinFlag is a results.Pin as a flag.
type pinFlag results.Pin

func (p *pinFlag) String() string { return string(*p) }
func (p *pinFlag) Type() string   { return "pin" }

func (p *pinFlag) Set(s string) error {
	v, err := results.ParsePin(s)
	*p = pinFlag(v)
	return err
}

// durationFlag is a limit duration: a Go duration, never negative.
type durationFlag time.Duration

func (d *durationFlag) String() string {
	if *d == 0 {
		return ""
	}
	return time.Duration(*d).String()
}

func (d *durationFlag) Set(s string) error {
	v, err := sandbox.ParseDuration(s)
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
