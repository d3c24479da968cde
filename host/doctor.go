package host

import (
	"bufio"
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/judgebench/judgebench/results"
)

const (
	statusOK      = results.FindingOK
	statusWarn    = results.FindingWarn
	statusUnknown = results.FindingUnknown
)

// probe is what the checks look at: a file tree ("/" on this host, a fake
// /sys and /proc in tests) and this process's CPU figures.
type probe struct {
	root  string
	cpus  int // runtime.NumCPU(): the CPUs this process may run on
	procs int // GOMAXPROCS
	pid   int // this process's
	// topo reads the CPU topology of root/sys once; nil reads it at every
	// call of topology.
	topo func() (*Topology, error)
}

// check is one rule of the doctor: run reads the host and returns a status and
// a value; why and fix complete the finding.
type check struct {
	name, why, fix string
	run            func(probe) (status, value string)
}

var checks = []check{
	{"governor", "a governor other than performance changes the clock under load, so the same case takes different CPU time from run to run.",
		"set every CPU's governor to performance (cpupower frequency-set -g performance).", governor},
	{"boost", "turbo raises the clock while few cores are busy and lowers it as more cores work, so CPU time depends on how many cases run at once.",
		"turn turbo off (echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo, or 0 > /sys/devices/system/cpu/cpufreq/boost).", boost},
	{"smt", "sibling hyperthreads share a core, so two cases on siblings inflate each other's CPU time.",
		"turn SMT off (echo off > /sys/devices/system/cpu/smt/control) or run no more cases at once than physical cores.", smt},
	{"cpu-classes", "a case on a slower class of core (an E-core, a LITTLE core) takes more CPU time, so its verdict depends on where the scheduler put it.",
		"judge on one class: --cpus with its CPUs (judgebench topology lists them), or --pin on, which fills the fastest class first.", cpuClasses},
	{"numa", "memory on another node is slower to reach: a case moved across nodes, or whose memory sits on a remote node, runs slower.",
		"pin worker slots (--pin on) so that each case keeps to one node, or judge on one node's CPUs (--cpus).", numa},
	{"cpuset", "the online CPUs outside this process's set run other work, which shares caches, memory bandwidth and, for a sibling outside the set, the core itself with the cases.",
		"give the judge whole cores (every SMT sibling of its CPUs), or keep other work off the siblings of its CPUs.", cpuset},
	{"isolated", "isolated CPUs (isolcpus=) get no other work from the scheduler: the steadiest CPUs to judge on, but no process lands on them unless pinned there.",
		"", isolated},
	{"swap", "a case's pages may be swapped out mid-run, which distorts its timings and memory figures (MLE).",
		"turn swap off while judging (swapoff -a).", swap},
	{"thp", "with transparent huge pages always on, khugepaged compaction adds stalls and changes memory figures.",
		"set it to madvise (echo madvise > /sys/kernel/mm/transparent_hugepage/enabled).", thp},
	{"aslr", "address-space randomization lays a program out differently each run, a small source of run-to-run timing variance.",
		"", aslr},
	{"cgroup", "a per-case cgroup gives a case's own peak memory, CPU time and task limit; without one memory comes from VmHWM and limits are weaker.",
		"run as root on cgroup v2 with memory and pids delegated, in a cgroup of its own (systemd-run --scope -p Delegate=yes; in a container, first move its other processes into a child cgroup), or with the v1 memory, pids and cpuacct hierarchies mounted writable.", cgroup},
	{"cpu-quota", "a CPU quota below the CPUs makes CFS throttle the whole cgroup, which stalls cases in bursts and inflates real time.",
		"remove the quota or raise it to the CPUs, or run fewer cases at once than it allows.", cpuQuotaCheck},
	{"load", "other work competes with the cases for the cores, inflating real time and, through shared caches, CPU time.",
		"stop or move the other work before measuring.", load},
	{"gomaxprocs", "more Go threads running than the CPUs the quota allows spend the quota early, and the cgroup is throttled with the cases in it.",
		"set GOMAXPROCS to at most the CPUs the quota allows.", gomaxprocs},
	{"virtualization", "a virtual machine's CPUs are shared: steal time and noisy neighbours inflate real time and spread timings.",
		"judge on bare metal or dedicated vCPUs, and compare timings only within one run.", virtualization},
}

// Doctor checks this host for timing hazards, one finding per check. It never
// fails: what it cannot read is "unknown".
func Doctor() []results.Finding { return doctorAt("/") }

