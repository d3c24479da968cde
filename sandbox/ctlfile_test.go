package sandbox

import (
	"bytes"
	"os"
	"testing"
)

// TestCtlFileReadsWhole reads /proc/kallsyms, a seq_file of many records
// over megabytes whose reads stop short of the buffer's end where the next
// record does not fit, through a ctlFile and through os.ReadFile.
func TestCtlFileReadsWhole(t *testing.T) {
	const path = "/proc/kallsyms"
	want, err := os.ReadFile(path)
	if err != nil {
		t.Skip(err)
	}
	got, err := readOnce(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) <= 8192 {
		t.Skipf("%s is %d bytes; the test needs more than two pages", path, len(want))
	}
	if !bytes.Equal(got, want) {
		t.Errorf("ctlFile read %d bytes of %s, os.ReadFile %d; want the same bytes", len(got), path, len(want))
	}
}
