package sandbox

import (
	"context"
	"os/exec"
	"testing"
)

// BenchmarkRun compares the per-run cost of the sandbox, at each cgroup mode
// and isolation level, with a plain os/exec run of the same trivial program.
//
//	go test -run '^$' -bench BenchmarkRun -benchtime 2000x ./sandbox
func BenchmarkRun(b *testing.B) {
	skipIfEmulated(b)
	const prog = "/bin/true"
	b.Run("os-exec", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command(prog).Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range modes() {
		for _, level := range Isolations() {
			b.Run("sandbox-"+string(mode)+"-"+string(level), func(b *testing.B) {
				s, err := New(Options{Cgroup: mode, Isolation: level})
				if err != nil {
					b.Skipf("cgroup mode %s: %v", mode, err)
				}
				defer s.Close()
				b.ResetTimer()
				for b.Loop() {
					if r := s.Run(context.Background(), &Command{Path: prog}); r.Verdict != Accepted {
						b.Fatal(describe(r))
					}
				}
			})
		}
	}
}
