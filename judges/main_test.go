package judges

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// TestMain lets the test binary pose as `judgebench work`, the program the
// judges run.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "work" {
		os.Exit(scenarios.Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Setenv("GORACE", "atexit_sleep_ms=0")
	os.Exit(m.Run())
}

// peers is where ../shared/peers/build.sh built the real judges:
// $JUDGEBENCH_PEERS, else the cache .ci/run builds them in,
// ${JUDGEBENCH_CACHE:-$HOME/.cache/judgebench}/peers.
func peers() string {
	if d := os.Getenv("JUDGEBENCH_PEERS"); d != "" {
		return d
	}
	cache := os.Getenv("JUDGEBENCH_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "judgebench")
	}
	return filepath.Join(cache, "peers")
}

// peer returns the path of the built judge binary name (libjudger.so,
// isolate, go-judge), or skips t saying why it cannot run here.
func peer(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(peers(), "bin", name)
	if _, err := os.Stat(path); err != nil {
		missing := t.Skipf
		if os.Getenv("JUDGEBENCH_REQUIRE_PEERS") != "" { // .ci/run built them: a test that cannot find them fails
			missing = t.Fatalf
		}
		missing("no %s: build the peers with `bash ../shared/peers/build.sh %s` (or set JUDGEBENCH_PEERS): %v", name, peers(), err)
	}
	if os.Geteuid() != 0 {
		t.Skipf("%s runs as root only", name)
	}
	return path
}

// self is the test binary, which runs workloads as `work NAME ARGS`.
func self(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// work is a command that runs workload name through a judge, with room on
// the limits the test does not set: a test that checks one limit must not
// trip another on a busy machine. Memory defaults to 2047MiB: a Go
// program's runtime reserves address space at addresses that vary, and under
// isolate's limit of 1GiB or 1.5GiB it fails to start now and then; and
// the stack to 8MiB (Linux's usual), which its threads' stacks need to fit in that.
func work(t testing.TB, l sandbox.Limits, name string, args ...string) *sandbox.Command {
	if l.CPUTime == 0 {
		l.CPUTime = 10 * time.Second
	}
	if l.RealTime == 0 {
		l.RealTime = time.Minute
	}
	if l.Memory == 0 {
		l.Memory = 2047 * sandbox.MiB
	}
	if l.Stack == 0 { // glibc gives each of the cgo binary's threads a stack of the limit's size
		l.Stack = 8 * sandbox.MiB
	}
	return &sandbox.Command{Path: self(t), Args: append([]string{"work", name}, args...), Limits: l}
}

// skipIfRace skips a test of a judge that limits address space: the race
// detector's shadow memory does not fit under it.
func skipIfRace(t *testing.T) {
	if raceEnabled {
		t.Skip("race detector: its shadow memory does not fit under an address-space limit")
	}
}
