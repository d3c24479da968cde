package judges

import (
	"regexp"
	"slices"
	"strings"
)

// placeholders are the placeholders every case gives a value, besides
// those that depend on the description (stdin, stdout, stderr, result).
var placeholders = []string{
	"program", "program_dir", "program_name", "args", "env", "dir", "slot", "uid",
	"cpu_time_ms", "cpu_time_s", "cpu_time_ns", "real_time_ms", "real_time_s", "real_time_ns",
	"memory_bytes", "memory_kib", "memory_mib", "stack_bytes", "stack_kib",
	"output_bytes", "output_kib", "processes",
}

// repeated are the placeholders that repeat their element of run.
var repeated = []string{"args", "env"}

// template is a string with placeholders, parsed: literal text and names
// alternate, starting with text.
type template []string

var placeholderRE = regexp.MustCompile(`\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}`)

// parseTemplate splits s into literal text and placeholder names. Only
// {NAME} with NAME a letter or underscore then letters, digits or
// underscores is a placeholder; {{ and }} are literal braces, and any other
// brace is itself.
func parseTemplate(s string) template {
	t := template{""}
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(s, -1) {
		t[len(t)-1] += s[last:m[0]]
		switch tok := s[m[0]:m[1]]; tok {
		case "{{", "}}":
			t[len(t)-1] += tok[:1]
		default:
			t = append(t, tok[1:len(tok)-1], "")
		}
		last = m[1]
	}
	t[len(t)-1] += s[last:]
	return t
}

// names are the placeholders of t, in order.
func (t template) names() []string {
	var names []string
	for i := 1; i < len(t); i += 2 {
		names = append(names, t[i])
	}
	return names
}

// expand replaces each placeholder with its value; one missing is empty.
func (t template) expand(values map[string]string) string {
	s, _ := t.expandWith(values)
	return s
}

// expandWith replaces each placeholder with its value, and reports whether
// every one had a value.
func (t template) expandWith(values map[string]string) (string, bool) {
	var b strings.Builder
	ok := true
	for i, s := range t {
		if i%2 == 0 {
			b.WriteString(s)
			continue
		}
		v, found := values[s]
		ok = ok && found
		b.WriteString(v)
	}
	return b.String(), ok
}

// expandArgv expands each element of run: an element holding {args} or
// {env} once per item of lists["args"] or lists["env"], every other one
// once.
func expandArgv(run []template, values map[string]string, lists map[string][]string) []string {
	var argv []string
	for _, t := range run {
		rep := ""
		for _, name := range t.names() {
			if slices.Contains(repeated, name) {
				rep = name
			}
		}
		if rep == "" {
			argv = append(argv, t.expand(values))
			continue
		}
		for _, item := range lists[rep] {
			values[rep] = item
			argv = append(argv, t.expand(values))
		}
		delete(values, rep)
	}
	return argv
}
