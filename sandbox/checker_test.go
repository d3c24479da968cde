package sandbox

import (
	"encoding"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// Checker is a flag value (pflag.Value) and a text value.
var (
	_ interface {
		String() string
		Set(string) error
		Type() string
	} = (*Checker)(nil)
	_ encoding.TextMarshaler   = Checker{}
	_ encoding.TextUnmarshaler = (*Checker)(nil)
)

func TestCheckerString(t *testing.T) {
	tests := []struct {
		in   Checker
		want string
	}{
		{CheckLines, "lines"},
		{CheckExact, "exact"},
		{CheckTokens, "tokens"},
		{CheckFloat(1e-6), "float:1e-06"},
		{CheckFloat(0), "float:0"},
		{CheckFloat(math.Copysign(0, -1)), "float:0"},
		{CheckFloat(0.5), "float:0.5"},
		{CheckProgram("./chk"), "./chk"},
		{CheckProgram("/usr/local/bin/chk"), "/usr/local/bin/chk"},
		{Checker{Kind: 5}, `Checker{CheckerKind(5), 0, ""}`},
		{Checker{Kind: -1}, `Checker{CheckerKind(-1), 0, ""}`},
		{Checker{Kind: KindLines, Epsilon: 1}, `Checker{lines, 1, ""}`},
		{CheckFloat(-1), `Checker{float, -1, ""}`},
		{CheckFloat(math.NaN()), `Checker{float, NaN, ""}`},
		{CheckProgram("chk"), `Checker{program, 0, "chk"}`},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%#v.String() = %q; want %q", tt.in, got, tt.want)
		}
	}
	var zero Checker
	if zero != CheckLines {
		t.Errorf("zero Checker = %v; want %v", zero, CheckLines)
	}
}

func TestParseChecker(t *testing.T) {
	tests := []struct {
		in   string
		want Checker
	}{
		{"lines", CheckLines},
		{"exact", CheckExact},
		{"tokens", CheckTokens},
		{"float:1e-6", CheckFloat(1e-6)},
		{"float:0", CheckFloat(0)},
		{"float:-0", CheckFloat(0)},
		{"float:+0.25", CheckFloat(0.25)},
		{"float:1E3", CheckFloat(1000)},
		{"./chk", CheckProgram("./chk")},
		{"/usr/local/bin/chk", CheckProgram("/usr/local/bin/chk")},
		{"dir/lines", CheckProgram("dir/lines")},
		{"./float:1", CheckProgram("./float:1")},
	}
	for _, tt := range tests {
		got, err := ParseChecker(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseChecker(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
		}
	}
}

func TestParseCheckerErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `unknown checker "" (use lines, exact, tokens, float:EPS, or a checker program's path with a slash, such as ./chk)`},
		{"token", `unknown checker "token" (did you mean "tokens"? use lines, exact, tokens, float:EPS, or a checker program's path with a slash, such as ./token)`},
		{"Lines", `did you mean "lines"?`},
		{"EXACT", `did you mean "exact"?`},
		{"flaot:1e-6", `did you mean "float:1e-6"?`},
		{"floats", `did you mean "float:EPS"?`},
		{"chk", `unknown checker "chk" (use lines`},
		{"checker.exe", `such as ./checker.exe)`},
		{"Checker(3)", "unknown checker"},
		{"float", "checker float needs a tolerance: float:EPS, such as float:1e-6"},
		{"float:", `tolerance "" is not a number`},
		{"float:abc", `tolerance "abc" is not a number`},
		{"float:-1e-6", "tolerance -1e-06 is negative"},
		{"float:NaN", "tolerance NaN is not finite"},
		{"float:inf", "tolerance +Inf is not finite"},
		{"float:1e999", `is not a number`},
		{"lines:1", "checker lines takes no argument"},
		{"tokens:", "checker tokens takes no argument"},
		{"./a\x00b", "cannot hold a NUL byte"},
	}
	for _, tt := range tests {
		got, err := ParseChecker(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseChecker(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckerFlagAndJSON(t *testing.T) {
	var c Checker
	if err := c.Set("tokens"); err != nil || c != CheckTokens {
		t.Errorf("Set(%q) = %v, checker %v; want nil, %v", "tokens", err, c, CheckTokens)
	}
	if err := c.Set("words"); err == nil || c != CheckTokens {
		t.Errorf("Set(%q) = %v, checker %v; want an error and the checker unchanged", "words", err, c)
	}
	if got := c.Type(); got != "checker" {
		t.Errorf("Type() = %q; want %q", got, "checker")
	}
	type opts struct {
		Checker Checker `json:"checker"`
	}
	for _, c := range []Checker{CheckExact, CheckFloat(1e-9), CheckProgram("./chk")} {
		b, err := json.Marshal(opts{c})
		if want := `{"checker":"` + c.String() + `"}`; err != nil || string(b) != want {
			t.Errorf("json.Marshal(%v) = %s, %v; want %s, nil", c, b, err, want)
		}
		var got opts
		if err := json.Unmarshal(b, &got); err != nil || got.Checker != c {
			t.Errorf("json.Unmarshal(%s) = %v, checker %v; want nil, %v", b, err, got.Checker, c)
		}
	}
	var got opts
	if err := json.Unmarshal([]byte(`{"checker":"words"}`), &got); err == nil {
		t.Errorf("json.Unmarshal(words) = nil; want an error")
	}
	if b, err := json.Marshal(opts{Checker{Kind: 7}}); err == nil {
		t.Errorf("json.Marshal(Checker{Kind: 7}) = %s, nil; want an error", b)
	}
}

func TestCheckerKindString(t *testing.T) {
	tests := []struct {
		in   CheckerKind
		want string
	}{
		{KindLines, "lines"}, {KindExact, "exact"}, {KindTokens, "tokens"}, {KindFloat, "float"},
		{KindProgram, "program"}, {5, "CheckerKind(5)"}, {-1, "CheckerKind(-1)"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("CheckerKind(%d).String() = %q; want %q", int(tt.in), got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 3, 0},
		{"token", "tokens", 3, 1},
		{"flaot", "float", 3, 2},
		{"abc", "xyz", 3, 3},
		{"abcdefgh", "ab", 3, 3},
		{"kitten", "sitting", 9, 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d; want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func FuzzParseChecker(f *testing.F) {
	for _, s := range []string{"lines", "exact", "tokens", "float:1e-6", "float:0", "float:-0", "float:0x1p-3",
		"./chk", "/bin/true", "", "float", "float:nan", "tokenz", "lines:x", "a/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseChecker(s)
		if err != nil {
			if c != (Checker{}) {
				t.Errorf("ParseChecker(%q) = %v, %v; want the zero Checker with an error", s, c, err)
			}
			return
		}
		if !c.valid() {
			t.Errorf("ParseChecker(%q) = %#v, nil; not a valid checker", s, c)
		}
		again, err := ParseChecker(c.String())
		if err != nil || again != c {
			t.Errorf("ParseChecker(%q) = %v; ParseChecker(%q) = %v, %v; want the same", s, c, c.String(), again, err)
		}
		if strings.Contains(s, "/") != (c.Kind == KindProgram) {
			t.Errorf("ParseChecker(%q) = %v; want a program exactly when it has a slash", s, c)
		}
		if b, err := c.MarshalText(); err != nil || string(b) != c.String() {
			t.Errorf("%v.MarshalText() = %q, %v; want %q, nil", c, b, err, c.String())
		}
	})
}
