package sandbox

import (
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

func TestCompareDiff(t *testing.T) {
	long := func(c string) string { return strings.Repeat("a", 100) + c + strings.Repeat("b", 100) }
	tests := []struct {
		c         Checker
		want, got string
		diff      string
	}{
		{CheckLines, "1 2\n3 4\n", "1 2\n3 4 \n", ""},
		{CheckLines, "1 2\n3 4\n", "1 2\n3 5\n", `line 2: expected "3 4", got "3 5"`},
		{CheckLines, "1\n2\n3\n", "1\n2\n", `output ends early at line 3: expected "3"`},
		{CheckLines, "1\n2\n", "1\n2\n3\n", `extra output at line 3: got "3"`},
		{CheckLines, "", "x", `extra output at line 1: got "x"`},
		{CheckLines, "x", "", `output ends early at line 1: expected "x"`},
		{CheckLines, "1\n23\n", "1\n2\n", `line 2: expected "23", got "2"`},
		{CheckLines, "a\tb\n", "a b\n", `line 1: expected "a\tb", got "a b"`},
		{CheckLines, long("X"), long("Y"),
			`line 1: expected …"aaaaaaaaaaaaaaaaaaaaXbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"…, got …"aaaaaaaaaaaaaaaaaaaaYbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"…`},
		{CheckLines, "ab" + strings.Repeat("c", 100), "ax",
			`line 1: expected "ab` + strings.Repeat("c", 58) + `"…, got "ax"`},
		{CheckLines, strings.Repeat("x\n", 1000) + "y\n", strings.Repeat("x\n", 1000) + "z\n", `line 1001: expected "y", got "z"`},
		{CheckExact, "1\n", "1", "line 1: expected a newline at the end, got none"},
		{CheckExact, "1", "1\n", "line 1: expected no newline at the end, got one"},
		{CheckExact, "1\n", "1\n\n", `extra output at line 2: got ""`},
		{CheckExact, "1\n", "1\r\n", `line 1: expected "1", got "1\r"`},
		{CheckExact, "ab\ncd", "abc\nd", `line 1: expected "ab", got "abc"`},
		{CheckTokens, "1 2 3", "1\n2\n3\n", ""},
		{CheckTokens, "1 2 3", "1 2", `output ends early at token 3: expected "3"`},
		{CheckTokens, "1 2", "1 2 3", `extra output at token 3: got "3"`},
		{CheckTokens, "1 2 3", "1 2 4", `token 3: expected "3", got "4"`},
		{CheckTokens, "1 2 3", "1 2 3x", `token 3: expected "3", got "3x"`},
		{CheckTokens, "1 22", "1 2", `token 2: expected "22", got "2"`},
		{CheckFloat(1e-6), "1.0 2.0 3.0", "1 2.0000001 3.1", `token 3: expected "3.0", got "3.1" (difference 0.1)`},
		{CheckFloat(1e-6), "1.0 2", "1", `output ends early at token 2: expected "2"`},
		{CheckFloat(1e-6), "1.0", "1 2", `extra output at token 2: got "2"`},
		{CheckFloat(1e-6), "nan", "NaN", `token 1: expected "nan", got "NaN"`},
		{CheckFloat(1e-6), "1.0", "abc", `token 1: expected "1.0", got "abc"`},
		{CheckFloat(1e-6), "1.0 x", "1 y", `token 2: expected "x", got "y"`},
		{CheckFloat(0), "0.5 1e3", "5e-1 1000.000", ""},
		{CheckFloat(0), "1", "1.0000001", `token 1: expected "1", got "1.0000001" (difference 1e-07)`},
	}
	for _, tt := range tests {
		for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader} {
			ok, diff, err := tt.c.Compare(wrap(strings.NewReader(tt.want)), wrap(strings.NewReader(tt.got)))
			if err != nil || ok != (tt.diff == "") || diff != tt.diff {
				t.Errorf("%v.Compare(%q, %q) = %v, %q, %v; want %v, %q, nil",
					tt.c, shorten(tt.want), shorten(tt.got), ok, diff, err, tt.diff == "", tt.diff)
			}
		}
	}
}

// TestCompareDiffMemory: a difference in a line of hundreds of megabytes keeps only
// a few bytes of it, on either side.
func TestCompareDiffMemory(t *testing.T) {
	const n = 16 << 20
	for _, c := range []Checker{CheckLines, CheckExact, CheckTokens, CheckFloat(1e-6)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		want := io.MultiReader(strings.NewReader("1 x"), repeated("y", n))
		got := io.MultiReader(strings.NewReader("1 z"), repeated("y", n))
		ok, diff, err := c.Compare(want, got)
		runtime.ReadMemStats(&after)
		if ok || err != nil || !strings.HasSuffix(diff, `"…`) {
			t.Errorf("%v.Compare(16MiB lines that differ) = %v, %q, %v; want false, a cut diff, nil", c, ok, diff, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("%v.Compare(16MiB lines that differ) allocated %d bytes; want at most 1MiB", c, alloc)
		}
	}
}

func TestCompareProgram(t *testing.T) {
	got := &countReader{r: strings.NewReader("1\n")}
	ok, _, err := CheckProgram("./chk").Compare(strings.NewReader("1\n"), got)
	if ok || err != errCompareProgram || got.n != 2 {
		t.Errorf("CheckProgram.Compare = %v, %v after reading %d bytes; want false, %v after all 2", ok, err, got.n, errCompareProgram)
	}
}
