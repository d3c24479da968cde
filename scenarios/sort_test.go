package scenarios

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
)

// sortIn runs the sort workload in process on in.
func sortIn(ctx context.Context, in []byte) ([]byte, error) {
	var out bytes.Buffer
	err := sortInts(ctx, Env{Stdin: bytes.NewReader(in), Stdout: &out})
	return out.Bytes(), err
}

func TestSortCase(t *testing.T) {
	tests := []struct {
		n        int
		in, want string // "" for cases checked by round trip only
	}{
		{n: -1, in: "0\n\n", want: "\n"},
		{n: 0, in: "0\n\n", want: "\n"},
		{n: 1},
		{n: 2},
		{n: 1000},
		{n: 200000},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			in, want := SortCase(tt.n, 1)
			if tt.in != "" && (string(in) != tt.in || string(want) != tt.want) {
				t.Errorf("SortCase(%d, 1) = %q, %q; want %q, %q", tt.n, in, want, tt.in, tt.want)
			}
			if in2, _ := SortCase(tt.n, 1); !bytes.Equal(in, in2) {
				t.Errorf("SortCase(%d, 1) differs between calls", tt.n)
			}
			got, err := sortIn(t.Context(), in)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("sort(SortCase(%d, 1)) = %.40q..., %v; want %.40q..., nil", tt.n, got, err, want)
			}
		})
	}
}

func TestSortParse(t *testing.T) {
	tests := []struct {
		in, want string // want "" means an error
	}{
		{"3 9223372036854775807 -9223372036854775808 +0", "-9223372036854775808 0 9223372036854775807\n"},
		{" \t2\r\n\v-5\f-6 trailing junk", "-6 -5\n"},
		{"1 9223372036854775808", ""},
		{"1 -9223372036854775809", ""},
		{"1 99999999999999999999", ""},
		{"1 -", ""},
		{"1 - 5", ""},
		{"1 1x", ""},
		{"-1", ""},
		{"", ""},
		{"x", ""},
		{"1000000000000000000 1 2", ""},
	}
	for _, tt := range tests {
		got, err := sortIn(t.Context(), []byte(tt.in))
		if string(got) != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("sort(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzSort feeds random input to the sort workload: it must never panic, and
// either fail without output or print sorted integers.
func FuzzSort(f *testing.F) {
	for n := range 4 {
		in, _ := SortCase(n*3, int64(n))
		f.Add(in)
	}
	f.Add([]byte("2 -9223372036854775808 9223372036854775807"))
	f.Add([]byte("3 1 - 2"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := sortIn(context.Background(), in)
		if err != nil {
			if len(out) != 0 {
				t.Errorf("sort(%q) = %q, %v; want no output with an error", in, out, err)
			}
			return
		}
		if !bytes.HasSuffix(out, []byte("\n")) {
			t.Fatalf("sort(%q) = %q; want a final newline", in, out)
		}
		fields := strings.Fields(string(out))
		prev := int64(math.MinInt64)
		for _, f := range fields {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil || v < prev {
				t.Fatalf("sort(%q) = %q; want ascending integers", in, out)
			}
			prev = v
		}
		if want := strings.Join(fields, " ") + "\n"; string(out) != want {
			t.Errorf("sort(%q) = %q; want single spaces", in, out)
		}
	})
}

// FuzzSortCase checks that the sort workload solves every case SortCase makes.
func FuzzSortCase(f *testing.F) {
	f.Add(uint16(0), int64(0))
	f.Add(uint16(17), int64(-3))
	f.Fuzz(func(t *testing.T, n uint16, seed int64) {
		in, want := SortCase(int(n), seed)
		got, err := sortIn(context.Background(), in)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("sort(SortCase(%d, %d)) = %.40q..., %v; want %.40q...", n, seed, got, err, want)
		}
		if got := len(bytes.Fields(in)); got != int(n)+1 {
			t.Errorf("SortCase(%d, %d) input has %d fields; want %d", n, seed, got, int(n)+1)
		}
	})
}
