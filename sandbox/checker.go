package sandbox

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CheckerKind is the kind of comparison a [Checker] makes.
type CheckerKind int

// The checker kinds. [CheckerKind.String] gives their names.
const (
	// KindLines ignores trailing whitespace (space, \t, \r, \v, \f) at the end of each
	// line, and trailing empty lines at the end of the output; everything else must match
	// exactly. A missing final newline and CRLF line ends therefore do not matter.
	KindLines CheckerKind = iota
	// KindExact requires the output to match byte for byte.
	KindExact
	// KindTokens requires the whitespace-separated tokens to match: any run of
	// whitespace (space, \t, \n, \v, \f, \r) equals any other, and leading and
	// trailing whitespace is ignored.
	KindTokens
	// KindFloat compares tokens as KindTokens does, except that two tokens that are
	// both finite decimal numbers match when they differ by at most Checker.Epsilon,
	// absolutely or relatively to the expected one.
	KindFloat
	// KindProgram runs a checker program in the testlib convention.
	KindProgram
)

var kindNames = [...]string{
	KindLines:   "lines",
	KindExact:   "exact",
	KindTokens:  "tokens",
	KindFloat:   "float",
	KindProgram: "program",
}

// String returns the name of k ("lines", ..., "program"), or "CheckerKind(N)" for a
// value that is not a kind.
func (k CheckerKind) String() string {
	if k < KindLines || k > KindProgram {
		return "CheckerKind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// Checker says how a program's output is judged against the expected output.
//
// The zero value is [CheckLines]. Checkers are comparable with ==. Their text form,
// used by the --checker flag and JSON, is one of "lines", "exact", "tokens",
// "float:EPS" (such as "float:1e-6") or a checker program's path, which always
// contains a slash (such as "./chk"); see [ParseChecker].
type Checker struct {
	// Kind is what the checker does; the zero value is KindLines.
	Kind CheckerKind
	// Epsilon is the tolerance of KindFloat: finite and >= 0. Zero for other kinds.
	Epsilon float64
	// Program is the checker program of KindProgram, a path containing a slash. It is
	// run as `Program input output answer` with three file paths: the case's input,
	// the program's output and the expected answer. Exit status 0 accepts, 1 (wrong
	// answer) or 2 (presentation error) rejects, and anything else means the checker
	// failed (testlib's 3): a SYSTEM_ERROR. Empty for other kinds.
	Program string
}

// The built-in checkers without parameters, one per kind; see [CheckerKind].
var (
	CheckLines  = Checker{Kind: KindLines}
	CheckExact  = Checker{Kind: KindExact}
	CheckTokens = Checker{Kind: KindTokens}
)

// CheckFloat returns the checker of floating-point tokens with tolerance eps
// (see [KindFloat]). It is valid when eps is finite and >= 0.
func CheckFloat(eps float64) Checker {
	if eps == 0 {
		eps = 0 // not -0, so that String round-trips to an equal Checker
	}
	return Checker{Kind: KindFloat, Epsilon: eps}
}

// CheckProgram returns the checker that runs the checker program at path (see
// [Checker.Program]). It is valid when path contains a slash.
func CheckProgram(path string) Checker {
	return Checker{Kind: KindProgram, Program: path}
}

// valid reports whether c is a checker that String and ParseChecker round-trip.
func (c Checker) valid() bool {
	switch c.Kind {
	case KindLines, KindExact, KindTokens:
		return c.Epsilon == 0 && c.Program == ""
	case KindFloat:
		return validEpsilon(c.Epsilon) == nil && !math.Signbit(c.Epsilon) && c.Program == ""
	case KindProgram:
		return c.Epsilon == 0 && validProgram(c.Program) == nil
	}
	return false
}

// String returns the text form of c, which [ParseChecker] reads back, or a Go-like
// description for a value that is not a valid checker.
func (c Checker) String() string {
	switch {
	case !c.valid():
		return fmt.Sprintf("Checker{%v, %v, %q}", c.Kind, c.Epsilon, c.Program)
	case c.Kind == KindFloat:
		return "float:" + strconv.FormatFloat(c.Epsilon, 'g', -1, 64)
	case c.Kind == KindProgram:
		return c.Program
	}
	return kindNames[c.Kind]
}

// ParseChecker returns the checker s names: "lines", "exact", "tokens", "float:EPS"
// (EPS a finite number >= 0, such as 1e-6), or a checker program's path, which is any
// s containing a slash ("./chk", "/usr/local/bin/chk"). An unknown name is an error
// that suggests the closest checker.
func ParseChecker(s string) (Checker, error) {
	if strings.Contains(s, "/") {
		if err := validProgram(s); err != nil {
			return Checker{}, err
		}
		return CheckProgram(s), nil
	}
	name, arg, hasArg := strings.Cut(s, ":")
	switch {
	case name == "float" && !hasArg:
		return Checker{}, fmt.Errorf("checker float needs a tolerance: float:EPS, such as float:1e-6")
	case name == "float":
		return parseFloatChecker(arg)
	}
	for k, n := range kindNames[:KindFloat] {
		if n == name && !hasArg {
			return Checker{Kind: CheckerKind(k)}, nil
		}
		if n == name {
			return Checker{}, fmt.Errorf("checker %s takes no argument (use %s)", n, n)
		}
	}
	return Checker{}, unknownChecker(s)
}

// parseFloatChecker parses the EPS of "float:EPS".
func parseFloatChecker(arg string) (Checker, error) {
	eps, err := strconv.ParseFloat(arg, 64)
	if err != nil {
		return Checker{}, fmt.Errorf("checker float:%s: tolerance %q is not a number", arg, arg)
	}
	if err := validEpsilon(eps); err != nil {
		return Checker{}, fmt.Errorf("checker float:%s: %w", arg, err)
	}
	return CheckFloat(eps), nil
}

func validEpsilon(eps float64) error {
	switch {
	case math.IsNaN(eps) || math.IsInf(eps, 0):
		return fmt.Errorf("tolerance %v is not finite", eps)
	case eps < 0:
		return fmt.Errorf("tolerance %v is negative", eps)
	}
	return nil
}

func validProgram(path string) error {
	switch {
	case !strings.Contains(path, "/"):
		return fmt.Errorf("checker program %q: a path needs a slash (such as ./%s)", path, path)
	case strings.ContainsRune(path, 0):
		return fmt.Errorf("checker program %q: a path cannot hold a NUL byte", path)
	}
	return nil
}

// unknownChecker is the error for s, which names no checker: it suggests the closest
// built-in one and lists the forms a checker takes.
func unknownChecker(s string) error {
	name, arg, hasArg := strings.Cut(s, ":")
	hint := ""
	if best := closestName(strings.ToLower(name), kindNames[:KindProgram]); best != "" {
		switch {
		case best == "float" && hasArg:
			best += ":" + arg
		case best == "float":
			best += ":EPS"
		}
		hint = fmt.Sprintf("did you mean %q? ", best)
	}
	prog := "./chk"
	if s != "" && !hasArg {
		prog = "./" + s
	}
	return fmt.Errorf("unknown checker %q (%suse lines, exact, tokens, float:EPS, or a checker program's path with a slash, such as %s)",
		s, hint, prog)
}

// closestName returns the name of list at most two edits away from s (the closest,
// the first of equals), or "".
func closestName(s string, list []string) string {
	best, dist := "", 3
	for _, name := range list {
		if d := editDistance(s, name, dist); d < dist {
			best, dist = name, d
		}
	}
	return best
}

// editDistance returns the Levenshtein distance in bytes between a and b, or limit
// when it is at least limit (so that a long a costs no more than its length).
func editDistance(a, b string, limit int) int {
	if len(a)-len(b) >= limit || len(b)-len(a) >= limit {
		return limit
	}
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

// Set parses v with [ParseChecker] into c; on error c is unchanged. With String and
// Type it makes *Checker a flag value (pflag.Value).
func (c *Checker) Set(v string) error {
	p, err := ParseChecker(v)
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// Type returns "checker", the name flag usage messages give to a [Checker] argument.
func (c Checker) Type() string { return "checker" }

// MarshalText encodes c in its text form (see [Checker.String]). It fails for a value
// that is not a valid checker.
func (c Checker) MarshalText() ([]byte, error) {
	if !c.valid() {
		return nil, fmt.Errorf("marshal checker: invalid value %v", c)
	}
	return []byte(c.String()), nil
}

// UnmarshalText decodes a text form with [ParseChecker].
func (c *Checker) UnmarshalText(text []byte) error { return c.Set(string(text)) }
