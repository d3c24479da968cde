package sandbox

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"0s", 0},
		{"-0s", 0},
		{"500ms", 500 * time.Millisecond},
		{"2s", 2 * time.Second},
		{"1.5s", 1500 * time.Millisecond},
		{"1m30s", 90 * time.Second},
		{"250us", 250 * time.Microsecond},
		{"1h", time.Hour},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		in, want string // want is a substring of the error
	}{
		{"", `invalid duration "": empty`},
		{"5", `invalid duration "5": missing unit (e.g. 500ms, 2s)`},
		{"1.5", "missing unit"},
		{"00", "missing unit"},
		{"-1", "missing unit"},
		{"-1s", `invalid duration "-1s": negative`},
		{"-1ns", "negative"},
		{"1x", `unknown unit "x"`},
		{" 1s", `invalid duration " 1s"`},
		{"1s ", `invalid duration "1s "`},
		{"s", "not a Go duration"},
		{"99999999999h", "not a Go duration"},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseDuration(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"0", "500ms", "2s", "1m30s", "1.5h", "5", "-1s", "1x", "", "-0", "9223372036854775807ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid duration ") {
				t.Errorf("ParseDuration(%q) error %q; want it to start with %q", s, err, "invalid duration ")
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v; want a non-negative duration", s, d)
		}
		back, err := ParseDuration(d.String())
		if err != nil || back != d {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, nil (from ParseDuration(%q))", d.String(), back, err, d, s)
		}
	})
}
