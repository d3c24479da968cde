package host

import (
	"bufio"
	"os"
	"runtime"
	"strings"

	"github.com/judgebench/judgebench/results"
	"golang.org/x/sys/unix"
)

// gomaxprocsDefault is GOMAXPROCS as the process started.
var gomaxprocsDefault = runtime.GOMAXPROCS(0)

// DefaultGOMAXPROCS returns GOMAXPROCS as the process started, before any
// sweep changed it.
func DefaultGOMAXPROCS() int { return gomaxprocsDefault }

// Describe describes this host for the record of a run: CPU, cores, SMT,
// kernel, governor, Go, the CPU quota and the doctor's warnings. What the
// sandbox uses (CgroupVersion, SandboxWarnings) is the sandbox's to say.
func Describe() results.Machine {
	m := results.Machine{
		LogicalCores:      runtime.NumCPU(),
		GoVersion:         runtime.Version(),
		GOMAXPROCSDefault: gomaxprocsDefault,
		DoctorWarnings:    results.Warnings(Doctor()),
		Governor:          readTrim("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
	}
	m.Hostname, _ = os.Hostname()
	m.CPUModel, m.PhysicalCores = cpuinfo()
	t, err := ReadTopology(DefaultSysfs)
	if err == nil { // cores by their siblings: core ids repeat across packages and clusters
		m.PhysicalCores = len(t.Cores())
	}
	if m.PhysicalCores == 0 {
		m.PhysicalCores = m.LogicalCores
	}
	m.SMT = readTrim("/sys/devices/system/cpu/smt/active") == "1" || m.LogicalCores > m.PhysicalCores || err == nil && t.SMT()
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	self := probe{root: "/", cpus: m.LogicalCores, procs: runtime.GOMAXPROCS(0), pid: os.Getpid()}
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
