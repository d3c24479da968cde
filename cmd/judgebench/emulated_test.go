package main

import (
	"os"
	"slices"
	"strings"
	"sync"
)

// emulated says why timing precision cannot be judged on this machine, or ""
// when it can. Under QEMU's TCG, as .ci/cgroup2 runs these tests, every
// instruction is emulated, 2.5 to 7 times slower than native and unevenly so.
// The VM's kernel command line says so (judgebench.emulated=1, set by the
// script that boots it), and QEMU names its TCG CPU model in /proc/cpuinfo.
// The sandbox's tests have the same helper.
var emulated = sync.OnceValue(func() string {
	if cmdline, err := os.ReadFile("/proc/cmdline"); err == nil && slices.Contains(strings.Fields(string(cmdline)), "judgebench.emulated=1") {
		return "emulated CPU (judgebench.emulated=1 on the kernel command line)"
	}
	if cpuinfo, err := os.ReadFile("/proc/cpuinfo"); err == nil && strings.Contains(string(cpuinfo), "QEMU TCG CPU") {
		return "emulated CPU (QEMU TCG CPU in /proc/cpuinfo)"
	}
	return ""
})
