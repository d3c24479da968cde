package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/judgebench/judgebench/results"
	"go.yaml.in/yaml/v3"
)

// fileError is an error in a scenario file or problem directory. Its text is
// one line: "scenarios: FILE:LINE: problem", without ":LINE" when the line is
// not known.
type fileError struct {
	file string
	line int // 1-based; 0: unknown
	err  error
}

func (e *fileError) Error() string {
	where := e.file
	if e.line > 0 {
		where += ":" + strconv.Itoa(e.line)
	}
	return oneLine("scenarios: " + where + ": " + e.err.Error())
}

func (e *fileError) Unwrap() error { return e.err }

// oneLine replaces the line breaks in s with spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

var (
	yamlLineRE  = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownRE   = regexp.MustCompile(`^field (.+) not found in type (\S+)$`)
	duplicateRE = regexp.MustCompile(`^(?:field (.+) already set in type \S+|mapping key "(.*)" already defined at (line \d+))$`)
	unmarshalRE = regexp.MustCompile("^cannot unmarshal (\\S+)(?: `(.*)`)? into (.+)$")
)

// yamlError turns an error of the YAML decoder into a [fileError] saying
// which field is wrong, in the words of a scenario file rather than of Go.
func (l *loader) yamlError(err error) error {
	msg := err.Error()
	if te, ok := errors.AsType[*yaml.TypeError](err); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return &fileError{file: l.file, err: errors.New(msg)}
	}
	line, _ := strconv.Atoi(m[1])
	return &fileError{file: l.file, line: line, err: errors.New(l.explain(line, m[2]))}
}

// explain rewrites one message of the YAML decoder about the given line.
func (l *loader) explain(line int, msg string) string {
	if m := unknownRE.FindStringSubmatch(msg); m != nil {
		return l.prefix(l.keyPath(line, m[1])) + fmt.Sprintf("unknown field %q", m[1]) + suggest(m[1], m[2])
	}
	if m := duplicateRE.FindStringSubmatch(msg); m != nil {
		key, msg := m[1]+m[2], "field %q given twice"
		if m[3] != "" {
			msg += " (first on " + m[3] + ")"
		}
		return l.prefix(l.keyPath(line, key)) + fmt.Sprintf(msg, key)
	}
	if m := unmarshalRE.FindStringSubmatch(msg); m != nil {
		tag, value, into := m[1], m[2], m[3]
		got := strconv.Quote(value)
		switch tag {
		case "!!seq":
			got = "a list"
		case "!!map":
			got = "a mapping"
		}
		return l.prefix(l.valuePath(line, tag, value)) + "want " + kindOf(into) + ", got " + got
	}
	if strings.Contains(msg, "cannot start any token") && tabIndented(l.data, line) {
		msg += " (indent with spaces, not tabs)"
	}
	return msg
}

// prefix returns "PATH: ", or "" for the top level.
func (l *loader) prefix(keys []any) string {
	if len(keys) == 0 {
		return ""
	}
	return pathString(keys) + ": "
}

// kindOf describes what a value decoded into the Go type named into must be.
func kindOf(into string) string {
	switch {
	case into == "string":
		return "a string"
	case strings.HasPrefix(into, "int"):
		return "an integer"
	case strings.HasPrefix(into, "[]"):
		return "a list"
	case strings.HasPrefix(into, "scenarios.") || strings.HasPrefix(into, "*scenarios."):
		return "a mapping"
	}
	return into
}

// rawTypes maps the Go type names that decoder messages use to the types.
var rawTypes = map[string]reflect.Type{
	"scenarios.rawScenario": reflect.TypeFor[rawScenario](),
	"scenarios.rawCase":     reflect.TypeFor[rawCase](),
	"scenarios.rawGenerate": reflect.TypeFor[rawGenerate](),
	"scenarios.rawLimits":   reflect.TypeFor[rawLimits](),
}

// suggest returns ` (did you mean "KEY"?)` when the struct type named typ has
// a field whose key is at most two edits from key, else "".
func suggest(key, typ string) string {
	t, ok := rawTypes[typ]
	if !ok {
		return ""
	}
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		names = append(names, name)
	}
	if name := results.Closest(key, names); name != "" {
		return fmt.Sprintf(" (did you mean %q?)", name)
	}
	return ""
}

// tabIndented reports whether line (1-based) of data has a tab in its
// indentation.
func tabIndented(data []byte, line int) bool {
	lines := bytes.Split(data, []byte("\n"))
	if line < 1 || line > len(lines) {
		return false
	}
	s := lines[line-1]
	return bytes.Contains(s[:len(s)-len(bytes.TrimLeft(s, " \t"))], []byte("\t"))
}

// pathString formats keys, mapping keys (string) and list indices (int), as
// "limits.cpu_time" or "cases[2].count".
func pathString(keys []any) string {
	var b strings.Builder
	for _, k := range keys {
		switch k := k.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, k)
		}
	}
	return b.String()
}

// lineOf returns the line of the value at keys, or of the deepest node on the
// way to it that exists; 0 for no keys or no document.
func (l *loader) lineOf(keys ...any) int {
	if len(keys) == 0 || l.root == nil {
		return 0
	}
	n, line := l.root, 0
	for _, k := range keys {
		n = child(n, k)
		if n == nil {
			break
		}
		line = n.Line
	}
	return line
}

// child returns the value under key k (string: a mapping key; int: a list
// index) of n, or nil.
func child(n *yaml.Node, k any) *yaml.Node {
	n = deref(n)
	switch k := k.(type) {
	case string:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				return n.Content[i+1]
			}
		}
	case int:
		if n.Kind == yaml.SequenceNode && k >= 0 && k < len(n.Content) {
			return n.Content[k]
		}
	}
	return nil
}

// deref follows aliases.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// keyPath returns the path of the mapping that has key on line, or nil.
func (l *loader) keyPath(line int, key string) []any {
	keys, _ := l.find(l.root, nil, func(n *yaml.Node, isKey bool) bool {
		return isKey && n.Line == line && n.Value == key
	})
	return keys
}

// valuePath returns the path of the first value on line tagged tag whose
// text starts as value does (the decoder cuts long values to "1234567..."),
// or nil.
func (l *loader) valuePath(line int, tag, value string) []any {
	value = strings.TrimSuffix(value, "...")
	keys, _ := l.find(l.root, nil, func(n *yaml.Node, isKey bool) bool {
		return !isKey && n.Line == line && n.ShortTag() == tag && strings.HasPrefix(n.Value, value)
	})
	return keys
}

// find walks the tree under n, not through aliases, and returns the path of
// the first node that match accepts: for a key, the path of its mapping.
func (l *loader) find(n *yaml.Node, keys []any, match func(n *yaml.Node, isKey bool) bool) ([]any, bool) {
	if n == nil {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if match(k, true) {
				return keys, true
			}
			sub := append(keys[:len(keys):len(keys)], k.Value)
			if match(v, false) {
				return sub, true
			}
			if p, ok := l.find(v, sub, match); ok {
				return p, true
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			sub := append(keys[:len(keys):len(keys)], i)
			if match(v, false) {
				return sub, true
			}
			if p, ok := l.find(v, sub, match); ok {
				return p, true
			}
		}
	}
	return nil, false
}
