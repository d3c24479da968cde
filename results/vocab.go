package results

import (
	"fmt"
	"slices"
	"strings"
)

// Model is how cases are scheduled.
type Model string

// The scheduling models. The pitfall variants do what their pitfall does, on
// purpose: they lose errors, and the groups count how many.
const (
	Serial     Model = "serial"          // one case at a time: the reference
	Pool       Model = "pool"            // N goroutine workers, each running sandboxed children
	Process    Model = "process"         // one judgebench worker process per case, the case sent as JSON
	InProc     Model = "inproc"          // the built-in workload's Go code in a goroutine of the harness
	FireForget Model = "pool-fireforget" // a failed case's result is dropped
	FirstErr   Model = "pool-firsterr"   // only the first error survives, as with errgroup's Wait
	ExitBlind  Model = "pool-exitblind"  // exit status and signal ignored: only the output is compared
)

// Models returns every model, correct ones first.
func Models() []Model {
	return []Model{Serial, Pool, Process, InProc, FireForget, FirstErr, ExitBlind}
}

// ParseModel returns the model named s, such as "serial".
func ParseModel(s string) (Model, error) { return parse("model", s, Models()) }

// String returns the name of m.
func (m Model) String() string { return string(m) }

// Valid reports whether m is one of the models; "" is not.
func (m Model) Valid() bool { return valid(m, Models()) }

// Correct reports whether m is a correct model, one that loses nothing:
// serial, pool, process or inproc. The others are pitfall variants.
func (m Model) Correct() bool { return valid(m, Models()[:4]) }

// MarshalText returns the name of m.
func (m Model) MarshalText() ([]byte, error) { return []byte(m), nil }

// UnmarshalText sets m to the model named by text, or "" for empty text.
func (m *Model) UnmarshalText(text []byte) error { return unmarshal(m, "model", text, Models()) }

// Measure is how a case's CPU time and memory are taken: the sandbox's own
// figures, or a common mistake, to show what it gets wrong.
type Measure string

// The measure modes.
const (
	Exact          Measure = "exact"           // the sandbox's own figures
	RusageChildren Measure = "rusage-children" // CPU as a delta of getrusage(RUSAGE_CHILDREN) around the case
	RUMaxRSS       Measure = "ru-maxrss"       // memory as the raw ru_maxrss of the child
)

// Measures returns every measure mode, exact first.
func Measures() []Measure { return []Measure{Exact, RusageChildren, RUMaxRSS} }

// ParseMeasure returns the measure mode named s, such as "exact".
func ParseMeasure(s string) (Measure, error) { return parse("measure mode", s, Measures()) }

// String returns the name of m.
func (m Measure) String() string { return string(m) }

// Valid reports whether m is one of the measure modes; "" is not.
func (m Measure) Valid() bool { return valid(m, Measures()) }

// MarshalText returns the name of m.
func (m Measure) MarshalText() ([]byte, error) { return []byte(m), nil }

// UnmarshalText sets m to the measure mode named by text, or "" for empty text.
func (m *Measure) UnmarshalText(text []byte) error {
	return unmarshal(m, "measure mode", text, Measures())
}

// Pin says whether each worker slot is pinned to a CPU of its own.
type Pin string

// The pinning settings.
const (
	PinOff  Pin = "off"  // no slot is pinned
	PinOn   Pin = "on"   // every slot is pinned
	PinBoth Pin = "both" // every setting runs unpinned, then pinned
)

// Pins returns every pinning setting.
func Pins() []Pin { return []Pin{PinOff, PinOn, PinBoth} }

// ParsePin returns the pinning setting named s: off, on or both.
func ParsePin(s string) (Pin, error) { return parse("pin setting", s, Pins()) }

// String returns the name of p.
func (p Pin) String() string { return string(p) }

// Valid reports whether p is one of the settings; "" is not.
func (p Pin) Valid() bool { return valid(p, Pins()) }

