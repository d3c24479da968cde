package results

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// heap returns the live heap after a collection, and the bytes allocated so far.
func heap() (live, total uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.TotalAlloc
}

// TestWriterMemory shows that a Writer streams: what it keeps per sample is a
// few numbers, and Finish copies the samples without loading them.
func TestWriterMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 10,000 samples")
	}
	const n = 10_000
	const limit = 4 << 20
	w, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	before, _ := heap()
	s := smp(poolExact, "", 1, 1)
	s.Error = strings.Repeat("x", 1000) // about 1.5 kB per sample in the file
	for i := range n {
		s.Case, s.Seq, s.CPUTimeMS = fmt.Sprint(i%100), i, float64(i)
		if err := w.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	added, total0 := heap()
	path, err := w.Finish(testRun(), nil)
	if err != nil {
		t.Fatal(err)
	}
	after, total1 := heap()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d samples, run.json %d kB: live heap %+d kB after Add, %+d kB after Finish; Finish allocated %d kB",
		n, fi.Size()>>10, (int64(added)-int64(before))>>10, (int64(after)-int64(before))>>10, (total1-total0)>>10)
	if grew := int64(added) - int64(before); grew > limit {
		t.Errorf("live heap after %d Adds grew %d kB; want under %d kB", n, grew>>10, limit>>10)
	}
	if grew := int64(after) - int64(before); grew > limit {
		t.Errorf("live heap after Finish grew %d kB; want under %d kB", grew>>10, limit>>10)
	}
	if alloc := total1 - total0; alloc > uint64(fi.Size())/2 {
		t.Errorf("Finish allocated %d kB for a run.json of %d kB; want it streamed", alloc>>10, fi.Size()>>10)
	}
}

func BenchmarkWriterAdd(b *testing.B) {
	w, err := Create(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Abort() })
	s := testSamples()[1]
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Add(s); err != nil {
			b.Fatal(err)
		}
	}
}
