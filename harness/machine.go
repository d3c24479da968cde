package harness

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"golang.org/x/sys/unix"
)

// gomaxprocsDefault is GOMAXPROCS as the process started.
var gomaxprocsDefault = runtime.GOMAXPROCS(0)

// Machine describes this host, and the sandbox the harness uses, for the
// record of a run. GOMAXPROCS is the harness's: child processes run with
// their own.
func (h *Harness) Machine() results.Machine { return describe(h.sb) }

// describe describes this host and sb.
func describe(sb *sandbox.Sandbox) results.Machine {
	m := results.Machine{
		LogicalCores:      runtime.NumCPU(),
		GoVersion:         runtime.Version(),
		GOMAXPROCSDefault: gomaxprocsDefault,
		CgroupVersion:     sb.Cgroup(),
		DoctorWarnings:    Warnings(Doctor()),
		SandboxWarnings:   append([]string{}, sb.Warnings()...),
		Governor:          readTrim("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
	}
	m.Hostname, _ = os.Hostname()
	m.CPUModel, m.PhysicalCores = cpuinfo()
	if m.PhysicalCores == 0 {
		m.PhysicalCores = m.LogicalCores
	}
	m.SMT = readTrim("/sys/devices/system/cpu/smt/active") == "1" || m.LogicalCores > m.PhysicalCores
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	self := host{root: "/", cpus: m.LogicalCores, procs: runtime.GOMAXPROCS(0)}
	if cpus, _, err := self.quota(); err == nil {
		m.ContainerCPULimit = cpus
	}
	return m
}

func readTrim(path string) string {
	data, _ := os.ReadFile(path)
	return strings.TrimSpace(string(data))
}

// cpuinfo returns the CPU model and the number of physical cores (distinct
// physical id and core id pairs) from /proc/cpuinfo.
func cpuinfo() (model string, cores int) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "", 0
	}
	defer f.Close()
	seen := map[string]bool{}
	var phys string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok:
		case k == "model name" && model == "":
			model = v
		case k == "physical id":
			phys = v
		case k == "core id":
			seen[phys+"/"+v] = true
		}
	}
	return model, len(seen)
}

func ratio(a, b string) float64 {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil || y == 0 {
		return 0
	}
	return x / y
}
