package sandbox

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the user the unprivileged path is tested as.
const nobody = 65534

// TestUnprivileged runs the tests that depend on privileges again as an
// ordinary user, where no cgroup can be made: memory from VmHWM, tasks limited
// by RLIMIT_NPROC, orphans found as reparented children. As that user already,
// the other tests cover it.
func TestUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: every other test already runs unprivileged")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir, err := os.MkdirTemp("", "judgebench-unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "sandbox.test")
	if err := copyExecutable(self(t), bin); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := "^(TestRunVerdicts|TestSystemError|TestCPUAccuracy|TestCPULimitPrecision|TestMemoryPeak|" +
		"TestForkBomb|TestOrphans|TestHangIgnoringSIGTERM|TestStderrFlood|TestLimitsBeforeStart|TestCancel|" +
		"TestRunsKeepTheirOrphans|TestEscapeDuringTeardown|TestConcurrentRuns)$"
	cmd := exec.CommandContext(t.Context(), bin, "-test.run", tests, "-test.count", "1", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "JUDGEBENCH_TEST_CGROUP=auto", "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the tests as uid %d: %v\n%s", nobody, err, out)
	}
	if !strings.Contains(string(out), "cgroup") && !strings.Contains(string(out), "PASS") {
		t.Fatalf("the tests as uid %d printed no result:\n%s", nobody, out)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.Contains(line, "--- SKIP") || strings.Contains(line, "attempt") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
