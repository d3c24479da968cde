package sandbox

import (
	"encoding"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// Size is a flag value (pflag.Value) and a text value.
var (
	_ interface {
		String() string
		Set(string) error
		Type() string
	} = (*Size)(nil)
	_ encoding.TextMarshaler   = Size(0)
	_ encoding.TextUnmarshaler = (*Size)(nil)
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size
	}{
		{"0", 0},
		{"4096", 4096},
		{"100B", 100},
		{"100b", 100},
		{"64K", 64 * KiB},
		{"64k", 64 * KiB},
		{"64KiB", 64 * KiB},
		{"64kib", 64 * KiB},
		{"64KIB", 64 * KiB},
		{"256M", 256 * MiB},
		{"256MiB", 256 * MiB},
		{"256mib", 256 * MiB},
		{"1G", GiB},
		{"1GiB", GiB},
		{"1.5GiB", 3 * GiB / 2},
		{"0.5K", 512},
		{"1.0009765625K", 1025}, // exactly 1025 bytes
		{"1.0009765624K", 1024}, // just below: rounded down
		{"1.9999999999B", 1},    // rounded down
		{"0.0000000001G", 0},    // below one byte
		{"007K", 7 * KiB},       // leading zeros are harmless
		{"8589934591G", 8589934591 * GiB},
		{"9223372036854775807", math.MaxInt64},
		{"9223372036854775807B", math.MaxInt64},
		{"8589934591.999999999068677425384521484375G", math.MaxInt64}, // exactly MaxInt64
		{"0.999999999068677425384521484375999999999G", GiB - 1},       // digits past 30 cannot round up
		{"0.99999999906867742538452148437499999999999999G", GiB - 2},  // nor down
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSizeErrors(t *testing.T) {
	tests := []struct {
		in, want string // want is a substring of the error
	}{
		{"", "empty"},
		{" 1K", "surrounding spaces"},
		{"1K ", "surrounding spaces"},
		{"1K\n", "surrounding spaces"},
		{"-1", "negative"},
		{"-1K", "negative"},
		{"+1K", "missing number"},
		{"K", "missing number"},
		{".5K", "missing number"},
		{"1.K", "missing digits after the decimal point"},
		{"1.2.3K", "more than one decimal point"},
		{"12X", `invalid size "12X": unknown unit "X" (use B, K/KiB, M/MiB, G/GiB)`},
		{"1MB", `unknown unit "MB" (use B, K/KiB, M/MiB, G/GiB)`},
		{"1kb", `unknown unit "kb"`},
		{"1T", `unknown unit "T"`},
		{"1 K", `unknown unit " K"`},
		{"1e3", `unknown unit "e3"`},
		{"9223372036854775808", "out of range"},
		{"9223372036854775808B", "out of range"},
		{"8589934592G", "out of range"},
		{"8589934592.0G", "out of range"},
		{"99999999999999999999999999K", "out of range"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSize(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.want)
		}
	}
}

func TestSizeString(t *testing.T) {
	tests := []struct {
		in   Size
		want string
	}{
		{0, "0B"},
		{1, "1B"},
		{1000, "1000B"},
		{1023, "1023B"},
		{KiB, "1KiB"},
		{1536 * KiB, "1536KiB"},
		{256 * MiB, "256MiB"},
		{GiB, "1GiB"},
		{3 * GiB / 2, "1536MiB"},
		{64 * GiB, "64GiB"},
		{math.MaxInt64, "9223372036854775807B"},
		{-KiB, "-1KiB"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Size(%d).String() = %q; want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestSizeRoundTrip(t *testing.T) {
	for _, s := range []Size{0, 1, 1000, KiB, KiB + 1, 1536 * KiB, 256 * MiB, GiB, GiB - 1, math.MaxInt64, math.MaxInt64 &^ (GiB - 1)} {
		got, err := ParseSize(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, nil", s.String(), got, err, s)
		}
	}
}

func TestSizeFlag(t *testing.T) {
	var s Size
	if err := s.Set("64MiB"); err != nil || s != 64*MiB {
		t.Errorf("Set(%q) = %v, size %d; want nil, size %d", "64MiB", err, s, 64*MiB)
	}
	if err := s.Set("64MB"); err == nil || s != 64*MiB {
		t.Errorf("Set(%q) = %v, size %d; want an error and the size unchanged", "64MB", err, s)
	}
	if got := s.Type(); got != "size" {
		t.Errorf("Type() = %q; want %q", got, "size")
	}
}

func TestSizeJSON(t *testing.T) {
	type limits struct {
		Memory Size `json:"memory"`
	}
	b, err := json.Marshal(limits{Memory: 256 * MiB})
	if want := `{"memory":"256MiB"}`; err != nil || string(b) != want {
		t.Errorf("json.Marshal = %s, %v; want %s, nil", b, err, want)
	}
	var got limits
	if err := json.Unmarshal([]byte(`{"memory":"1.5G"}`), &got); err != nil || got.Memory != 1536*MiB {
		t.Errorf("json.Unmarshal(1.5G) = %v, size %d; want nil, size %d", err, got.Memory, 1536*MiB)
	}
	if err := json.Unmarshal([]byte(`{"memory":"1GB"}`), &got); err == nil {
		t.Errorf("json.Unmarshal(1GB) = nil; want an error")
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "4096", "100B", "64K", "64KiB", "256M", "1GiB", "1.5GiB", "12X", "1MB",
		"-1", " 1K", ".5K", "1.K", "9223372036854775807", "9223372036854775808", "8589934591.99999999906G"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid size ") {
				t.Errorf("ParseSize(%q) error %q; want it to start with %q", s, err, "invalid size ")
			}
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d; want a non-negative size", s, n)
		}
		back, err := ParseSize(n.String())
		if err != nil || back != n {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, nil (from ParseSize(%q))", n.String(), back, err, n, s)
		}
	})
}
