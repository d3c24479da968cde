package host

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/judgebench/judgebench/results"
)

// fakeTree writes files (path relative to the root: contents) under a new
// temporary root, a stand-in for /sys and /proc.
func fakeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// merge returns the union of file sets; later ones win.
func merge(sets ...map[string]string) map[string]string {
	m := map[string]string{}
	for _, s := range sets {
		for k, v := range s {
			m[k] = v
		}
	}
	return m
}

// cgroupV2 is a process in cgroup /judge of a unified hierarchy at /sys/fs/cgroup.
func cgroupV2(controllers string) map[string]string {
	return map[string]string{
		"proc/self/mountinfo":                    "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n",
		"proc/self/cgroup":                       "0::/judge\n",
		"sys/fs/cgroup/judge/cgroup.controllers": controllers + "\n",
		"sys/fs/cgroup/judge/cgroup.procs":       "",
	}
}

// cgroupV1 is a process in cgroup /judge of the v1 hierarchies of controllers.
func cgroupV1(controllers ...string) map[string]string {
	var info, self strings.Builder
	m := map[string]string{}
	for i, c := range controllers {
		dir := "/sys/fs/cgroup/" + c
		info.WriteString("3" + string(rune('0'+i)) + " 25 0:2" + string(rune('0'+i)) + " / " + dir + " rw,relatime - cgroup cgroup rw," + c + "\n")
		self.WriteString(string(rune('1'+i)) + ":" + c + ":/judge\n")
		m[dir[1:]+"/judge/cgroup.procs"] = ""
	}
	m["proc/self/mountinfo"] = info.String()
	m["proc/self/cgroup"] = self.String()
	return m
}

