package sandbox

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

var allCheckers = []Checker{CheckLines, CheckExact, CheckTokens}

func TestCompare(t *testing.T) {
	tests := []struct {
		want, got            string
		lines, exact, tokens bool
	}{
		{"", "", true, true, true},
		{"1 2\n", "1 2\n", true, true, true},
		{"1 2\n", "1 3\n", false, false, false},
		{"1 2\n", "1 2", true, false, true},
		{"", "\n", true, false, true},
		{"\n", "", true, false, true},
		{"", "\n\n \t\r\n", true, false, true},
		{"", "x", false, false, false},
		{"x", "", false, false, false},
		// Trailing whitespace, CRLF, trailing blank lines.
		{"1 2\n", "1 2   \n", true, false, true},
		{"1 2\n", "1 2\t\v\f\n", true, false, true},
		{"1 2\n3\n", "1 2\r\n3\r\n", true, false, true},
		{"1 2\n", "1 2\n\n\n", true, false, true},
		{"1 2\n\n\n", "1 2", true, false, true},
		{"1 2\n", "1 2\n  \n\t\n", true, false, true},
		{"a \nb\n", "a\nb  \n", true, false, true},
		// Internal whitespace: only tokens ignores it.
		{"1 2\n", "1  2\n", false, false, true},
		{"1 2\n", "1\t2\n", false, false, true},
		{"1 2\n", "1\n2\n", false, false, true},
		{"a\nb\n", "a\n\nb\n", false, false, true},
		{"a\n\nb\n", "a\n  \nb\n", true, false, true}, // a blank line may hold spaces
		// Leading whitespace: only tokens ignores it.
		{"1 2\n", " 1 2\n", false, false, true},
		{"1\n2\n", "1\n 2\n", false, false, true},
		{"1\n", "\n1\n", false, false, true},
		// Tokens still separate.
		{"1 2", "12", false, false, false},
		{"12", "1 2", false, false, false},
		{"ab", "aB", false, false, false},
		// Whitespace that is not trailing must match exactly, even when long.
		{"a" + strings.Repeat(" ", 100000) + "b", "a" + strings.Repeat(" ", 100000) + "b", true, true, true},
		{"a" + strings.Repeat(" ", 100000) + "b", "a" + strings.Repeat(" ", 99999) + "b", false, false, true},
		{"a" + strings.Repeat("\n", 100000) + "b", "a" + strings.Repeat("\n", 100000) + "b\n", true, false, true},
		{"a" + strings.Repeat("\n", 100000) + "b", "a" + strings.Repeat("\n", 99999) + "b", false, false, true},
		// Only ASCII whitespace counts.
		{"a\n", "a\u00a0\n", false, false, false},
		{"a\n", "a\x00\n", false, false, false},
	}
	for _, tt := range tests {
		for _, c := range allCheckers {
			want := map[Checker]bool{CheckLines: tt.lines, CheckExact: tt.exact, CheckTokens: tt.tokens}[c]
			for _, r := range []struct {
				name string
				wrap func(io.Reader) io.Reader
			}{
				{"whole", func(r io.Reader) io.Reader { return r }},
				{"one byte", iotest.OneByteReader},
				{"half", iotest.HalfReader},
				{"data with EOF", iotest.DataErrReader},
			} {
				got, _, err := c.Compare(r.wrap(strings.NewReader(tt.want)), r.wrap(strings.NewReader(tt.got)))
				if err != nil || got != want {
					t.Errorf("%v.Compare(%q, %q) with %s reads = %v, %v; want %v, nil",
						c, shorten(tt.want), shorten(tt.got), r.name, got, err, want)
				}
			}
		}
	}
}

// shorten cuts s for a test message.
func shorten(s string) string {
	if len(s) > 40 {
		return s[:20] + "…" + s[len(s)-20:]
	}
	return s
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// repeatReader endlessly repeats its pattern.
type repeatReader struct {
	pattern []byte
	off     int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.pattern[r.off:])
		n += k
		r.off = (r.off + k) % len(r.pattern)
	}
	return n, nil
}