func doctorAt(root string) []results.Finding {
	h := probe{root: root, cpus: runtime.NumCPU(), procs: runtime.GOMAXPROCS(0), pid: os.Getpid()}
	h.topo = sync.OnceValues(func() (*Topology, error) { return ReadTopology(filepath.Join(root, "sys")) })
	fs := make([]results.Finding, len(checks))
	for i, c := range checks {
		fs[i] = c.find(h)
	}
	return fs
}

func (c check) find(h probe) results.Finding {
	f := results.Finding{Check: c.name, Why: c.why}
	f.Status, f.Value = c.run(h)
	if f.Status == statusWarn {
		f.Fix = c.fix
	}
	return f
}

// read returns the trimmed contents of path under h.root.
func (h probe) read(path string) (string, error) {
	data, err := os.ReadFile(filepath.Join(h.root, path))
	return strings.TrimSpace(string(data)), err
}

func governor(h probe) (string, string) {
	dir := filepath.Join(h.root, "sys/devices/system/cpu")
	entries, _ := os.ReadDir(dir)
	count, n := map[string]int{}, 0
	for _, e := range entries {
		if num, ok := strings.CutPrefix(e.Name(), "cpu"); !ok || strings.Trim(num, "0123456789") != "" || num == "" {
			continue // not cpuN
		}
		if g, err := os.ReadFile(filepath.Join(dir, e.Name(), "cpufreq/scaling_governor")); err == nil {
			count[strings.TrimSpace(string(g))]++
			n++
		}
	}
	if n == 0 {
		return statusUnknown, "no cpufreq (usual in a virtual machine: the host sets the clock)"
	}
	names := make([]string, 0, len(count))
	for g := range count {
		names = append(names, g)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(count[b]-count[a], strings.Compare(a, b)) })
	var parts []string
	for _, g := range names {
		parts = append(parts, fmt.Sprintf("%s on %d", g, count[g]))
	}
	v := strings.Join(parts, ", ") + fmt.Sprintf(" of %d CPUs", n)
	if count["performance"] == n {
		return statusOK, v
	}
	return statusWarn, v
}

func boost(h probe) (string, string) {
	if v, err := h.read("sys/devices/system/cpu/intel_pstate/no_turbo"); err == nil {
		return onOff(v, "0", "1", "intel_pstate no_turbo", "turbo")
	}
	if v, err := h.read("sys/devices/system/cpu/cpufreq/boost"); err == nil {
		return onOff(v, "1", "0", "cpufreq boost", "boost")
	}
	return statusUnknown, "no intel_pstate/no_turbo or cpufreq/boost"
}

// onOff is warn for on, ok for off, unknown for anything else in file.
func onOff(v, on, off, file, what string) (string, string) {
	switch v {
	case on:
		return statusWarn, fmt.Sprintf("%s on (%s=%s)", what, file, v)
	case off:
		return statusOK, fmt.Sprintf("%s off (%s=%s)", what, file, v)
	}
	return statusUnknown, fmt.Sprintf("%s=%q", file, v)
}

func smt(h probe) (string, string) {
	if c, err := h.read("sys/devices/system/cpu/smt/control"); err == nil && c == "notsupported" {
		return statusOK, "not supported"
	}
	v, err := h.read("sys/devices/system/cpu/smt/active")
	if err != nil {
		return smtOfCores(h)
	}
	return onOff(v, "1", "0", "smt/active", "SMT")
}

func swap(h probe) (string, string) {
	data, err := h.read("proc/swaps")
	if err != nil {
		return statusUnknown, "cannot read /proc/swaps"
	}
	var n, size, used int64
	for _, l := range strings.Split(data, "\n")[1:] { // after "Filename Type Size Used Priority"
		if f := strings.Fields(l); len(f) >= 4 {
			s, _ := strconv.ParseInt(f[2], 10, 64) // KiB
			u, _ := strconv.ParseInt(f[3], 10, 64)
			n, size, used = n+1, size+s, used+u
		}
	}
	if n == 0 {
		return statusOK, "none"
	}
	return statusWarn, fmt.Sprintf("%d swap areas, %d MiB (%d MiB used)", n, size>>10, used>>10)
}

