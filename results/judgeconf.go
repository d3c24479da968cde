package results

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// JudgeConfig is a tuning's recommendation in the terms of one judge that
// operators run: what to paste, and what to know about it.
type JudgeConfig struct {
	Judge  string `json:"judge"`
	Config string `json:"config"`
	Note   string `json:"note,omitempty"`
}

// JudgeConfigs gives the recommendation (parallel cases at once on cpus: the
// CPUs of the worker slots in order when pinned, else the CPUs the cases may
// share) to go-judge, isolate, QingdaoU JudgeServer and DMOJ. None for a
// parallelism under 1 or no CPU.
func JudgeConfigs(parallel int, cpus []int, pinned bool) []JudgeConfig {
	if parallel < 1 || len(cpus) == 0 {
		return nil
	}
	list := FormatCPUList(cpus)
	boxes := make([]string, parallel)
	for i := range boxes {
		set := list // every box may use every CPU of the set
		if pinned {
			set = strconv.Itoa(cpus[i%len(cpus)])
		}
		boxes[i] = fmt.Sprintf("box%d.cpus = %s", i, set)
	}
	return []JudgeConfig{
		{Judge: "go-judge", Config: fmt.Sprintf("go-judge -parallelism %d -cpuset %s", parallel, list),
			Note: "its cases share the set; go-judge pins none to one CPU"},
		{Judge: "isolate", Config: strings.Join(boxes, "\n"),
			Note: fmt.Sprintf("lines of isolate's config file (isolate.cf), for boxes 0 to %d; isolate applies them only in its cgroup mode (--cg)", parallel-1)},
		{Judge: "QingdaoU JudgeServer", Config: fmt.Sprintf("docker run --cpuset-cpus %s ...", list),
			Note: fmt.Sprintf("the JudgeServer container's CPUs; run at most %d submissions at once", parallel)},
		{Judge: "DMOJ", Config: fmt.Sprintf("taskset -c %s dmoj ...", list),
			Note: fmt.Sprintf("unverified: no DMOJ was at hand to check its own affinity setting; the judge's CPUs by taskset, at most %d submissions at once", parallel)},
	}
}

// FormatCPUList writes cpus as the kernel does, runs of consecutive CPUs as
// ranges: "0-3,8,10-11". It sorts a copy first; "" for none.
func FormatCPUList(cpus []int) string {
	sorted := slices.Compact(slices.Sorted(slices.Values(cpus)))
	var b strings.Builder
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] == sorted[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(sorted[i]))
		if j > i {
			b.WriteString("-" + strconv.Itoa(sorted[j]))
		}
		i = j + 1
	}
	return b.String()
}
