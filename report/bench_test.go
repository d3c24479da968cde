package report

import (
	"testing"
	"time"
)

// BenchmarkWrite writes the whole report of a run of 100,000 samples in 12
// groups. The target is under 5 s per Write.
func BenchmarkWrite(b *testing.B) {
	in := []Input{{Name: "big", Run: synthRun(100_000, 3, benchGroups...)}}
	dir := b.TempDir()
	start := time.Now()
	for b.Loop() {
		if _, err := Write(dir, in, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/write")
}