func TestChecks(t *testing.T) {
	const cpu = "sys/devices/system/cpu/"
	const swapsHeader = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
	tests := []struct {
		name, check string
		cpus, procs int // 0: 2
		files       map[string]string
		status      string
		value       string // a substring of the value, if given
	}{
		{"performance", "governor", 0, 0, map[string]string{cpu + "cpu0/cpufreq/scaling_governor": "performance\n", cpu + "cpu1/cpufreq/scaling_governor": "performance\n"}, "ok", "performance on 2 of 2 CPUs"},
		{"powersave", "governor", 0, 0, map[string]string{cpu + "cpu0/cpufreq/scaling_governor": "powersave\n", cpu + "cpu1/cpufreq/scaling_governor": "powersave\n"}, "warn", "powersave on 2 of 2 CPUs"},
		{"mixed", "governor", 0, 0, map[string]string{cpu + "cpu0/cpufreq/scaling_governor": "performance\n", cpu + "cpu1/cpufreq/scaling_governor": "schedutil\n"}, "warn", "of 2 CPUs"},
		{"no cpufreq", "governor", 0, 0, map[string]string{cpu + "cpu0/topology/core_id": "0\n", cpu + "cpufreq/boost": "0\n"}, "unknown", "no cpufreq"},
		{"turbo on", "boost", 0, 0, map[string]string{cpu + "intel_pstate/no_turbo": "0\n"}, "warn", "turbo on"},
		{"turbo off", "boost", 0, 0, map[string]string{cpu + "intel_pstate/no_turbo": "1\n"}, "ok", "turbo off"},
		{"boost on", "boost", 0, 0, map[string]string{cpu + "cpufreq/boost": "1\n"}, "warn", "boost on"},
		{"boost off", "boost", 0, 0, map[string]string{cpu + "cpufreq/boost": "0\n"}, "ok", "boost off"},
		{"no boost", "boost", 0, 0, nil, "unknown", ""},
		{"smt active", "smt", 0, 0, map[string]string{cpu + "smt/active": "1\n", cpu + "smt/control": "on\n"}, "warn", "SMT on"},
		{"smt off", "smt", 0, 0, map[string]string{cpu + "smt/active": "0\n", cpu + "smt/control": "off\n"}, "ok", "SMT off"},
		{"smt notsupported", "smt", 0, 0, map[string]string{cpu + "smt/active": "0\n", cpu + "smt/control": "notsupported\n"}, "ok", "not supported"},
		{"no smt", "smt", 0, 0, nil, "unknown", ""},
		{"swap", "swap", 0, 0, map[string]string{"proc/swaps": swapsHeader + "/swapfile  file\t\t2097148\t\t1024\t\t-2\n"}, "warn", "1 swap areas, 2047 MiB (1 MiB used)"},
		{"no swap", "swap", 0, 0, map[string]string{"proc/swaps": swapsHeader}, "ok", "none"},
		{"no /proc/swaps", "swap", 0, 0, nil, "unknown", ""},
		{"thp always", "thp", 0, 0, map[string]string{"sys/kernel/mm/transparent_hugepage/enabled": "[always] madvise never\n"}, "warn", "always"},
		{"thp madvise", "thp", 0, 0, map[string]string{"sys/kernel/mm/transparent_hugepage/enabled": "always [madvise] never\n"}, "ok", "madvise"},
		{"aslr full", "aslr", 0, 0, map[string]string{"proc/sys/kernel/randomize_va_space": "2\n"}, "ok", "full"},
		{"aslr off", "aslr", 0, 0, map[string]string{"proc/sys/kernel/randomize_va_space": "0\n"}, "ok", "off"},
		{"v2", "cgroup", 0, 0, cgroupV2("cpuset cpu io memory pids"), "ok", "v2 with memory, pids at /sys/fs/cgroup/judge"},
		{"v2 without pids", "cgroup", 0, 0, cgroupV2("cpu memory"), "warn", "v2 at /sys/fs/cgroup/judge lacks pids"},
		{"v2 shared with other processes", "cgroup", 0, 0, merge(cgroupV2("memory pids"), map[string]string{
			"sys/fs/cgroup/judge/cgroup.type": "domain\n", "sys/fs/cgroup/judge/cgroup.procs": "1\n2\n", "sys/fs/cgroup/judge/cgroup.subtree_control": "\n"}),
			"warn", "v2 at /sys/fs/cgroup/judge holds 2 other processes"},
		{"v2 shared, controllers on", "cgroup", 0, 0, merge(cgroupV2("memory pids"), map[string]string{
			"sys/fs/cgroup/judge/cgroup.type": "domain\n", "sys/fs/cgroup/judge/cgroup.procs": "1\n", "sys/fs/cgroup/judge/cgroup.subtree_control": "memory pids\n"}),
			"ok", "v2 with memory, pids at /sys/fs/cgroup/judge"},
		{"v2 root (no cgroup.type), shared", "cgroup", 0, 0, merge(cgroupV2("memory pids"), map[string]string{"sys/fs/cgroup/judge/cgroup.procs": "1\n2\n"}),
			"ok", "v2 with memory, pids at /sys/fs/cgroup/judge"},
		{"v2 in a harness's leaf", "cgroup", 0, 0, merge(cgroupV2("memory pids"), map[string]string{
			"proc/self/cgroup": "0::/judge/judgebench/7-4242-harness\n", "sys/fs/cgroup/judge/judgebench/cgroup.procs": "",
			"sys/fs/cgroup/judge/judgebench/7-4242-harness/cgroup.procs": "7\n"}),
			"ok", "v2 with memory, pids at /sys/fs/cgroup/judge"},
		{"v2 in a worker born in a harness's leaf", "cgroup", 0, 0, merge(cgroupV2("memory pids"), map[string]string{
			"proc/self/cgroup": "0::/judge/judgebench/7-4242-harness\n", "sys/fs/cgroup/judge/judgebench/cgroup.procs": "",
			"sys/fs/cgroup/judge/judgebench/7-4242-harness/cgroup.procs": "7\n100\n", "sys/fs/cgroup/judge/cgroup.type": "domain\n",
			"sys/fs/cgroup/judge/cgroup.subtree_control": "memory pids\n"}),
			"ok", "v2 with memory, pids at /sys/fs/cgroup/judge"},
		{"v1", "cgroup", 0, 0, cgroupV1("memory", "pids", "cpuacct"), "ok", "v1"},
		{"v1 without pids", "cgroup", 0, 0, cgroupV1("memory", "cpuacct", "cpu"), "warn", "no v1 pids"},
		{"no cgroup files", "cgroup", 0, 0, nil, "unknown", ""},
		{"v2 half a CPU", "cpu-quota", 2, 0, merge(cgroupV2("cpu"), map[string]string{"sys/fs/cgroup/judge/cpu.max": "50000 100000\n"}), "warn", "0.5 CPUs"},
		{"v2 no quota", "cpu-quota", 2, 0, merge(cgroupV2("cpu"), map[string]string{"sys/fs/cgroup/judge/cpu.max": "max 100000\n"}), "ok", "none"},
		{"v2 parent's quota", "cpu-quota", 2, 0, merge(cgroupV2("cpu"), map[string]string{"sys/fs/cgroup/judge/cpu.max": "max 100000\n", "sys/fs/cgroup/cpu.max": "150000 100000\n"}), "warn", "1.5 CPUs"},
		{"v2 quota of all CPUs", "cpu-quota", 2, 0, merge(cgroupV2("cpu"), map[string]string{"sys/fs/cgroup/judge/cpu.max": "200000 100000\n"}), "ok", "2 CPUs of 2"},
		{"v1 quota", "cpu-quota", 4, 0, merge(cgroupV1("cpu"), map[string]string{"sys/fs/cgroup/cpu/judge/cpu.cfs_quota_us": "100000\n", "sys/fs/cgroup/cpu/judge/cpu.cfs_period_us": "50000\n"}), "warn", "2 CPUs of 4"},
		{"v1 no quota", "cpu-quota", 4, 0, merge(cgroupV1("cpu"), map[string]string{"sys/fs/cgroup/cpu/judge/cpu.cfs_quota_us": "-1\n", "sys/fs/cgroup/cpu/judge/cpu.cfs_period_us": "100000\n"}), "ok", "none"},
		{"no cgroup", "cpu-quota", 0, 0, nil, "unknown", ""},
		{"high load", "load", 2, 0, map[string]string{"proc/loadavg": "1.50 0.80 0.40 3/210 4242\n"}, "warn", "1.50 on 2 CPUs"},
		{"low load", "load", 2, 0, map[string]string{"proc/loadavg": "0.20 0.10 0.05 1/210 4242\n"}, "ok", "0.20 on 2 CPUs"},
		{"no loadavg", "load", 0, 0, nil, "unknown", ""},
		{"procs within quota", "gomaxprocs", 4, 2, merge(cgroupV2("cpu"), map[string]string{"sys/fs/cgroup/judge/cpu.max": "200000 100000\n"}), "ok", "2 on 4 CPUs, quota 2 CPUs"},
		{"procs over quota", "gomaxprocs", 2, 2, merge(cgroupV2("cpu"), map[string]string{"sys/fs/cgroup/judge/cpu.max": "50000 100000\n"}), "warn", "quota 0.5 CPUs"},
		{"procs over CPUs", "gomaxprocs", 2, 4, nil, "warn", "4 on 2 CPUs"},
		{"procs = CPUs", "gomaxprocs", 2, 2, nil, "ok", "2 on 2 CPUs"},
		{"qemu", "virtualization", 0, 0, map[string]string{"sys/class/dmi/id/sys_vendor": "QEMU\n", "sys/class/dmi/id/product_name": "Standard PC (Q35 + ICH9, 2009)\n"}, "warn", "virtual machine: QEMU Standard PC"},
		{"hyper-v", "virtualization", 0, 0, map[string]string{"sys/class/dmi/id/sys_vendor": "Microsoft Corporation\n", "sys/class/dmi/id/product_name": "Virtual Machine\n"}, "warn", "Microsoft Corporation Virtual Machine"},
		{"hypervisor flag", "virtualization", 0, 0, map[string]string{"proc/cpuinfo": "processor\t: 0\nflags\t\t: fpu vme sse2 hypervisor lahf_lm\n"}, "warn", "hypervisor flag"},
		{"bare metal", "virtualization", 0, 0, map[string]string{"sys/class/dmi/id/sys_vendor": "Dell Inc.\n", "sys/class/dmi/id/product_name": "PowerEdge R640\n", "proc/cpuinfo": "flags\t\t: fpu vme sse2\n"}, "ok", "bare metal: Dell Inc. PowerEdge R640"},
		{"no dmi or cpuinfo", "virtualization", 0, 0, nil, "unknown", ""},
		{"emulated", "virtualization", 0, 0, map[string]string{"proc/cmdline": "console=ttyS0 judgebench.emulated=1\n", "proc/cpuinfo": "flags\t\t: fpu hypervisor\n"}, "warn", "emulated CPU (judgebench.emulated=1"},
		{"tcg", "virtualization", 0, 0, map[string]string{"proc/cpuinfo": "model name\t: QEMU TCG CPU version 2.5+\nflags\t\t: fpu\n"}, "warn", "emulated CPU (QEMU TCG CPU"},
	}
	for _, tt := range tests {
		t.Run(tt.check+"/"+tt.name, func(t *testing.T) {
			h := probe{root: fakeTree(t, tt.files), cpus: cmp.Or(tt.cpus, 2), procs: cmp.Or(tt.procs, 2), pid: 100}
			f := checkNamed(t, tt.check).find(h)
			if f.Status != tt.status || !strings.Contains(f.Value, tt.value) {
				t.Errorf("check(%s) = %+v; want status %s, value with %q", tt.check, f, tt.status, tt.value)
			}
			if f.Check != tt.check || f.Why == "" || (f.Fix != "") != (f.Status == statusWarn) {
				t.Errorf("check(%s) = %+v; want its name, a why, and a fix only for warn", tt.check, f)
			}
		})
	}
}

