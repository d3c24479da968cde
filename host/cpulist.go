package host

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/judgebench/judgebench/results"
)

// MaxCPUs bounds the CPU numbers a list may hold: the kernel's own upper bound
// on CPUs (NR_CPUS) on any architecture it supports today.
const MaxCPUs = 8192

// ParseCPUList parses a CPU list as the kernel writes and reads them
// (cpulist, shared_cpu_list, cpuset.cpus, isolated, taskset -c): numbers and
// ranges separated by commas, "0-3,8,10-11". Surrounding space is ignored and
// an empty list is no CPU. The CPUs come back sorted, each once.
func ParseCPUList(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	cpus := []int{}
	if s == "" {
		return cpus, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, err := cpuRange(part)
		if err != nil {
			return nil, fmt.Errorf("CPU list %q: %w", s, err)
		}
		for c := lo; c <= hi; c++ {
			cpus = append(cpus, c)
		}
	}
	slices.Sort(cpus)
	return slices.Compact(cpus), nil
}

// cpuRange parses "N" or "N-M" with N <= M.
func cpuRange(part string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(strings.TrimSpace(part), "-")
	if lo, err = cpuNumber(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = cpuNumber(b); err != nil {
		return 0, 0, err
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("range %s-%s runs backwards", a, b)
	}
	return lo, hi, nil
}

// cpuNumber parses one CPU number: decimal digits only, below MaxCPUs.
func cpuNumber(s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is no CPU number", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n >= MaxCPUs {
		return 0, errors.New("CPU " + s + " is beyond the kernel's " + strconv.Itoa(MaxCPUs))
	}
	return n, nil
}

// FormatCPUList writes cpus as the kernel does, runs of consecutive CPUs as
// ranges: "0-3,8,10-11" (results.FormatCPUList).
func FormatCPUList(cpus []int) string { return results.FormatCPUList(cpus) }
