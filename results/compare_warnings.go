package results

import (
	"fmt"
	"slices"
	"strings"
)

// runWarnings says how the runs differ in machine and settings, and which
// run is partial.
func runWarnings(base, new *Run) []string {
	var out []string
	bm, nm := &base.Machine, &new.Machine
	if d := differences(
		differ("hostname", bm.Hostname, nm.Hostname),
		differ("CPU model", bm.CPUModel, nm.CPUModel),
		differ("logical cores", bm.LogicalCores, nm.LogicalCores),
		differ("kernel", bm.Kernel, nm.Kernel),
		differ("cgroup version", bm.CgroupVersion, nm.CgroupVersion),
		differ("container CPU limit", bm.ContainerCPULimit, nm.ContainerCPULimit),
	); d != "" {
		out = append(out, "the runs come from different machines: "+d)
	}
	bs, ns := &base.Settings, &new.Settings
	if d := differences(
		differ("target", base.Target, new.Target),
		differ("cpu_time limit", bs.CPUTime, ns.CPUTime),
		differ("real_time limit", bs.RealTime, ns.RealTime),
		differ("memory limit", bs.Memory, ns.Memory),
		differ("output limit", bs.Output, ns.Output),
		differ("stack limit", bs.Stack, ns.Stack),
		differ("processes limit", bs.Processes, ns.Processes),
		differ("cgroup mode", bs.Cgroup, ns.Cgroup),
		differ("isolation", isolationOf(base), isolationOf(new)),
	); d != "" {
		out = append(out, "the runs have different settings: "+d)
	}
	for _, r := range []struct {
		name string
		run  *Run
	}{{"base", base}, {"new", new}} {
		if r.run.Interrupted {
			out = append(out, r.name+" run was interrupted: its samples are partial")
		}
	}
	return out
}

// differ describes how a and b, the values of what, differ; "" when equal.
func differ[T comparable](what string, a, b T) string {
	if a == b {
		return ""
	}
	return fmt.Sprintf("%s %#v vs %#v", what, a, b)
}

// differences joins the descriptions that are not empty.
func differences(list ...string) string {
	return strings.Join(slices.DeleteFunc(list, func(s string) bool { return s == "" }), ", ")
}

// isolationOf is the isolation r's samples ran at: its first sample's.
func isolationOf(r *Run) Isolation {
	if len(r.Samples) == 0 {
		return r.Settings.Isolation
	}
	return r.Samples[0].Isolation
}