func checkNamed(t *testing.T, name string) check {
	t.Helper()
	i := slices.IndexFunc(checks, func(c check) bool { return c.name == name })
	if i < 0 {
		t.Fatalf("no check %q", name)
	}
	return checks[i]
}

// TestDoctorEmptyTree: on a tree with nothing to read, every check is
// unknown or ok, never a crash.
func TestDoctorEmptyTree(t *testing.T) {
	for _, f := range doctorAt(t.TempDir()) {
		if f.Status == statusWarn && f.Check != "gomaxprocs" {
			t.Errorf("check(%s) = %+v; want status unknown or ok", f.Check, f)
		}
	}
}

// TestDoctorHere runs the doctor on this host: one finding per check, in
// order, each with a status, a value and a why.
func TestDoctorHere(t *testing.T) {
	fs := Doctor()
	if len(fs) != len(checks) {
		t.Fatalf("Doctor() = %d findings; want %d", len(fs), len(checks))
	}
	for i, f := range fs {
		t.Logf("%-7s %-14s %s", f.Status, f.Check, f.Value)
		if f.Check != checks[i].name || f.Why == "" || f.Value == "" || !slices.Contains([]string{statusOK, statusWarn, statusUnknown}, f.Status) {
			t.Errorf("Doctor()[%d] = %+v; want check %s with a status, value and why", i, f, checks[i].name)
		}
	}
	for _, w := range results.Warnings(fs) {
		if strings.Count(w, ": ") < 2 {
			t.Errorf("Warnings() has %q; want \"check: value: why\"", w)
		}
	}
}