// Pinned returns the pinnings p runs: [false], [true] or [false true]; ""
// is off.
func (p Pin) Pinned() []bool {
	switch p {
	case PinOn:
		return []bool{true}
	case PinBoth:
		return []bool{false, true}
	}
	return []bool{false}
}

// PinOf is the setting that runs the pinnings of pinned, the inverse of
// [Pin.Pinned]: off unless pinned holds true.
func PinOf(pinned []bool) Pin {
	switch {
	case slices.Contains(pinned, true) && slices.Contains(pinned, false):
		return PinBoth
	case slices.Contains(pinned, true):
		return PinOn
	}
	return PinOff
}

// MarshalText returns the name of p.
func (p Pin) MarshalText() ([]byte, error) { return []byte(p), nil }

// UnmarshalText sets p to the setting named by text, or "" for empty text.
func (p *Pin) UnmarshalText(text []byte) error { return unmarshal(p, "pin setting", text, Pins()) }

// Isolation is how far a judged program was kept from the harness and the
// host: the sandbox's isolation level, by name.
type Isolation string

// The isolation levels, weakest first.
const (
	IsolationNone    Isolation = "none"    // the harness's uid, environment and directory
	IsolationProcess Isolation = "process" // a uid of its own, no_new_privs, a fresh directory
	// IsolationNamespaces is process in a box of namespaces, with a seccomp filter.
	IsolationNamespaces Isolation = "namespaces"
	// IsolationJudge is another judge's own isolation: the executor was not
	// the sandbox.
	IsolationJudge Isolation = "judge"
)

// Isolations returns every isolation level, weakest first, and then the
// judge's own.
func Isolations() []Isolation {
	return []Isolation{IsolationNone, IsolationProcess, IsolationNamespaces, IsolationJudge}
}

// ParseIsolation returns the isolation level named s.
func ParseIsolation(s string) (Isolation, error) { return parse("isolation", s, Isolations()) }

// String returns the name of i.
func (i Isolation) String() string { return string(i) }

// Valid reports whether i is one of the levels; "" is not.
func (i Isolation) Valid() bool { return valid(i, Isolations()) }

// MarshalText returns the name of i.
func (i Isolation) MarshalText() ([]byte, error) { return []byte(i), nil }

// UnmarshalText sets i to the level named by text, or "" for empty text.
func (i *Isolation) UnmarshalText(text []byte) error {
	return unmarshal(i, "isolation", text, Isolations())
}

// UnknownError is the error for a name that is not one of its kind's.
type UnknownError struct {
	Kind  string   // what was named: "model", "verdict", ...
	Name  string   // the name given
	Valid []string // the names there are
}

func (e *UnknownError) Error() string {
	hint := ""
	if s := Closest(e.Name, e.Valid); s != "" {
		hint = fmt.Sprintf("did you mean %q? ", s)
	}
	return fmt.Sprintf("unknown %s %q (%suse %s)", e.Kind, e.Name, hint, strings.Join(e.Valid, ", "))
}

// unknown returns the UnknownError of name, of kind, whose valid values are
// list.
func unknown[T ~string](kind string, name T, list []T) error {
	e := &UnknownError{Kind: kind, Name: string(name)}
	for _, v := range list {
		e.Valid = append(e.Valid, string(v))
	}
	return e
}

func parse[T ~string](kind, s string, list []T) (T, error) {
	if !valid(T(s), list) {
		return "", unknown(kind, T(s), list)
	}
	return T(s), nil
}

func valid[T ~string](v T, list []T) bool { return slices.Contains(list, v) }

func unmarshal[T ~string](dst *T, kind string, text []byte, list []T) error {
	if len(text) == 0 {
		*dst = ""
		return nil
	}
	v, err := parse(kind, string(text), list)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// Closest returns the name of list at most two edits away from s (the
// closest, the first of equals), or "": the "did you mean" of a misspelt name.
func Closest(s string, list []string) string {
	best, dist := "", 3
	for _, name := range list {
		if d := editDistance(s, name); d < dist {
			best, dist = name, d
		}
	}
	return best
}

// editDistance returns the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
