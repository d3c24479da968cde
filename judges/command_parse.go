package judges

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/judgebench/judgebench/results"
	"go.yaml.in/yaml/v3"
)

// parseCommand decodes and checks a judge description, given its file name
// for errors and its contents. Unknown keys are errors; every error is one
// line, "judges: FILE:LINE: what is wrong".
func parseCommand(file string, data []byte) (*commandJudge, error) {
	j := &commandJudge{file: file}
	if err := j.parseTree(data); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&j.raw); err != nil {
		return nil, j.yamlError(err)
	}
	if err := j.check(); err != nil {
		return nil, err
	}
	return j, nil
}

// parseTree parses data into j.root, and fails unless it is one YAML
// document holding a mapping.
func (j *commandJudge) parseTree(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	switch err := dec.Decode(&doc); {
	case err == io.EOF:
		return &descError{file: j.file, msg: "empty file: a judge description needs run and result"}
	case err != nil:
		return j.yamlError(err)
	}
	switch err := dec.Decode(&next); {
	case err == nil:
		return &descError{file: j.file, line: next.Line, msg: "more than one YAML document"}
	case err != io.EOF:
		return j.yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return &descError{file: j.file, msg: "not a YAML document"}
	}
	root := doc.Content[0]
	for i := 0; root.Kind == yaml.AliasNode && root.Alias != nil && i < 100; i++ {
		root = root.Alias
	}
	if root.Kind != yaml.MappingNode {
		return &descError{file: j.file, line: root.Line, msg: "a judge description is a mapping (name: ..., run: ..., result: ...)"}
	}
	j.root = root
	return nil
}

var (
	yamlLineRE   = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownKeyRE = regexp.MustCompile(`^field (.+) not found in type \S+$`)
	twiceRE      = regexp.MustCompile(`^(?:field (.+) already set in type \S+|mapping key "(.*)" already defined at line \d+)$`)
	unmarshalRE  = regexp.MustCompile("^cannot unmarshal (\\S+)(?: `(.*)`)? into (.+)$")
)

// yamlError turns an error of the YAML decoder into a descError in the
// words of a judge description.
func (j *commandJudge) yamlError(err error) error {
	msg := err.Error()
	if te, ok := errors.AsType[*yaml.TypeError](err); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return &descError{file: j.file, msg: msg}
	}
	line, _ := strconv.Atoi(m[1])
	msg = m[2]
	switch {
	case unknownKeyRE.MatchString(msg):
		key := unknownKeyRE.FindStringSubmatch(msg)[1]
		msg = fmt.Sprintf("unknown key %q", key)
		if near := results.Closest(key, descKeys); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
	case twiceRE.MatchString(msg):
		m := twiceRE.FindStringSubmatch(msg)
		msg = fmt.Sprintf("key %q given twice", m[1]+m[2])
	case unmarshalRE.MatchString(msg):
		m := unmarshalRE.FindStringSubmatch(msg)
		got := map[string]string{"!!seq": "a list", "!!map": "a mapping"}[m[1]]
		if got == "" {
			got = strconv.Quote(m[2])
		}
		msg = "want " + kindOf(m[3]) + ", got " + got
		if path := pathOnLine(j.root, line, m[1], m[2]); path != "" {
			msg = path + ": " + msg
		}
	}
	return &descError{file: j.file, line: line, msg: msg}
}

// descKeys are the keys of a judge description, for "did you mean".
var descKeys = []string{
	"name", "version", "vars", "run", "stdin", "stdout", "stderr", "ok_exit", "log", "result",
	"from", "format", "verdict", "verdicts", "default_verdict", "cpu_time", "real_time", "memory",
	"exit_code", "signal", "error", "field", "unit",
}

// kindOf says what a value decoded into the Go type named into must be.
func kindOf(into string) string {
	switch {
	case into == "string":
		return "a string"
	case strings.HasPrefix(into, "int"):
		return "an integer"
	case strings.HasPrefix(into, "[]"):
		return "a list"
	}
	return "a mapping"
}

// line is the line of the value at keys in the description; 0 when unknown.
func (j *commandJudge) line(keys ...any) int { return lineOf(j.root, keys...) }

// lineOf returns the line of the value at keys under n (string: a mapping
// key, whose own line counts; int: a list index), or of the deepest node on
// the way that exists.
func lineOf(n *yaml.Node, keys ...any) int {
	if n == nil {
		return 0
	}
	line := n.Line
	for _, k := range keys {
		key, v := child(n, k)
		if v == nil {
			break
		}
		n, line = v, v.Line
		if key != nil {
			line = key.Line
		}
	}
	return line
}

// child returns the value under k of n (and for a mapping key, the key's
// node), or nil.
func child(n *yaml.Node, k any) (key, value *yaml.Node) {
	switch k := k.(type) {
	case string:
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					return n.Content[i], n.Content[i+1]
				}
			}
		}
	case int:
		if n.Kind == yaml.SequenceNode && k >= 0 && k < len(n.Content) {
			return nil, n.Content[k]
		}
	}
	return nil, nil
}

// pathOnLine returns the path ("result.cpu_time", "run[2]") of the first
// value under n on line tagged tag whose text starts as value does (the
// decoder cuts long values to "1234567..."), or "".
func pathOnLine(n *yaml.Node, line int, tag, value string) string {
	value = strings.TrimSuffix(value, "...")
	match := func(n *yaml.Node) bool {
		return n.Line == line && n.ShortTag() == tag && strings.HasPrefix(n.Value, value)
	}
	var walk func(n *yaml.Node, path string, depth int) (string, bool)
	walk = func(n *yaml.Node, path string, depth int) (string, bool) {
		if n == nil || depth > 50 {
			return "", false
		}
		var subs []string
		var nodes []*yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				subs = append(subs, strings.TrimPrefix(path+"."+n.Content[i].Value, "."))
				nodes = append(nodes, n.Content[i+1])
			}
		case yaml.SequenceNode:
			for i, v := range n.Content {
				subs = append(subs, fmt.Sprintf("%s[%d]", path, i))
				nodes = append(nodes, v)
			}
		}
		for i, v := range nodes {
			if match(v) {
				return subs[i], true
			}
			if p, ok := walk(v, subs[i], depth+1); ok {
				return p, true
			}
		}
		return "", false
	}
	p, _ := walk(n, "", 0)
	return p
}

// errorf returns a descError at the line of the value at keys, whose text
// is "PATH: " (the keys as a path) and the message.
func (j *commandJudge) errorf(keys []any, format string, args ...any) error {
	var path strings.Builder
	for _, k := range keys {
		switch k := k.(type) {
		case int:
			fmt.Fprintf(&path, "[%d]", k)
		default:
			if path.Len() > 0 {
				path.WriteByte('.')
			}
			fmt.Fprint(&path, k)
		}
	}
	msg := fmt.Sprintf(format, args...)
	if path.Len() > 0 {
		msg = path.String() + ": " + msg
	}
	return &descError{file: j.file, line: j.line(keys...), msg: msg}
}

// descError is an error in a judge description: one line,
// "judges: FILE:LINE: what is wrong", without ":LINE" when no line applies.
type descError struct {
	file string
	line int // 1-based; 0: unknown
	msg  string
}

func (e *descError) Error() string {
	where := e.file
	if e.line > 0 {
		where += ":" + strconv.Itoa(e.line)
	}
	s := "judges: " + where + ": " + e.msg
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
