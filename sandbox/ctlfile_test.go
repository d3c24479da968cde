package sandbox

import (
	"bytes"
	"os"
	"testing"
)

// TestCtlFileReadsWhole reads /proc/kallsyms, a seq_file of many records
// over megabytes whose reads stop short of the buffer's end where the next
// record does not fit, through a ctlFile and through os.ReadFile. The file
// changes when the kernel loads a module or a BPF program: a read between
// two that differ is tried again.
func TestCtlFileReadsWhole(t *testing.T) {
	const path = "/proc/kallsyms"
	for try := 0; try < 5; try++ {
		before, err := os.ReadFile(path)
		if err != nil {
			t.Skip(err)
		}
		if len(before) <= 8192 {
			t.Skipf("%s is %d bytes; the test needs more than two pages", path, len(before))
		}
		got, err := readOnce(path)
		if err != nil {
			t.Fatal(err)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			continue
		}
		if !bytes.Equal(got, before) {
			t.Errorf("readOnce(%s) = %d bytes; want the %d of os.ReadFile", path, len(got), len(before))
		}
		return
	}
	t.Skipf("%s changed under every one of 5 tries", path)
}

// TestReadUntil: a read that finds what it needs stops at the end of that
// read (its first page of /proc/kallsyms), and what it read is the file's
// start; one that never does reads the whole.
func TestReadUntil(t *testing.T) {
	const path = "/proc/kallsyms"
	whole, err := os.ReadFile(path)
	if err != nil || len(whole) <= 8192 {
		t.Skipf("%s: %d bytes, %v; the test needs more than two pages", path, len(whole), err)
	}
	head, err := readOnceUntil(path, func(data []byte) bool { return bytes.IndexByte(data, '\n') >= 0 })
	if err != nil {
		t.Fatal(err)
	}
	if len(head) == 0 || len(head) > 4096 || !bytes.HasPrefix(whole, head[:bytes.IndexByte(head, '\n')+1]) {
		t.Errorf("readOnceUntil(a newline) = %d bytes; want the first read of the file, a page at most", len(head))
	}
	all, err := readOnceUntil(path, func([]byte) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if len(all) <= 4096 {
		t.Errorf("readOnceUntil(never) = %d bytes; want the whole file (%d when read before)", len(all), len(whole))
	}
}

// TestHasKeyLine: a key's line counts only whole and only as a whole key.
func TestHasKeyLine(t *testing.T) {
	for _, c := range []struct {
		data, key string
		want      bool
	}{
		{"a 1\nb 2\n", "b", true},
		{"a 1\nb 2\n", "a", true},
		{"a 1\nb 2", "b", false}, // the rest of its line not read yet
		{"ab 1\n", "a", false},
		{"a\n", "a", false},
		{"xa 1\n", "a", false},
		{"", "a", false},
		{"oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill", true},
	} {
		if got := hasKeyLine([]byte(c.data), c.key); got != c.want {
			t.Errorf("hasKeyLine(%q, %q) = %v; want %v", c.data, c.key, got, c.want)
		}
	}
}
