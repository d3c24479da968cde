package sandbox

import (
	"context"
	"os/exec"
	"testing"
)

// BenchmarkRun compares the per-run cost of the sandbox with a plain os/exec
// run of the same trivial program. The target: under 0.3ms more.
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
		b.Run("sandbox-"+string(mode), func(b *testing.B) {
			s := newSandbox(b, mode)
			b.ResetTimer()
			for b.Loop() {
				if r := s.Run(context.Background(), &Command{Path: prog}); r.Verdict != Accepted {
					b.Fatal(describe(r))
				}
			}
		})
	}
}
