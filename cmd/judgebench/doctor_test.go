package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/judgebench/judgebench/results"
)

// doctorChecks are the checks `judgebench doctor` reports, in order.
var doctorChecks = []string{"governor", "boost", "smt", "cpu-classes", "numa", "cpuset", "isolated", "swap", "thp", "aslr", "cgroup", "cpu-quota", "load", "gomaxprocs", "virtualization"}

func TestDoctor(t *testing.T) {
	r := runCLI(t, "doctor")
	if r.code != 0 {
		t.Fatalf("judgebench doctor = %d, stderr %q; want 0", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != len(doctorChecks)+1 {
		t.Fatalf("judgebench doctor printed %d lines:\n%s\nwant %d", len(lines), r.stdout, len(doctorChecks)+1)
	}
	for i, check := range doctorChecks {
		f := strings.Fields(lines[i])
		if len(f) < 3 || !slices.Contains([]string{"ok", "warn", "unknown"}, f[0]) || f[1] != check {
			t.Errorf("judgebench doctor line %d = %q; want STATUS %s VALUE: WHY", i+1, lines[i], check)
		}
	}
	if last := lines[len(lines)-1]; !regexp.MustCompile(`^\d+ warnings?$`).MatchString(last) {
		t.Errorf("judgebench doctor last line = %q; want \"N warnings\"", last)
	}
}

func TestDoctorJSON(t *testing.T) {
	r := runCLI(t, "doctor", "--json")
	if r.code != 0 {
		t.Fatalf("judgebench doctor --json = %d, stderr %q; want 0", r.code, r.stderr)
	}
	var fs []results.Finding
	if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil {
		t.Fatalf("judgebench doctor --json: %v in %q", err, r.stdout)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Check)
		if f.Why == "" || (f.Status == "warn") != (f.Fix != "") {
			t.Errorf("judgebench doctor --json has %+v; want a why, and a fix for warn only", f)
		}
	}
	if !slices.Equal(got, doctorChecks) {
		t.Errorf("judgebench doctor --json checks = %q; want %q", got, doctorChecks)
	}
}

func TestDoctorUsage(t *testing.T) {
	for _, args := range [][]string{{"doctor", "extra-arg"}, {"doctor", "--bogus"}, {"doctor", "--json=maybe"}} {
		r := runCLI(t, args...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("judgebench %q = %d, stdout %q; want 2 and nothing", args, r.code, r.stdout)
		}
		checkOneLineError(t, args, r)
	}
	if r := runCLI(t, "doctor", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--json") {
		t.Errorf("judgebench doctor --help = %d, stdout %q; want 0 and the flags", r.code, r.stdout)
	}
}