func thp(h probe) (string, string) {
	v, err := h.read("sys/kernel/mm/transparent_hugepage/enabled")
	_, rest, ok1 := strings.Cut(v, "[")
	mode, _, ok2 := strings.Cut(rest, "]")
	switch {
	case err != nil:
		return statusUnknown, "no /sys/kernel/mm/transparent_hugepage"
	case !ok1 || !ok2:
		return statusUnknown, fmt.Sprintf("enabled=%q", v)
	case mode == "always":
		return statusWarn, mode
	}
	return statusOK, mode
}

func aslr(h probe) (string, string) {
	v, err := h.read("proc/sys/kernel/randomize_va_space")
	switch {
	case err != nil:
		return statusUnknown, "cannot read /proc/sys/kernel/randomize_va_space"
	case v == "2":
		return statusOK, "full (2), layouts vary run to run"
	case v == "1":
		return statusOK, "partial (1), layouts vary run to run"
	case v == "0":
		return statusOK, "off (0), layouts repeat"
	}
	return statusUnknown, fmt.Sprintf("randomize_va_space=%q", v)
}

func load(h probe) (string, string) {
	v, err := h.read("proc/loadavg")
	f := strings.Fields(v)
	if err != nil || len(f) == 0 {
		return statusUnknown, "cannot read /proc/loadavg"
	}
	l, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return statusUnknown, fmt.Sprintf("loadavg %q", v)
	}
	value := fmt.Sprintf("%s on %d CPUs (1-minute average)", f[0], h.cpus)
	if l > 0.5*float64(h.cpus) {
		return statusWarn, value
	}
	return statusOK, value
}

// Emulated says why this machine's CPU is emulated, or "" when it is not:
// under QEMU's TCG (as .ci/cgroup2 runs the tests) every instruction is
// emulated, 2.5 to 7 times slower than native and unevenly so, and timing
// precision cannot be judged. The kernel command line says so
// (judgebench.emulated=1, set by the script that boots the VM), or QEMU names
// its TCG CPU model in /proc/cpuinfo.
var Emulated = sync.OnceValue(func() string { return probe{root: "/"}.emulated() })

func (h probe) emulated() string {
	if cmdline, err := h.read("proc/cmdline"); err == nil && slices.Contains(strings.Fields(cmdline), "judgebench.emulated=1") {
		return "emulated CPU (judgebench.emulated=1 on the kernel command line)"
	}
	if cpuinfo, err := h.read("proc/cpuinfo"); err == nil && strings.Contains(cpuinfo, "QEMU TCG CPU") {
		return "emulated CPU (QEMU TCG CPU in /proc/cpuinfo)"
	}
	return ""
}

// hypervisors are DMI product or vendor names only virtual machines have.
var hypervisors = []string{"KVM", "QEMU", "VMware", "VirtualBox", "Xen", "Virtual Machine", "Bochs",
	"Parallels", "Google Compute Engine", "OpenStack", "BHYVE", "Cloud Hypervisor", "Firecracker"}

func virtualization(h probe) (string, string) {
	if why := h.emulated(); why != "" {
		return statusWarn, why
	}
	var dmi []string
	for _, f := range []string{"sys/class/dmi/id/sys_vendor", "sys/class/dmi/id/product_name"} {
		if v, err := h.read(f); err == nil && v != "" {
			dmi = append(dmi, v)
		}
	}
	name := strings.Join(dmi, " ")
	known := slices.ContainsFunc(hypervisors, func(s string) bool { return strings.Contains(name, s) })
	flag, cpuErr := hypervisorFlag(h)
	switch {
	case known || flag && name != "":
		return statusWarn, "virtual machine: " + name
	case flag:
		return statusWarn, "virtual machine: hypervisor flag in /proc/cpuinfo"
	case cpuErr != nil && name == "":
		return statusUnknown, "no /proc/cpuinfo or DMI"
	case name != "":
		return statusOK, "bare metal: " + name
	}
	return statusOK, "bare metal: no hypervisor flag"
}

// hypervisorFlag reports whether a "flags" line of /proc/cpuinfo has "hypervisor".
func hypervisorFlag(h probe) (bool, error) {
	f, err := os.Open(filepath.Join(h.root, "proc/cpuinfo"))
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		if strings.TrimSpace(k) == "flags" {
			return slices.Contains(strings.Fields(v), "hypervisor"), nil
		}
	}
	return false, sc.Err()
}

// cpusString prints a number of CPUs to two decimals at most.
func cpusString(n float64) string {
	return strconv.FormatFloat(math.Round(n*100)/100, 'f', -1, 64)
}