// repeated returns a reader of n bytes repeating pattern.
func repeated(pattern string, n int64) io.Reader {
	return io.LimitReader(&repeatReader{pattern: []byte(pattern)}, n)
}

func TestCompareDrainsOutput(t *testing.T) {
	const more = 10 << 20
	tests := []struct {
		name      string
		want, got string
	}{
		{"early mismatch", "1 2 3\n", "9"},
		{"expected ends first", "1", "1 2"},
		{"match then extra", "1 2 3\n", "1 2 3\nx"},
	}
	for _, tt := range tests {
		for _, c := range allCheckers {
			got := &countReader{r: io.MultiReader(strings.NewReader(tt.got), repeated("4 5 6\n", more))}
			ok, _, err := c.Compare(strings.NewReader(tt.want), got)
			if err != nil || ok {
				t.Errorf("%v.Compare(%s) = %v, %v; want false, nil", c, tt.name, ok, err)
			}
			if want := int64(len(tt.got) + more); got.n != want {
				t.Errorf("%v.Compare(%s) read %d bytes of output; want all %d", c, tt.name, got.n, want)
			}
		}
	}
}

func TestCompareDrainsOutputAfterExpectedFails(t *testing.T) {
	errBoom := errors.New("boom")
	got := &countReader{r: repeated("1\n", 1<<20)}
	ok, _, err := CheckLines.Compare(iotest.ErrReader(errBoom), got)
	if ok || !errors.Is(err, errBoom) {
		t.Errorf("Compare(failing expected output) = %v, %v; want false, %v", ok, err, errBoom)
	}
	if got.n != 1<<20 {
		t.Errorf("Compare(failing expected output) read %d bytes of output; want all %d", got.n, 1<<20)
	}
}

func TestCompareErrors(t *testing.T) {
	errBoom := errors.New("boom")
	failing := func(prefix string) io.Reader {
		return io.MultiReader(strings.NewReader(prefix), iotest.ErrReader(errBoom))
	}
	tests := []struct {
		name      string
		want, got func() io.Reader
		prefix    string
	}{
		{"expected fails", func() io.Reader { return iotest.ErrReader(errBoom) },
			func() io.Reader { return strings.NewReader("1\n") }, "checker: read expected output: "},
		{"expected fails later", func() io.Reader { return failing("1 2\n") },
			func() io.Reader { return strings.NewReader("1 2\n") }, "checker: read expected output: "},
		{"output fails", func() io.Reader { return strings.NewReader("1\n") },
			func() io.Reader { return iotest.ErrReader(errBoom) }, "checker: read output: "},
		{"output fails later", func() io.Reader { return strings.NewReader("1 2\n") },
			func() io.Reader { return failing("1 2\n") }, "checker: read output: "},
		{"output fails after a mismatch", func() io.Reader { return strings.NewReader("1 2\n") },
			func() io.Reader { return failing("3") }, "checker: read output: "},
	}
	for _, tt := range tests {
		for _, c := range allCheckers {
			ok, _, err := c.Compare(tt.want(), tt.got())
			if ok || !errors.Is(err, errBoom) || !strings.HasPrefix(err.Error(), tt.prefix) {
				t.Errorf("%v.Compare(%s) = %v, %v; want false, %q wrapping %v", c, tt.name, ok, err, tt.prefix, errBoom)
			}
		}
	}
}

// stuckReader returns neither bytes nor an error.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

func TestCompareStuckReader(t *testing.T) {
	for _, c := range allCheckers {
		ok, _, err := c.Compare(stuckReader{}, strings.NewReader("1"))
		if ok || !errors.Is(err, io.ErrNoProgress) {
			t.Errorf("%v.Compare(stuck reader, ...) = %v, %v; want false, %v", c, ok, err, io.ErrNoProgress)
		}
	}
}

func TestCompareUnknownChecker(t *testing.T) {
	got := &countReader{r: strings.NewReader("1\n")}
	ok, _, err := Checker{Kind: 9}.Compare(strings.NewReader("1\n"), got)
	if ok || err == nil {
		t.Errorf("Checker{Kind: 9}.Compare = %v, %v; want false, an error", ok, err)
	}
	if got.n != 2 {
		t.Errorf("Checker{Kind: 9}.Compare read %d bytes of output; want all 2", got.n)
	}
}

