package sandbox

import (
	"encoding"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

var (
	_ encoding.TextMarshaler   = Verdict(0)
	_ encoding.TextUnmarshaler = (*Verdict)(nil)
)

func TestVerdictString(t *testing.T) {
	tests := []struct {
		in   Verdict
		want string
	}{
		{Accepted, "ACCEPTED"},
		{WrongAnswer, "WRONG_ANSWER"},
		{CPUTimeLimitExceeded, "CPU_TIME_LIMIT_EXCEEDED"},
		{RealTimeLimitExceeded, "REAL_TIME_LIMIT_EXCEEDED"},
		{MemoryLimitExceeded, "MEMORY_LIMIT_EXCEEDED"},
		{OutputLimitExceeded, "OUTPUT_LIMIT_EXCEEDED"},
		{RuntimeError, "RUNTIME_ERROR"},
		{SystemError, "SYSTEM_ERROR"},
		{0, "Verdict(0)"},
		{9, "Verdict(9)"},
		{-1, "Verdict(-1)"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Verdict(%d).String() = %q; want %q", int(tt.in), got, tt.want)
		}
	}
}

func TestVerdicts(t *testing.T) {
	want := []Verdict{Accepted, WrongAnswer, CPUTimeLimitExceeded, RealTimeLimitExceeded,
		MemoryLimitExceeded, OutputLimitExceeded, RuntimeError, SystemError}
	if got := Verdicts(); !slices.Equal(got, want) {
		t.Errorf("Verdicts() = %v; want %v", got, want)
	}
	Verdicts()[0] = SystemError
	if got := Verdicts()[0]; got != Accepted {
		t.Errorf("Verdicts()[0] = %v after a caller changed an earlier result; want %v", got, Accepted)
	}
}

func TestParseVerdict(t *testing.T) {
	for _, v := range Verdicts() {
		got, err := ParseVerdict(v.String())
		if err != nil || got != v {
			t.Errorf("ParseVerdict(%q) = %v, %v; want %v, nil", v.String(), got, err, v)
		}
	}
	for _, s := range []string{"", "accepted", "AC", "Verdict(0)", "Verdict(9)", " ACCEPTED"} {
		got, err := ParseVerdict(s)
		if err == nil || !strings.Contains(err.Error(), "unknown verdict") {
			t.Errorf("ParseVerdict(%q) = %v, %v; want an unknown verdict error", s, got, err)
		}
	}
}

func TestVerdictJSON(t *testing.T) {
	type result struct {
		Verdict  Verdict `json:"verdict"`
		Expected Verdict `json:"expected_verdict,omitempty"`
	}
	b, err := json.Marshal(result{Verdict: MemoryLimitExceeded})
	if want := `{"verdict":"MEMORY_LIMIT_EXCEEDED"}`; err != nil || string(b) != want {
		t.Errorf("json.Marshal = %s, %v; want %s, nil", b, err, want)
	}
	for _, v := range Verdicts() {
		var got result
		in := `{"verdict":"` + v.String() + `"}`
		if err := json.Unmarshal([]byte(in), &got); err != nil || got.Verdict != v {
			t.Errorf("json.Unmarshal(%s) = %v, verdict %v; want nil, verdict %v", in, err, got.Verdict, v)
		}
	}
	var got result
	if err := json.Unmarshal([]byte(`{"verdict":"TIME_LIMIT_EXCEEDED"}`), &got); err == nil {
		t.Errorf("json.Unmarshal(TIME_LIMIT_EXCEEDED) = nil; want an error")
	}
	if b, err := json.Marshal(result{}); err != nil || string(b) != `{"verdict":""}` {
		t.Errorf("json.Marshal(zero verdict) = %s, %v; want the unknown verdict as \"\"", b, err)
	}
	if err := json.Unmarshal([]byte(`{"verdict":""}`), &got); err != nil || got.Verdict != 0 {
		t.Errorf("json.Unmarshal(\"\") = %v, verdict %v; want nil, 0", err, got.Verdict)
	}
	if b, err := json.Marshal(result{Verdict: 42}); err == nil {
		t.Errorf("json.Marshal(Verdict(42)) = %s, nil; want an error", b)
	}
}