// TestTopologyChecks runs the checks that read the CPU topology on the
// fixtures, as the /sys of a root.
func TestTopologyChecks(t *testing.T) {
	wholeCores := copyFixture(t, "container-cpuset", nil)
	if err := os.WriteFile(filepath.Join(wholeCores, "fs/cgroup/cpuset.cpus.effective"), []byte("2-3,10-11\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sysfs, check, status, value string
	}{
		{fixture("epyc-2s"), "smt", "warn", "SMT on"},
		{fixture("epyc-2s"), "cpu-classes", "ok", "one class: max 3.70 GHz 0-63 (32 cores)"},
		{fixture("epyc-2s"), "numa", "warn", "4 nodes (node 0: 0-7,32-39; node 1: 8-15,40-47; node 2: 16-23,48-55; node 3: 24-31,56-63)"},
		{fixture("epyc-2s"), "cpuset", "ok", "all 64 online CPUs (0-63) but the isolated ones"},
		{fixture("epyc-2s"), "isolated", "ok", "31,63: worker slots use them only when named (--cpus)"},
		{fixture("hybrid-desktop"), "cpu-classes", "warn", "2 classes, fastest first: P-core 0-15 (8 cores), E-core 16-23 (8 cores) (from cpu_core/cpus, cpu_atom/cpus)"},
		{fixture("hybrid-desktop"), "numa", "ok", "1 node"},
		{fixture("hybrid-desktop"), "isolated", "ok", "none"},
		{fixture("rk3399"), "smt", "ok", "SMT off (no core of 6 has siblings online)"},
		{fixture("rk3399"), "cpu-classes", "warn", "capacity 1024 4-5 (2 cores), capacity 381 0-3 (4 cores) (from cpu_capacity)"},
		{fixture("rk3399"), "numa", "ok", "1 node"},
		{fixture("vm-2vcpu"), "smt", "ok", "not supported"},
		{fixture("vm-2vcpu"), "cpu-classes", "ok", "one class: capacity 1024 0-1 (2 cores)"},
		{fixture("vm-2vcpu"), "cpuset", "ok", "all 2 online CPUs (0-1)"},
		{fixture("container-cpuset"), "cpuset", "warn", "2-5,10-11 of 0-15 online (online within fs/cgroup/cpuset.cpus.effective); 4-5 share a core with CPUs outside it"},
		{wholeCores, "cpuset", "ok", "2-3,10-11 of 0-15 online (online within fs/cgroup/cpuset.cpus.effective), whole cores"},
		{t.TempDir(), "cpu-classes", "unknown", "no CPU topology"},
	}
	for _, tt := range tests {
		abs, err := filepath.Abs(tt.sysfs)
		if err != nil {
			t.Fatal(err)
		}
		root := t.TempDir()
		if err := os.Symlink(abs, filepath.Join(root, "sys")); err != nil {
			t.Fatal(err)
		}
		f := checkNamed(t, tt.check).find(probe{root: root, cpus: 2, procs: 2, pid: 100})
		if f.Status != tt.status || !strings.Contains(f.Value, tt.value) {
			t.Errorf("check(%s) on %s = %+v; want status %s, value with %q", tt.check, filepath.Base(tt.sysfs), f, tt.status, tt.value)
		}
		if f.Why == "" || (f.Fix != "") != (f.Status == statusWarn) {
			t.Errorf("check(%s) on %s = %+v; want a why, and a fix only for warn", tt.check, filepath.Base(tt.sysfs), f)
		}
	}
}