// TestCompareMemory checks that Compare streams: comparing two large outputs must not
// allocate anything near their size.
func TestCompareMemory(t *testing.T) {
	const lines = 1 << 19
	for _, c := range allCheckers {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ok, _, err := c.Compare(repeated("12 345 6789  \r\n", 15*lines), repeated("12 345 6789\n", 12*lines))
		runtime.ReadMemStats(&after)
		if want := c != CheckExact; ok != want || err != nil {
			t.Errorf("%v.Compare(7.5MiB) = %v, %v; want %v, nil", c, ok, err, want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("%v.Compare(7.5MiB) allocated %d bytes; want at most 1MiB", c, alloc)
		}
	}
}

func FuzzCompare(f *testing.F) {
	f.Add("1 2\n", "1 2\n")
	f.Add("1 2\n", "1 2  \r\n\n")
	f.Add("1 2", "1  2")
	f.Add("1 2", "12")
	f.Add("", "\n")
	f.Add(" a\n", "a\n")
	f.Add("a\n\n\nb", "a\n \n\t\nb ")
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, c := range allCheckers {
			if ok, _, err := c.Compare(strings.NewReader(a), strings.NewReader(a)); !ok || err != nil {
				t.Errorf("%v.Compare(%q, %q) = %v, %v; want true, nil", c, a, a, ok, err)
			}
		}
		result := map[Checker]bool{}
		for _, c := range allCheckers {
			ok, diff, err := c.Compare(strings.NewReader(a), strings.NewReader(b))
			if err != nil {
				t.Fatalf("%v.Compare(%q, %q) error %v", c, a, b, err)
			}
			if ok != (diff == "") || len(diff) > 400 {
				t.Errorf("%v.Compare(%q, %q) = %v, %q; want a short diff exactly when false", c, a, b, ok, diff)
			}
			result[c] = ok
			slow, slowDiff, err := c.Compare(iotest.HalfReader(strings.NewReader(a)), iotest.OneByteReader(strings.NewReader(b)))
			if slow != ok || slowDiff != diff || err != nil {
				t.Errorf("%v.Compare(%q, %q) with small reads = %v, %q, %v; want %v, %q, nil", c, a, b, slow, slowDiff, err, ok, diff)
			}
			swapped, _, err := c.Compare(strings.NewReader(b), strings.NewReader(a))
			if swapped != ok || err != nil {
				t.Errorf("%v.Compare(%q, %q) = %v, %v; want %v, nil (symmetric)", c, b, a, swapped, err, ok)
			}
		}
		if result[CheckExact] != (a == b) {
			t.Errorf("exact.Compare(%q, %q) = %v; want %v", a, b, result[CheckExact], a == b)
		}
		if result[CheckExact] && !result[CheckLines] {
			t.Errorf("Compare(%q, %q): exact matches but lines does not", a, b)
		}
		if result[CheckLines] && !result[CheckTokens] {
			t.Errorf("Compare(%q, %q): lines matches but tokens does not", a, b)
		}
		if want := refLines(a) == refLines(b); result[CheckLines] != want {
			t.Errorf("lines.Compare(%q, %q) = %v; want %v", a, b, result[CheckLines], want)
		}
		if want := slices.Equal(refTokens(a), refTokens(b)); result[CheckTokens] != want {
			t.Errorf("tokens.Compare(%q, %q) = %v; want %v", a, b, result[CheckTokens], want)
		}
	})
}

// refLines normalizes s as CheckLines does, the simple way.
func refLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r\v\f")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// refTokens splits s into tokens as CheckTokens does, the simple way.
func refTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" \t\n\v\f\r", r) })
}

func BenchmarkCompare(b *testing.B) {
	line := []byte("12 345 6789 0 1 2 3 4 5 6 7 8 9 10 11 12\n")
	out := bytes.Repeat(line, (10<<20)/len(line))
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		ok, _, err := CheckLines.Compare(bytes.NewReader(out), bytes.NewReader(out))
		if !ok || err != nil {
			b.Fatalf("Compare = %v, %v; want true, nil", ok, err)
		}
	}
}
