package sandbox

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// emulated says why timing precision cannot be judged on this machine, or ""
// when it can. Under QEMU's TCG, as .ci/cgroup2 runs these tests, every
// instruction is emulated, 2.5 to 7 times slower than native and unevenly so;
// verdicts, memory, limits and cleanup still can be judged there. The VM's
// kernel command line says so (judgebench.emulated=1, set by the script that
// boots it), and QEMU names its TCG CPU model in /proc/cpuinfo. Neither comes
// from the speed of a clock. It is host.Emulated, which this package's tests
// cannot import (host imports sandbox).
var emulated = sync.OnceValue(func() string {
	if cmdline, err := os.ReadFile("/proc/cmdline"); err == nil && slices.Contains(strings.Fields(string(cmdline)), "judgebench.emulated=1") {
		return "emulated CPU (judgebench.emulated=1 on the kernel command line)"
	}
	if cpuinfo, err := os.ReadFile("/proc/cpuinfo"); err == nil && strings.Contains(string(cpuinfo), "QEMU TCG CPU") {
		return "emulated CPU (QEMU TCG CPU in /proc/cpuinfo)"
	}
	return ""
})

// skipIfEmulated skips a test or benchmark of timing precision on an emulated CPU.
func skipIfEmulated(t testing.TB) {
	t.Helper()
	if why := emulated(); why != "" {
		t.Skip(why + ": timing precision cannot be judged under emulation")
	}
}

// coarse is a bound on time d, ten times wider on an emulated CPU: there only
// a gross error (a limit not enforced, a run not ended) can be told from the
// emulation's own slowness.
func coarse(t testing.TB, d time.Duration) time.Duration {
	t.Helper()
	if why := emulated(); why != "" {
		t.Logf("%s: a coarse bound on time, %v instead of %v", why, 10*d, d)
		return 10 * d
	}
	return d
}
