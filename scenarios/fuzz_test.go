package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, that every error is one
// line naming the file, and that a scenario it accepts expands or fails
// cleanly.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("builtin", "*.yaml"))
	more, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, file := range append(files, more...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "~", "- a", "name: [a\n", "a: &a [*a]\n", "name: s\n\tx: 1\n", "cases: [{name: a, count: 9}]\nworkload: burn\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "scenarios: f.yaml") || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("Parse(%q) error %q; want one line starting \"scenarios: f.yaml\"", data, msg)
			}
			return
		}
		if s.Generate != nil {
			return // generating big sort cases is slow, not interesting here
		}
		if _, err := s.Expand(); err != nil {
			t.Fatalf("Parse(%q) accepted a scenario that does not expand: %v", data, err)
		}
	})
}

// FuzzParseBurn checks that no output makes ParseBurn panic, that its error
// is one line, and that what it accepts prints back as it was read.
func FuzzParseBurn(f *testing.F) {
	for _, s := range []string{"thread_cpu_ns=1 process_cpu_ns=2 run_delay_ns=3\n", "", "thread_cpu_ns=-1", "thread_cpu_ns=1 process_cpu_ns=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		c, err := ParseBurn(out)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("ParseBurn(%q) error %q; want one line", out, err)
			}
			return
		}
		again, err := ParseBurn(fmt.Sprintf(burnLine, c.Thread.Nanoseconds(), c.Process.Nanoseconds(), c.Delay.Nanoseconds()))
		if err != nil || again != c {
			t.Fatalf("ParseBurn(%q) = %+v, which prints back as %+v, %v", out, c, again, err)
		}
	})
}
