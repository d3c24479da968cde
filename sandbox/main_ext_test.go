package sandbox_test

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// TestMain lets the test binary pose as `judgebench work`: a test runs
// os.Args[0] work NAME ARGS as its judged program, so no compiler is needed;
// `hold MODE` is a judgebench process for TestRemoveLeftovers to kill;
// `fuse SIZE DIR` serves a file through FUSE for TestInputPageCache;
// `sh SCRIPT ARGS` runs /bin/sh -c SCRIPT with $0 this binary, wherever an
// isolation level put it.
// After the tests it checks that no cgroup and no child was left behind. It
// lives in the external test package because scenarios imports sandbox.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "work" {
		os.Exit(scenarios.Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	if len(os.Args) > 2 && os.Args[1] == "hold" {
		os.Exit(sandbox.Hold(os.Args[2]))
	}
	if len(os.Args) > 2 && os.Args[1] == "sh" {
		exe, err := os.Executable()
		if err == nil {
			err = syscall.Exec("/bin/sh", append([]string{"sh", "-c", os.Args[2], exe}, os.Args[3:]...), os.Environ())
		}
		fmt.Fprintln(os.Stderr, "sh:", err)
		os.Exit(126)
	}
	if len(os.Args) > 1 && os.Args[1] == "fuse" {
		os.Exit(sandbox.ServeFUSE(os.Args[2:]))
	}
	code := m.Run()
	if err := sandbox.Leftovers(); err != nil {
		fmt.Fprintln(os.Stderr, "leak:", err)
		code = 1
	}
	os.Exit(code)
}
